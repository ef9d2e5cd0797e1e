package prefault

import "unsafe"

// Slice is Bytes over the memory of s's elements up to its capacity: a
// slice just made, to be filled or appended to up to a known count.
func Slice[T any](s []T) {
	var zero T
	n := uintptr(cap(s)) * unsafe.Sizeof(zero)
	if n == 0 {
		return
	}
	Bytes(unsafe.Slice((*byte)(unsafe.Pointer(unsafe.SliceData(s[:1]))), n))
}
