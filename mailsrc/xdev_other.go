//go:build !unix

package mailsrc

import "syscall"

var errCrossDevice = syscall.Errno(18)
