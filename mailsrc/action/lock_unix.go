//go:build unix

package action

import (
	"errors"
	"fmt"
	"os"
	"syscall"
	"time"
)

// lockFile takes an exclusive flock(2) on the file at path, creating it,
// waiting up to timeout; closing the returned file releases it.
func lockFile(path string, timeout time.Duration) (*os.File, error) {
	f, err := os.OpenFile(path, os.O_RDWR|os.O_CREATE|syscall.O_NOFOLLOW, 0o660)
	if err != nil {
		return nil, err
	}
	deadline := time.Now().Add(timeout)
	pause := time.Millisecond
	for {
		err := syscall.Flock(int(f.Fd()), syscall.LOCK_EX|syscall.LOCK_NB)
		switch {
		case err == nil:
			return f, nil
		case errors.Is(err, syscall.EINTR):
			continue
		case !errors.Is(err, syscall.EWOULDBLOCK) || time.Now().After(deadline):
			f.Close()
			if err == nil || errors.Is(err, syscall.EWOULDBLOCK) {
				return nil, fmt.Errorf("lock %s: still held by another mxaudit after %s", path, timeout)
			}
			return nil, fmt.Errorf("lock %s: %w", path, err)
		}
		time.Sleep(pause)
		pause = min(pause*2, 20*time.Millisecond)
	}
}
