//go:build unix

package fsx

import (
	"context"
	"errors"
	"fmt"
	"os"
	"syscall"
	"time"
)

// Lock takes an exclusive flock(2) on f, retrying with a growing pause
// until ctx is done, so that an operator waiting for another gets a clear
// message instead of a hang. flock locks belong to the open file: two
// processes, or two opens in one process, exclude each other. Closing f
// releases the lock.
func Lock(ctx context.Context, f *os.File) error { return lock(ctx, f, syscall.LOCK_EX) }

// LockShared is Lock for a shared lock: readers hold it together, and it
// excludes (and waits for) a holder of the exclusive lock, so that a
// reader never sees a write half done.
func LockShared(ctx context.Context, f *os.File) error { return lock(ctx, f, syscall.LOCK_SH) }

func lock(ctx context.Context, f *os.File, how int) error {
	pause := time.Millisecond
	for {
		ok, err := tryLock(f, how)
		if err != nil || ok {
			return err
		}
		t := time.NewTimer(pause)
		select {
		case <-ctx.Done():
			t.Stop()
			return fmt.Errorf("lock %s: still held by another process (%w)", f.Name(), context.Cause(ctx))
		case <-t.C:
		}
		pause = min(pause*2, 20*time.Millisecond)
	}
}

// TryLock takes an exclusive flock on f without waiting: false (and no
// error) when another open file holds it.
func TryLock(f *os.File) (bool, error) { return tryLock(f, syscall.LOCK_EX) }

func tryLock(f *os.File, how int) (bool, error) {
	for {
		err := syscall.Flock(int(f.Fd()), how|syscall.LOCK_NB)
		switch {
		case err == nil:
			return true, nil
		case errors.Is(err, syscall.EINTR):
			continue
		case errors.Is(err, syscall.EWOULDBLOCK):
			return false, nil
		default:
			return false, fmt.Errorf("lock %s: %w", f.Name(), err)
		}
	}
}

// Unlock releases the flock on f. Closing f releases it too; unlocking
// first makes the order explicit where f stays open.
func Unlock(f *os.File) error {
	return syscall.Flock(int(f.Fd()), syscall.LOCK_UN)
}

// noFollow refuses a symbolic link as the last path element: a lock or
// log file replaced by a link must not redirect writes elsewhere.
const noFollow = syscall.O_NOFOLLOW

// isSyncUnsupported reports whether a directory fsync failed only because
// the file system does not support it.
func isSyncUnsupported(err error) bool { return errors.Is(err, syscall.EINVAL) }
