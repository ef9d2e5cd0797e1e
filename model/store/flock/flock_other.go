//go:build !unix

// Package flock takes the advisory file locks that keep two mxaudit
// processes from writing the same files at once.
package flock

import (
	"errors"
	"os"
	"time"
)

// ErrNoLocking is returned where flock(2) does not exist: nothing that
// needs excluding other operators is done without it.
var ErrNoLocking = errors.New("file locking is not supported on this system; the policy file, the audit log and quarantine actions need it")

// LockExclusive fails: see ErrNoLocking.
func LockExclusive(*os.File, time.Duration) error { return ErrNoLocking }
