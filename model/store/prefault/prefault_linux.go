package prefault

import (
	"os"
	"unsafe"

	"golang.org/x/sys/unix"
)

// Bytes maps in the pages of b, memory just allocated that is about to
// be filled whole. The contents are not changed: new pages of private
// anonymous memory are zero either way. Kernels before 5.14 refuse the
// advice, and the pages are then faulted as before.
func Bytes(b []byte) {
	page := uintptr(os.Getpagesize())
	if uintptr(len(b)) < 4*page {
		return // a few faults cost less than the call
	}
	start := uintptr(unsafe.Pointer(unsafe.SliceData(b)))
	skip := (page - start%page) % page // to the first whole page
	whole := (uintptr(len(b)) - skip) &^ (page - 1)
	if whole == 0 {
		return
	}
	_ = unix.Madvise(b[skip:skip+whole], unix.MADV_POPULATE_WRITE)
}
