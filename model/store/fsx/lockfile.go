package fsx

import (
	"context"
	"os"
	"time"
)

// OpenLocked opens (creating it when missing, see Create) the lock file
// at path and takes an exclusive lock on it, waiting until ctx is done.
// Closing the returned file releases the lock. A lock lives in a file of
// its own, never removed or replaced: a lock on a file that is later
// replaced by rename would exclude no one.
func OpenLocked(ctx context.Context, path string) (*os.File, error) {
	f, err := Create(path, os.O_RDWR, 0o600)
	if err != nil {
		return nil, err
	}
	if err := Lock(ctx, f); err != nil {
		f.Close()
		return nil, err
	}
	return f, nil
}

// OpenLockedIn is OpenLocked for a name inside root.
func OpenLockedIn(ctx context.Context, root *os.Root, name string) (*os.File, error) {
	f, err := CreateIn(root, name, os.O_RDWR, 0o600)
	if err != nil {
		return nil, err
	}
	if err := Lock(ctx, f); err != nil {
		f.Close()
		return nil, err
	}
	return f, nil
}

// LockWithin is Lock bounded by a timeout, for callers without a context
// of their own.
func LockWithin(f *os.File, timeout time.Duration) error {
	ctx, cancel := context.WithTimeout(context.Background(), timeout)
	defer cancel()
	return Lock(ctx, f)
}

// LockSharedWithin is LockShared bounded by a timeout.
func LockSharedWithin(f *os.File, timeout time.Duration) error {
	ctx, cancel := context.WithTimeout(context.Background(), timeout)
	defer cancel()
	return LockShared(ctx, f)
}
