package cli

import (
	"runtime/debug"
	"testing"

	"mxaudit/analysis/scan"
)

func TestGCPercentFor(t *testing.T) {
	const floor = 40 << 20 // any floor: the rule is relative
	tests := []struct {
		live uint64
		want int
	}{
		{0, 100},                // nothing measured yet: the default
		{1 << 20, 1000},         // 1 MiB live: capped
		{4 << 20, 900},          // 4 MiB may grow to 40
		{10 << 20, 300},         // 10 MiB may grow to 40
		{(20 << 20) - 1, 100},   // just under half the floor: 100, never less
		{20 << 20, 100},         // half the floor: the default already reaches it
		{200 << 20, 100},        // a large heap keeps the default
		{floor * 3 / 4, 100},    // never below the default
		{(40 << 20) / 11, 1000}, // the cap, exactly
	}
	for _, tt := range tests {
		if got := gcPercentFor(tt.live, floor); got != tt.want {
			t.Errorf("gcPercentFor(%d) = %d, want %d", tt.live, got, tt.want)
		}
		if got := gcPercentFor(tt.live, floor); got < 100 || got > maxGCPercent {
			t.Errorf("gcPercentFor(%d) = %d, outside [100, %d]", tt.live, got, maxGCPercent)
		}
	}
}

// TestKeepHeapFloorRespectsOperator: GOGC or GOMEMLIMIT set by the
// operator leaves the target alone; otherwise the previous target is
// restored when the scan ends.
func TestKeepHeapFloorRespectsOperator(t *testing.T) {
	defer debug.SetGCPercent(debug.SetGCPercent(77))
	for _, env := range []map[string]string{{"GOGC": "200"}, {"GOMEMLIMIT": "1GiB"}, {}} {
		stop := keepHeapFloor(func(k string) string { return env[k] }, func() bool { return true })
		stop()
		if got := debug.SetGCPercent(77); got != 77 {
			t.Errorf("env %v: target %d after stop, want 77 restored", env, got)
		}
	}
}

// TestScanShareAnalysing: the heap floor holds while more than a quarter
// of the messages emitted were analysed, not found in the cache.
func TestScanShareAnalysing(t *testing.T) {
	tests := []struct {
		emitted, cached int
		want            bool
	}{
		{0, 0, false},         // nothing emitted yet: the default target
		{1, 0, true},          // a cold scan
		{20000, 0, true},      // a cold scan
		{20000, 20000, false}, // a warm one
		{20000, 15000, false}, // a quarter analysed: not more
		{20000, 14999, true},  // more than a quarter
	}
	for _, tt := range tests {
		var s scanShare
		s.progress(scan.Progress{Analysed: tt.emitted, Cached: tt.cached})
		if got := s.analysing(); got != tt.want {
			t.Errorf("%d emitted, %d cached: analysing %v, want %v", tt.emitted, tt.cached, got, tt.want)
		}
	}
}
