package app

import (
	"bytes"
	"testing"
)

// TestPrefaultKeepsTheBytes: prefault maps pages in and changes nothing,
// whatever the slice's length and alignment, new or already written.
func TestPrefaultKeepsTheBytes(t *testing.T) {
	for _, n := range []int{0, 1, 4095, 4096, 3 * 4096, 64 << 10, 1<<20 + 123} {
		for _, off := range []int{0, 1, 100, 4095} {
			buf := make([]byte, n+off)
			b := buf[off:]
			prefault(b)
			if !bytes.Equal(b, make([]byte, n)) {
				t.Fatalf("%d bytes at %d: a new slice is not zero after prefault", n, off)
			}
			for i := range b {
				b[i] = byte(i*7 + 1)
			}
			want := bytes.Clone(buf)
			prefault(b)
			if !bytes.Equal(buf, want) {
				t.Fatalf("%d bytes at %d: prefault changed what was written", n, off)
			}
		}
	}
}
