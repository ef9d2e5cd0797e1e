package app

import (
	"math"
	"runtime/debug"
	"testing"
)

// TestTuneGC checks that the console lowers the collection target and
// sets a memory limit only when the operator chose neither, and that it
// restores the previous ones.
func TestTuneGC(t *testing.T) {
	const startLimit = 1 << 40 // stands for what the runtime took at start
	tests := []struct {
		name      string
		env       map[string]string
		want      int
		wantLimit bool // a limit that follows the live heap
	}{
		{"no setting", nil, gcPercent, true},
		{"GOGC set", map[string]string{"GOGC": "200"}, 137, false},
		{"GOMEMLIMIT set", map[string]string{"GOMEMLIMIT": "1GiB"}, 137, false},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			// 137 stands for whatever the runtime took from the
			// environment at start.
			old := debug.SetGCPercent(137)
			defer debug.SetGCPercent(old)
			oldLimit := debug.SetMemoryLimit(startLimit)
			defer debug.SetMemoryLimit(oldLimit)
			restore := TuneLongLivedGC(func(k string) string { return tt.env[k] })
			if got := debug.SetGCPercent(-1); got != tt.want {
				t.Errorf("GC percent %d, want %d", got, tt.want)
			}
			debug.SetGCPercent(tt.want)
			limit := debug.SetMemoryLimit(-1)
			if tt.wantLimit && (limit < minLimit || limit >= startLimit) {
				t.Errorf("memory limit %d, want one that follows the live heap", limit)
			}
			if !tt.wantLimit && limit != startLimit {
				t.Errorf("memory limit %d changed, want %d", limit, int64(startLimit))
			}
			restore()
			if got := debug.SetGCPercent(137); got != 137 {
				t.Errorf("after restore: GC percent %d, want 137", got)
			}
			if got := debug.SetMemoryLimit(-1); got != startLimit {
				t.Errorf("after restore: memory limit %d, want %d", got, int64(startLimit))
			}
		})
	}
}

// TestLimitFor: the limit is the live heap and a quarter plus the slack,
// never below the floor, and saturates instead of wrapping.
func TestLimitFor(t *testing.T) {
	tests := []struct {
		live uint64
		want int64
	}{
		{0, minLimit},
		{10 << 20, minLimit},
		{80 << 20, 80<<20 + 20<<20 + limitSlack},
		{800 << 20, 800<<20 + 200<<20 + limitSlack},
		{math.MaxUint64 / 4, math.MaxUint64/4 + math.MaxUint64/4/4 + limitSlack},
		{math.MaxUint64 / 4 * 3, math.MaxInt64},
		{math.MaxUint64 - 1, math.MaxInt64},
	}
	for _, tt := range tests {
		if got := limitFor(tt.live); got != tt.want {
			t.Errorf("limitFor(%d) = %d, want %d", tt.live, got, tt.want)
		}
	}
}
