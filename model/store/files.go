package store

import (
	"errors"
	"io/fs"
	"os"
	"time"
)

// lockTimeout bounds the wait for another mxaudit holding the policy or
// audit log lock: a command fails with a clear message instead of hanging.
const lockTimeout = 15 * time.Second

// readIfExists returns the file's content, or nil and no error when it
// does not exist.
func readIfExists(path string) ([]byte, bool, error) {
	b, err := os.ReadFile(path)
	if errors.Is(err, fs.ErrNotExist) {
		return nil, false, nil
	}
	if err != nil {
		return nil, false, err
	}
	return b, true, nil
}
