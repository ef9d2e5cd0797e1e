package mailsrc

import (
	"bytes"
	"errors"
	"io"
	"os"
)

// spoolMemory is how much of a message a Spool holds in memory before it
// moves to a file: most mail is far smaller, and a file per message would
// cost a create, an unlink and a write for every message a scan opens.
const spoolMemory = 1 << 20

// Spool is one message held in memory while it is small and in a private
// temporary file once it is not, so that a message of hundreds of MiB
// fetched from IMAP (or read for a release) costs a few MiB of RSS however
// large it is.
//
// The file is created with os.CreateTemp (mode 0600, O_EXCL, a random
// name) in dir, by default os.TempDir() ($TMPDIR), and removed from the
// directory at once where the system allows it (Unix): nothing is left
// behind when the process dies, and no other process can open it by name.
// Where it cannot be removed while open, Close removes it.
type Spool struct {
	dir   string
	limit int    // bytes held in memory before moving to a file
	mem   []byte // the content while there is no file
	f     *os.File
	name  string // still to remove on Close; "" once removed
	size  int64
}

// NewSpool returns an empty spool whose file, if it needs one, is made in
// dir ("" for os.TempDir()).
func NewSpool(dir string) *Spool { return &Spool{dir: dir, limit: spoolMemory} }

// Write appends p, moving the content to a file when it outgrows memory.
func (s *Spool) Write(p []byte) (int, error) {
	if s.f == nil && len(s.mem)+len(p) <= s.limit {
		s.mem = append(s.mem, p...)
		s.size += int64(len(p))
		return len(p), nil
	}
	if s.f == nil {
		if err := s.toFile(); err != nil {
			return 0, err
		}
	}
	n, err := s.f.WriteAt(p, s.size)
	s.size += int64(n)
	return n, err
}

// toFile creates the spool's file and moves what memory holds into it.
func (s *Spool) toFile() error {
	f, err := os.CreateTemp(s.dir, ".mxaudit-spool-*")
	if err != nil {
		return err
	}
	if err := os.Remove(f.Name()); err != nil {
		s.name = f.Name()
	}
	s.f = f
	if _, err := f.WriteAt(s.mem, 0); err != nil {
		return err
	}
	s.mem = nil
	return nil
}

// Reset empties the spool, for an attempt that starts over (a fetch
// retried on a new connection).
func (s *Spool) Reset() error {
	s.size = 0
	s.mem = s.mem[:0]
	if s.f == nil {
		return nil
	}
	return s.f.Truncate(0)
}

// Size returns the number of bytes written.
func (s *Spool) Size() int64 { return s.size }

// content reads the spool's bytes wherever they are.
func (s *Spool) content() *io.SectionReader {
	if s.f == nil {
		return io.NewSectionReader(bytes.NewReader(s.mem), 0, s.size)
	}
	return io.NewSectionReader(s.f, 0, s.size)
}

// Reader returns a reader of the whole content from its start; several
// may be open at once. Closing it leaves the spool open.
func (s *Spool) Reader() io.ReadCloser { return io.NopCloser(s.content()) }

// Owner returns a reader of the whole content whose Close closes (and so
// discards) the spool: for handing the message to a caller that knows
// nothing of spools.
func (s *Spool) Owner() io.ReadCloser {
	return &ownerReader{Reader: s.content(), s: s}
}

type ownerReader struct {
	io.Reader
	s *Spool
}

func (o *ownerReader) Close() error { return o.s.Close() }

// Close discards the spool.
func (s *Spool) Close() error {
	s.mem = nil
	if s.f == nil {
		return nil
	}
	err := s.f.Close()
	if s.name != "" {
		err = errors.Join(err, os.Remove(s.name))
		s.name = ""
	}
	if errors.Is(err, os.ErrClosed) {
		return nil
	}
	return err
}
