//go:build unix

package mailsrc

import "syscall"

// errCrossDevice is what rename(2) returns when the target is on another
// file system.
var errCrossDevice = syscall.EXDEV
