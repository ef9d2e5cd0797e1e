package app

import (
	"math"
	"runtime"
	"runtime/debug"
	"runtime/metrics"
	"sync/atomic"
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

// TestLimitFor: the limit is the live heap and a quarter, at most
// scanRoomMost and at least the runtime's share, plus the slack, never
// below the floor, and saturates instead of wrapping.
func TestLimitFor(t *testing.T) {
	tests := []struct {
		live uint64
		want int64
	}{
		{0, minLimit},
		{10 << 20, minLimit},
		{80 << 20, 80<<20 + 20<<20 + limitSlack},
		{4 * scanRoomMost, 5*scanRoomMost + limitSlack},
		{600 << 20, 600<<20 + scanRoomMost + limitSlack},
		{800 << 20, 800<<20 + 50<<20 + limitSlack},
		{16 * scanRoomMost, 17*scanRoomMost + limitSlack},
		{4000 << 20, 4000<<20 + 250<<20 + limitSlack},
		{math.MaxInt64 / 2, math.MaxInt64/2 + math.MaxInt64/2/16 + limitSlack},
		{math.MaxInt64, math.MaxInt64},
		{math.MaxUint64 - 1, math.MaxInt64},
	}
	for _, tt := range tests {
		if got := limitFor(tt.live); got != tt.want {
			t.Errorf("limitFor(%d) = %d, want %d", tt.live, got, tt.want)
		}
	}
}

// TestIdleLimitFor: once no scan runs, the limit is the live heap and an
// eighth, at most idleRoomMost and at least the runtime's share, plus
// the idle slack, never below the floor, and saturates.
func TestIdleLimitFor(t *testing.T) {
	tests := []struct {
		live uint64
		want int64
	}{
		{0, minLimit},
		{80 << 20, 80<<20 + 10<<20 + idleSlack},
		{8 * idleRoomMost, 9*idleRoomMost + idleSlack},
		{16 * idleRoomMost, 17*idleRoomMost + idleSlack},
		{800 << 20, 800<<20 + 50<<20 + idleSlack},
		{math.MaxUint64 - 1, math.MaxInt64},
	}
	for _, tt := range tests {
		if got := idleLimitFor(tt.live); got != tt.want {
			t.Errorf("idleLimitFor(%d) = %d, want %d", tt.live, got, tt.want)
		}
	}
}

// TestSettlingLimitFor: from a scan's end until the memory has settled,
// the limit is the idle limit and settlingSlack more, or the live heap,
// the runtime's share and the idle slack where that is more.
func TestSettlingLimitFor(t *testing.T) {
	tests := []struct {
		live uint64
		want int64
	}{
		{0, minLimit},
		{53 << 20, 53<<20 + 53<<20/8 + idleSlack + settlingSlack},
		{8 * idleRoomMost, 9*idleRoomMost + idleSlack + settlingSlack},
		{1000 << 20, 1000<<20 + 62<<20 + 1<<19 + idleSlack},
		{math.MaxUint64 - 1, math.MaxInt64},
	}
	for _, tt := range tests {
		if got := settlingLimitFor(tt.live); got != tt.want {
			t.Errorf("settlingLimitFor(%d) = %d, want %d", tt.live, got, tt.want)
		}
	}
}

// TestScanUnderWayChoosesTheLimit checks that the limit followed is
// limitFor while a scan is under way, settlingLimitFor from its end
// until its memory is settled (settler), and idleLimitFor otherwise.
func TestScanUnderWayChoosesTheLimit(t *testing.T) {
	defer func(d time.Duration, f func()) { settleAfter, freeOSMemory = d, f }(settleAfter, freeOSMemory)
	var settled atomic.Int32
	settleAfter, freeOSMemory = 2*time.Second, func() { settled.Add(1) }
	waitNoScans(t)
	oldLimit := debug.SetMemoryLimit(math.MaxInt64)
	defer debug.SetMemoryLimit(oldLimit)
	restore := TuneLongLivedGC(func(string) string { return "" })
	defer restore()
	// near reports whether limit is the one want computes from some
	// live heap near the present one: it moves a little between samples.
	near := func(limit int64, want func(uint64) int64) bool {
		d := limit - want(liveHeap())
		return d > -4<<20 && d < 4<<20
	}
	wait := func(want func(uint64) int64) {
		t.Helper()
		deadline := time.Now().Add(5 * time.Second)
		for time.Now().Before(deadline) {
			if near(debug.SetMemoryLimit(-1), want) {
				return
			}
			time.Sleep(20 * time.Millisecond)
		}
		t.Fatalf("limit %d, want about %d", debug.SetMemoryLimit(-1), want(liveHeap()))
	}
	// A live heap above the floor, where the three limits are 16 MiB
	// or more apart.
	ballast := make([]*[1 << 20]byte, 200)
	for i := range ballast {
		ballast[i] = new([1 << 20]byte)
	}
	wait(idleLimitFor)
	done := scanUnderWay()
	wait(limitFor)
	done()
	// The scan has ended and the console sorts ahead: the settling
	// limit holds until the memory is settled. A limit read before the
	// settling began (freeOSMemory runs before the tick sets the idle
	// limit) is the settling one, once the tick after the scan's end
	// has set it.
	wait(settlingLimitFor)
	seen := 0
	for deadline := time.Now().Add(5 * time.Second); time.Now().Before(deadline); time.Sleep(limitInterval / 2) {
		limit := debug.SetMemoryLimit(-1)
		if settled.Load() > 0 {
			break
		}
		if !near(limit, settlingLimitFor) {
			t.Fatalf("limit %d before the memory was settled, want about %d", limit, settlingLimitFor(liveHeap()))
		}
		seen++
	}
	if settled.Load() != 1 || seen < 3 {
		t.Fatalf("settled %d times, the limit read %d times before: want once, after 3 reads or more", settled.Load(), seen)
	}
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
