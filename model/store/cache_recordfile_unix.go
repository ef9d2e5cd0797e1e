//go:build unix

package store

import (
	"os"
	"syscall"
)

// dupFile returns a handle of its own on the file f has open, closed on
// exec: the duplicate is made and marked under syscall.ForkLock, so that
// a hook's process started meanwhile does not inherit a handle on the
// cache.
func dupFile(f *os.File) (*os.File, error) {
	raw, err := f.SyscallConn()
	if err != nil {
		return nil, err
	}
	var fd int
	var dupErr error
	ctlErr := raw.Control(func(h uintptr) {
		syscall.ForkLock.RLock()
		defer syscall.ForkLock.RUnlock()
		if fd, dupErr = syscall.Dup(int(h)); dupErr == nil {
			syscall.CloseOnExec(fd)
		}
	})
	if ctlErr != nil {
		return nil, ctlErr
	}
	if dupErr != nil {
		return nil, dupErr
	}
	return os.NewFile(uintptr(fd), f.Name()), nil
}
