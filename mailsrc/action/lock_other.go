//go:build !unix

package action

import (
	"errors"
	"os"
	"time"
)

// lockFile is unavailable without flock: acting on an IMAP quarantine is
// refused rather than done without excluding other operators.
func lockFile(string, time.Duration) (*os.File, error) {
	return nil, errors.New("releasing and deleting need file locking, which this system lacks")
}
