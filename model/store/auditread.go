package store

import (
	"io"
	"os"

	"mxaudit/model/store/fsx"
)

// sharedSnapshot opens the audit log at path for reading and returns it
// with the size it had under a shared lock: every byte before that size
// belongs to a whole record, since Append writes (and, on failure, cuts
// back) only under the exclusive lock. The lock is released at once, so
// that a long verification never holds up an action's record; records
// appended after the snapshot are simply not read. The caller closes the
// file and reads no further than the size.
func sharedSnapshot(path string) (*os.File, int64, error) {
	f, err := os.Open(path)
	if err != nil {
		return nil, 0, err
	}
	if err := fsx.LockSharedWithin(f, lockTimeout); err != nil {
		f.Close()
		return nil, 0, err
	}
	info, err := f.Stat()
	fsx.Unlock(f)
	if err != nil {
		f.Close()
		return nil, 0, err
	}
	return f, info.Size(), nil
}

// openShared is sharedSnapshot as a reader of the snapshot's bytes only.
func openShared(path string) (*snapshot, error) {
	f, size, err := sharedSnapshot(path)
	if err != nil {
		return nil, err
	}
	return &snapshot{Reader: io.NewSectionReader(f, 0, size), f: f, size: size}, nil
}

// snapshot reads an audit log up to the size it had under the shared lock.
type snapshot struct {
	io.Reader
	f    *os.File
	size int64
}

func (s *snapshot) Close() error { return s.f.Close() }
