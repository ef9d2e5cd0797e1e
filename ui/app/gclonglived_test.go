package app

import (
	"math"
	"runtime"
	"runtime/debug"
	"runtime/metrics"
	"testing"
	"time"
)

// TestTuneGC checks that the console lowers the collection target and
// sets a memory limit only when the operator chose neither, and that it
// restores the previous ones.
func TestTuneGC(t *testing.T) {
	waitNoScans(t)
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

// TestIdleLimitFor: once no scan runs, the limit is the live heap and an
// eighth plus the idle slack, never below the floor, and saturates.
func TestIdleLimitFor(t *testing.T) {
	tests := []struct {
		live uint64
		want int64
	}{
		{0, minLimit},
		{80 << 20, 80<<20 + 10<<20 + idleSlack},
		{800 << 20, 800<<20 + 100<<20 + idleSlack},
		{math.MaxUint64 - 1, math.MaxInt64},
	}
	for _, tt := range tests {
		if got := idleLimitFor(tt.live); got != tt.want {
			t.Errorf("idleLimitFor(%d) = %d, want %d", tt.live, got, tt.want)
		}
	}
}

// TestScanUnderWayChoosesTheLimit checks that the limit followed is
// limitFor while a scan is under way and idleLimitFor otherwise.
func TestScanUnderWayChoosesTheLimit(t *testing.T) {
	waitNoScans(t)
	oldLimit := debug.SetMemoryLimit(math.MaxInt64)
	defer debug.SetMemoryLimit(oldLimit)
	restore := TuneLongLivedGC(func(string) string { return "" })
	defer restore()
	wait := func(want func(uint64) int64) {
		t.Helper()
		deadline := time.Now().Add(5 * time.Second)
		for time.Now().Before(deadline) {
			// The live heap moves a little between samples: the limit
			// must be the one computed from some live heap near it.
			limit := debug.SetMemoryLimit(-1)
			live := liveHeap()
			if d := limit - want(live); d > -4<<20 && d < 4<<20 {
				return
			}
			time.Sleep(20 * time.Millisecond)
		}
		t.Fatalf("limit %d, want about %d", debug.SetMemoryLimit(-1), want(liveHeap()))
	}
	ballast := make([]*[1 << 20]byte, 200) // a live heap above the floor
	for i := range ballast {
		ballast[i] = new([1 << 20]byte)
	}
	wait(idleLimitFor)
	done := scanUnderWay()
	wait(limitFor)
	done()
	wait(idleLimitFor)
	runtime.KeepAlive(ballast)
}

// liveHeap is the runtime's /gc/heap/live:bytes.
func liveHeap() uint64 {
	s := []metrics.Sample{{Name: "/gc/heap/live:bytes"}}
	metrics.Read(s)
	return s[0].Value.Uint64()
}

// waitNoScans waits until no scan is under way in the process: the
// collector's policies read the process's counts, and another test's
// scan still under way (a hub's can outlive its test) would change what
// they choose.
func waitNoScans(t *testing.T) {
	t.Helper()
	for deadline := time.Now().Add(10 * time.Second); scansRunning.Load() > 0 || scansAnalysing.Load() > 0; time.Sleep(limitInterval) {
		if time.Now().After(deadline) {
			t.Fatal("another test's scan is still under way")
		}
	}
}
