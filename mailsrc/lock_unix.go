//go:build unix

package mailsrc

import (
	"errors"
	"fmt"
	"os"
	"syscall"
	"time"
)

// lockExclusive takes an exclusive flock(2) on f, retrying with a growing
// pause until timeout, so that an operator waiting for another gets a
// clear message instead of a hang. flock locks belong to the open file,
// so two processes, or two opens in one process, exclude each other.
func lockExclusive(f *os.File, timeout time.Duration) error {
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
			return fmt.Errorf("lock %s: still held by another mxaudit after %s", f.Name(), timeout)
		}
		time.Sleep(pause)
		pause = min(pause*2, 20*time.Millisecond)
	}
}

// errCrossDevice is what rename(2) returns when the target is on another
// file system.
var errCrossDevice = syscall.EXDEV

// isSyncUnsupported reports whether a directory fsync failed only because
// the file system does not support it.
func isSyncUnsupported(err error) bool { return errors.Is(err, syscall.EINVAL) }
