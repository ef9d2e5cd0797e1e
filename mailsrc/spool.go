package mailsrc

import (
	"errors"
	"io"
	"os"
)

// Spool is one message held in a private temporary file instead of in
// memory, so that a message of hundreds of MiB fetched from IMAP (or read
// for a release) costs a few MiB of RSS however large it is.
//
// The file is created with os.CreateTemp (mode 0600, O_EXCL, a random
// name) in dir, by default os.TempDir() ($TMPDIR), and removed from the
// directory at once where the system allows it (Unix): nothing is left
// behind when the process dies, and no other process can open it by name.
// Where it cannot be removed while open, Close removes it.
type Spool struct {
	f    *os.File
	name string // still to remove on Close; "" once removed
	size int64
}

// NewSpool creates an empty spool in dir ("" for os.TempDir()).
func NewSpool(dir string) (*Spool, error) {
	f, err := os.CreateTemp(dir, ".mxaudit-spool-*")
	if err != nil {
		return nil, err
	}
	s := &Spool{f: f}
	if err := os.Remove(f.Name()); err != nil {
		s.name = f.Name()
	}
	return s, nil
}

// Write appends p.
func (s *Spool) Write(p []byte) (int, error) {
	n, err := s.f.WriteAt(p, s.size)
	s.size += int64(n)
	return n, err
}

// Reset empties the spool, for an attempt that starts over (a fetch
// retried on a new connection).
func (s *Spool) Reset() error {
	s.size = 0
	return s.f.Truncate(0)
}

// Size returns the number of bytes written.
func (s *Spool) Size() int64 { return s.size }

// Reader returns a reader of the whole content from its start; several
// may be open at once. Closing it leaves the spool open.
func (s *Spool) Reader() io.ReadCloser {
	return io.NopCloser(io.NewSectionReader(s.f, 0, s.size))
}

// Owner returns a reader of the whole content whose Close closes (and so
// discards) the spool: for handing the message to a caller that knows
// nothing of spools.
func (s *Spool) Owner() io.ReadCloser {
	return &ownerReader{Reader: io.NewSectionReader(s.f, 0, s.size), s: s}
}

type ownerReader struct {
	io.Reader
	s *Spool
}

func (o *ownerReader) Close() error { return o.s.Close() }

// Close discards the spool.
func (s *Spool) Close() error {
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
