package store

import (
	"errors"
	"os"
	"sync"

	"mxaudit/model"
)

// recordFile is the cache's read handle as an encoded message names it
// (model.Encoded.From): a reader that keeps the message's bytes for
// later, the console's spill, reads them from the cache's file again
// instead of writing a copy: 2.1 GB written at a start that read a
// million cached messages again.
//
// Reopen duplicates the handle rather than open the file by name: the
// name may be another file by then (another process compacted or
// rebuilt the cache, which renames a new file over it), while a handle
// reads the file the offsets are of for as long as it is open. Once the
// cache lets its handle go (Close, or a fresh file replacing it), Reopen
// fails, and the reader keeps a copy of its own as before.
type recordFile struct {
	mu sync.Mutex
	f  *os.File // nil once let go
}

// Reopen returns a handle of its own on the file (model.RecordFile).
func (r *recordFile) Reopen() (model.ReaderAtCloser, error) {
	r.mu.Lock()
	defer r.mu.Unlock()
	if r.f == nil {
		return nil, errRecordFileGone
	}
	f, err := dupFile(r.f)
	if err != nil {
		return nil, err // not f: a nil *os.File is no nil ReaderAtCloser
	}
	return f, nil
}

// letGo marks the handle let go: no Reopen succeeds after it.
func (r *recordFile) letGo() {
	if r == nil {
		return
	}
	r.mu.Lock()
	r.f = nil
	r.mu.Unlock()
}

var errRecordFileGone = errors.New("cache: the file the record was read from is closed")

// setReadFile makes f the handle Get reads from (nil: none), closing
// the one before; c.mu is held, or the cache is not yet shared.
func (c *Cache) setReadFile(f *os.File) {
	c.rfRef.letGo()
	if c.rf != nil {
		c.rf.Close()
	}
	c.rf, c.rfRef = f, nil
	if f != nil {
		c.rfRef = &recordFile{f: f}
	}
}
