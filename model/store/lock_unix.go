//go:build unix

package store

import (
	"errors"
	"fmt"
	"os"
	"syscall"
	"time"

	"mxaudit/model/store/flock"
)

// lockTimeout bounds the wait for another mxaudit holding a lock: a
// command fails with a clear message instead of hanging.
const lockTimeout = 15 * time.Second

// lockExclusive takes an exclusive lock on f: see flock.LockExclusive.
func lockExclusive(f *os.File, timeout time.Duration) error { return flock.LockExclusive(f, timeout) }

// unlock releases the flock on f. Closing f releases it too; unlocking
// first makes the order explicit.
func unlock(f *os.File) error {
	return syscall.Flock(int(f.Fd()), syscall.LOCK_UN)
}

// syncDir fsyncs a directory so that a rename or a new file in it
// survives a crash.
func syncDir(dir string) error {
	d, err := os.Open(dir)
	if err != nil {
		return err
	}
	defer d.Close()
	if err := d.Sync(); err != nil && !errors.Is(err, syscall.EINVAL) {
		return fmt.Errorf("sync %s: %w", dir, err)
	}
	return nil
}
