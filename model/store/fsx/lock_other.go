//go:build !unix

package fsx

import (
	"context"
	"errors"
	"os"
)

// ErrNoLocking is returned where flock(2) does not exist: nothing that
// needs excluding other operators is done without it.
var ErrNoLocking = errors.New("file locking is not supported on this system; the policy file, the audit log and quarantine actions need it")

// Lock fails: see ErrNoLocking.
func Lock(context.Context, *os.File) error { return ErrNoLocking }

// LockShared fails: see ErrNoLocking.
func LockShared(context.Context, *os.File) error { return ErrNoLocking }

// TryLock fails: see ErrNoLocking.
func TryLock(*os.File) (bool, error) { return false, ErrNoLocking }

// Unlock fails: see ErrNoLocking.
func Unlock(*os.File) error { return ErrNoLocking }

const noFollow = 0

func isSyncUnsupported(error) bool { return true }
