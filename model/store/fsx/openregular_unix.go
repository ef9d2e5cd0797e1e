//go:build unix

package fsx

import (
	"os"
	"syscall"
)

// openRegular opens path without following a final symbolic link and
// without waiting on a FIFO (O_NONBLOCK changes nothing for reading a
// regular file).
func openRegular(path string) (*os.File, error) {
	return os.OpenFile(path, os.O_RDONLY|syscall.O_NOFOLLOW|syscall.O_NONBLOCK, 0)
}
