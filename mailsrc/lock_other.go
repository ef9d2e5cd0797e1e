//go:build !unix

package mailsrc

import (
	"errors"
	"os"
	"syscall"
	"time"
)

// lockExclusive is unavailable without flock: acting on a quarantine is
// refused rather than done without excluding other operators.
func lockExclusive(*os.File, time.Duration) error {
	return errors.New("releasing and deleting need file locking, which this system lacks")
}

var errCrossDevice = syscall.Errno(18)

func isSyncUnsupported(error) bool { return true }
