package mailsrc

import (
	"bufio"
	"compress/gzip"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"os"
	"sync"
	"syscall"
	"time"

	"mxaudit/model"
)

// notFound is the error Open returns for an ID the source does not hold.
func notFound(id model.MessageID) error {
	return fmt.Errorf("%q: %w", string(id), ErrNotFound)
}

// quarantineError words a failure to open the root of a source the way an
// operator reads it: "cannot open quarantine /x: permission denied". The
// cause stays wrapped, so errors.Is(err, fs.ErrPermission) and
// fs.ErrNotExist still work.
func quarantineError(path string, err error) error {
	var pe *fs.PathError
	if errors.As(err, &pe) {
		err = pe.Err
	}
	return fmt.Errorf("cannot open quarantine %s: %w", path, err)
}

// openRoot opens the directory a Maildir or directory source lives in.
// Every later file access goes through the returned Root, so an ID
// ("../../etc/shadow") or a symbolic link can never lead outside it.
func openRoot(path string) (*os.Root, error) {
	root, err := os.OpenRoot(path)
	if err != nil {
		return nil, quarantineError(path, err)
	}
	return root, nil
}

// openFlags open stored files for reading. O_NONBLOCK keeps the open of a
// FIFO swapped in for a message from hanging, and spares Go's runtime the
// system calls it otherwise spends switching a regular file to
// non-blocking mode and back (a listing opens every file); reads of
// regular files are not affected by it.
const openFlags = os.O_RDONLY | syscall.O_NONBLOCK

// openInRoot opens a stored message file and maps "it is not there" to
// ErrNotFound: another operator may have released or deleted it since the
// listing.
func openInRoot(root *os.Root, rel string, id model.MessageID) (*os.File, error) {
	f, err := root.OpenFile(rel, openFlags, 0)
	if err != nil {
		if isGone(err) {
			return nil, notFound(id)
		}
		return nil, err
	}
	return f, nil
}

// isGone reports whether err says a path does not exist (any more), also
// when a component that used to be a directory no longer is one.
func isGone(err error) bool {
	return errors.Is(err, fs.ErrNotExist) || errors.Is(err, syscall.ENOTDIR)
}

// storedMessage is an open message file, possibly behind a gzip
// decompressor. Closing it closes both.
type storedMessage struct {
	io.Reader
	gz   *gzip.Reader
	file *os.File
	// buffers are the pooled readers Close gives back; closed keeps a
	// second Close from giving them back twice, which would hand one
	// buffer to two messages.
	buffers []*bufio.Reader
	closed  bool
}

// Stat returns the stored file's metadata (the compressed file's, behind
// gzip).
func (m *storedMessage) Stat() (fs.FileInfo, error) { return m.file.Stat() }

// StoredAt returns when the message read through rc, as a Source's Open
// returned it, was stored: its file's modification time, which is the
// delivery time for a message file. Zero when rc cannot say (IMAP, an
// mbox's messages), or its file cannot be stat'ed.
func StoredAt(rc io.Reader) time.Time {
	if f, ok := rc.(interface{ Stat() (fs.FileInfo, error) }); ok {
		if info, err := f.Stat(); err == nil {
			return info.ModTime()
		}
	}
	return time.Time{}
}

// Close implements io.Closer. Reading after Close fails: the buffers
// belong to other messages by then. Close must not be called while
// another goroutine reads (closing the file to cancel a read would hand
// this message's buffer to another): every caller reads and closes on
// one goroutine.
func (m *storedMessage) Close() error {
	if m.closed {
		return os.ErrClosed
	}
	m.closed = true
	if m.gz != nil {
		m.gz.Close() // only reports a checksum error already seen by Read
	}
	err := m.file.Close()
	m.Reader = closedReader{}
	for _, br := range m.buffers {
		br.Reset(nil)
		storedReaders.Put(br)
	}
	m.buffers = nil
	return err
}

// storedReaders pools the 8 KiB buffered readers messages are read
// through: one a message, 7 KB of the 58 KB a console allocated for each
// message it listed.
var storedReaders = sync.Pool{New: func() any { return bufio.NewReaderSize(nil, 8192) }}

// buffered returns a pooled reader over r that Close gives back.
func (m *storedMessage) buffered(r io.Reader) *bufio.Reader {
	br := storedReaders.Get().(*bufio.Reader)
	br.Reset(r)
	m.buffers = append(m.buffers, br)
	return br
}

// closedReader is a closed message's reader.
type closedReader struct{}

func (closedReader) Read([]byte) (int, error) { return 0, os.ErrClosed }

// openMessage turns an open file into the message's raw bytes: gzip is
// undone (recognised by its magic bytes) and the framing that classifyHead
// finds (a UTF-8 byte order mark, leading blanks, an mbox From_ line) is
// dropped. It takes
// ownership of f. Files that are not regular (a FIFO would block a reader
// forever, a directory has no bytes) are refused.
func openMessage(f *os.File, id model.MessageID) (io.ReadCloser, error) {
	info, err := f.Stat()
	if err != nil {
		f.Close()
		return nil, err
	}
	if !info.Mode().IsRegular() {
		f.Close()
		return nil, fmt.Errorf("%q is not a regular file: %w", string(id), ErrNotFound)
	}
	m := &storedMessage{file: f}
	br := m.buffered(f)
	if magic, _ := br.Peek(2); isGzip(magic) {
		m.gz, err = gzip.NewReader(br)
		if err != nil {
			m.Close()
			return nil, fmt.Errorf("%q: gzip: %w", string(id), err)
		}
		br = m.buffered(m.gz)
	}
	head, err := br.Peek(headSize)
	if err != nil && err != io.EOF {
		m.Close()
		return nil, fmt.Errorf("%q: %w", string(id), err)
	}
	if skip, err := classifyHead(head); err == nil && skip > 0 {
		br.Discard(skip)
	}
	m.Reader = br
	return m, nil
}
