package app

import (
	"math"
	"runtime/debug"
	"sync/atomic"
	"testing"
	"time"
)

// TestSettler: the memory is settled once, settleAfter after the last
// scan was seen ending, never while one runs nor before the first, and
// once again after the next scan, even one that began and ended between
// two ticks; it is unsettled from a scan's start until then.
func TestSettler(t *testing.T) {
	t0 := time.Unix(1_800_000_000, 0)
	steps := []struct {
		after     time.Duration // since t0
		scanning  bool
		started   uint64
		settle    bool
		unsettled bool // after the tick
	}{
		{0, false, 0, false, false},
		{settleAfter * 2, false, 0, false, false}, // no scan yet
		{time.Minute, true, 1, false, true},
		{time.Minute + time.Second, true, 1, false, true},
		{time.Minute + 2*time.Second, false, 1, false, true}, // the scan ended
		{time.Minute + 2*time.Second + settleAfter - time.Millisecond, false, 1, false, true},
		{time.Minute + 2*time.Second + settleAfter, false, 1, true, false},
		{time.Minute + 3*time.Second + settleAfter, false, 1, false, false}, // once
		{2 * time.Minute, false, 1, false, false},
		{2*time.Minute + time.Second, true, 2, false, true}, // another scan
		{2*time.Minute + 2*time.Second, false, 2, false, true},
		{2*time.Minute + 2*time.Second + settleAfter/2, true, 3, false, true}, // and another, before settling
		{2*time.Minute + 3*time.Second + settleAfter, false, 3, false, true},
		{2*time.Minute + 3*time.Second + 2*settleAfter, false, 3, true, false},
		{3 * time.Minute, false, 4, false, true}, // a scan between two ticks
		{3*time.Minute + settleAfter, false, 4, true, false},
	}
	var s settler
	for i, st := range steps {
		if got := s.tick(t0.Add(st.after), st.scanning, st.started); got != st.settle {
			t.Fatalf("step %d (%v, scanning %v, started %d): settle %v, want %v", i, st.after, st.scanning, st.started, got, st.settle)
		}
		if got := s.unsettled(); got != st.unsettled {
			t.Fatalf("step %d (%v, scanning %v, started %d): unsettled %v, want %v", i, st.after, st.scanning, st.started, got, st.unsettled)
		}
	}
}

// TestLongLivedGCSettlesAfterAScan: the front ends' collector policy
// settles the memory after a scan has ended, not while it runs, and
// once.
func TestLongLivedGCSettlesAfterAScan(t *testing.T) {
	defer func(d time.Duration, f func()) { settleAfter, freeOSMemory = d, f }(settleAfter, freeOSMemory)
	var settled atomic.Int32
	settleAfter, freeOSMemory = 50*time.Millisecond, func() { settled.Add(1) }
	oldLimit := debug.SetMemoryLimit(math.MaxInt64)
	defer debug.SetMemoryLimit(oldLimit)
	// The counts are the process's: another test's scan still under
	// way would hold the settling off.
	waitNoScans(t)
	restore := TuneLongLivedGC(func(string) string { return "" })
	defer restore()
	done := scanUnderWay()
	time.Sleep(10 * limitInterval)
	if n := settled.Load(); n != 0 {
		t.Fatalf("settled %d times while a scan ran", n)
	}
	done()
	deadline := time.Now().Add(10 * time.Second)
	for settled.Load() == 0 && time.Now().Before(deadline) {
		time.Sleep(limitInterval)
	}
	time.Sleep(10 * limitInterval)
	if n := settled.Load(); n != 1 {
		t.Fatalf("settled %d times after the scan, want once", n)
	}
}
