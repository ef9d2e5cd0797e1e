package store

import (
	"math"
	"testing"
)

// TestCacheEntryLimits: an entry holds what a record may be and when it
// may have been written; anything else is refused, never truncated.
func TestCacheEntryLimits(t *testing.T) {
	for _, tc := range []struct {
		n       int
		written int64
		ok      bool
	}{
		{1, 1764370000, true},
		{MaxCacheRecordLen, math.MaxUint32, true},
		{MaxCacheRecordLen + 1, 1764370000, false},
		{1, -1, false},
		{1, math.MaxUint32 + 1, false},
	} {
		e, ok := newCacheEntry(42, tc.n, tc.written)
		if ok != tc.ok {
			t.Errorf("n %d, written %d: ok %v, want %v", tc.n, tc.written, ok, tc.ok)
		}
		if ok && (e.off != 42 || int(e.n) != tc.n || int64(e.written) != tc.written) {
			t.Errorf("n %d, written %d: entry %+v", tc.n, tc.written, e)
		}
	}
}
