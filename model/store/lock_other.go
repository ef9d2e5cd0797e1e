//go:build !unix

package store

import (
	"errors"
	"os"
	"time"
)

// lockTimeout is unused where file locking is not supported.
const lockTimeout = 15 * time.Second

// errNoLocking is returned where flock(2) does not exist: the audit log
// and the policy file must not be written without a lock.
var errNoLocking = errors.New("file locking is not supported on this system; the policy file and the audit log need it")

func lockExclusive(*os.File, time.Duration) error { return errNoLocking }

func unlock(*os.File) error { return errNoLocking }

func syncDir(string) error { return nil }
