//go:build unix

// Package flock takes the advisory file locks that keep two mxaudit
// processes (two operators' consoles, a console and a script) from
// writing the same policy file, audit log, cache or quarantine state at
// once.
package flock

import (
	"errors"
	"fmt"
	"os"
	"syscall"
	"time"
)

// LockExclusive takes an exclusive flock(2) on f, retrying with a growing
// pause until timeout, so that an operator waiting for another gets a
// clear message instead of a hang. flock locks belong to the open file,
// so two processes (or two opens in one process) exclude each other.
// Closing f releases the lock.
func LockExclusive(f *os.File, timeout time.Duration) error {
	deadline := time.Now().Add(timeout)
	pause := time.Millisecond
	for {
		err := syscall.Flock(int(f.Fd()), syscall.LOCK_EX|syscall.LOCK_NB)
		switch {
		case err == nil:
			return nil
		case errors.Is(err, syscall.EINTR):
			continue
		case !errors.Is(err, syscall.EWOULDBLOCK):
			return fmt.Errorf("lock %s: %w", f.Name(), err)
		case time.Now().After(deadline):
			return fmt.Errorf("lock %s: still held by another process after %s", f.Name(), timeout)
		}
		time.Sleep(pause)
		pause = min(pause*2, 20*time.Millisecond)
	}
}
