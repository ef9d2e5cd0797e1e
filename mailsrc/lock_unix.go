//go:build unix

package mailsrc

import (
	"errors"
	"syscall"
)

// errCrossDevice is what rename(2) returns when the target is on another
// file system.
var errCrossDevice = syscall.EXDEV

// isSyncUnsupported reports whether a directory fsync failed only because
// the file system does not support it.
func isSyncUnsupported(err error) bool { return errors.Is(err, syscall.EINVAL) }
