//go:build !linux

package prefault

// Bytes does nothing where MADV_POPULATE_WRITE is not known: the pages
// of b are faulted as they are first touched.
func Bytes(b []byte) {}
