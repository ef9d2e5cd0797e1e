package prefault

import (
	"bytes"
	"testing"
)

// TestPrefaultKeepsTheBytes: Bytes maps pages in and changes nothing,
// whatever the slice's length and alignment, new or already written.
func TestPrefaultKeepsTheBytes(t *testing.T) {
	for _, n := range []int{0, 1, 4095, 4096, 3 * 4096, 64 << 10, 1<<20 + 123} {
		for _, off := range []int{0, 1, 100, 4095} {
			buf := make([]byte, n+off)
			b := buf[off:]
			Bytes(b)
			if !bytes.Equal(b, make([]byte, n)) {
				t.Fatalf("%d bytes at %d: a new slice is not zero after Bytes", n, off)
			}
			for i := range b {
				b[i] = byte(i*7 + 1)
			}
			want := bytes.Clone(buf)
			Bytes(b)
			if !bytes.Equal(buf, want) {
				t.Fatalf("%d bytes at %d: Bytes changed what was written", n, off)
			}
		}
	}
}

// TestSliceKeepsTheElements: Slice is Bytes over the elements' memory.
func TestSliceKeepsTheElements(t *testing.T) {
	type slot struct {
		a [32]byte
		b int64
	}
	for _, n := range []int{0, 1, 1000, 100000} {
		s := make([]slot, n, n+7)
		Slice(s)
		for i := range s {
			if s[i] != (slot{}) {
				t.Fatalf("%d slots: slot %d not zero after Slice", n, i)
			}
			s[i].a[31], s[i].b = byte(i), int64(i)
		}
		Slice(s)
		for i := range s {
			if s[i].a[31] != byte(i) || s[i].b != int64(i) {
				t.Fatalf("%d slots: Slice changed slot %d", n, i)
			}
		}
	}
}
