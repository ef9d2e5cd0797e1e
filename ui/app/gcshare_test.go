package app

import (
	"sync"
	"testing"

	"mxaudit/analysis/scan"
)

// TestScanShareAnalysing: a scan counts as analysing while more than a
// quarter of the messages it emitted were analysed, not found in the
// cache; its count goes when it ends, and later progress changes nothing.
func TestScanShareAnalysing(t *testing.T) {
	tests := []struct {
		emitted, cached int
		want            bool
	}{
		{0, 0, false},         // nothing emitted yet
		{1, 0, true},          // a cold scan
		{20000, 0, true},      // a cold scan
		{20000, 20000, false}, // a warm one
		{20000, 15000, false}, // a quarter analysed: not more
		{20000, 14999, true},  // more than a quarter
	}
	waitNoScans(t)
	analysing := func() bool { return scansAnalysing.Load() > 0 }
	for _, tt := range tests {
		var s scanShare
		s.progress(scan.Progress{Analysed: tt.emitted, Cached: tt.cached})
		if got := analysing(); got != tt.want {
			t.Errorf("%d emitted, %d cached: analysing %v, want %v", tt.emitted, tt.cached, got, tt.want)
		}
		s.done()
		if analysing() {
			t.Fatalf("%d emitted, %d cached: still analysing after the scan ended", tt.emitted, tt.cached)
		}
		s.progress(scan.Progress{Analysed: 1})
		if analysing() {
			t.Fatal("progress after the end counted")
		}
	}
	var s scanShare
	s.progress(scan.Progress{Analysed: 1})
	if !ScansAnalysing() {
		t.Error("ScansAnalysing false while a scan analyses")
	}
	s.done()
}

// TestScansAnalysingCountsEachScan: scans that analyse at once, turning
// warm and cold again, from several goroutines, leave the count at the
// number still analysing, and at none once all have ended.
func TestScansAnalysingCountsEachScan(t *testing.T) {
	waitNoScans(t)
	shares := make([]scanShare, 8)
	var wg sync.WaitGroup
	for i := range shares {
		wg.Go(func() {
			for n := range 200 {
				cached := 0
				if n%3 == 0 {
					cached = n + 1 // warm for a while
				}
				shares[i].progress(scan.Progress{Analysed: n + 1, Cached: cached})
			}
		})
	}
	wg.Wait()
	// Each ended on n = 199 (199 % 3 != 0): analysing.
	if got := scansAnalysing.Load(); got != int32(len(shares)) {
		t.Errorf("count %d, want %d", got, len(shares))
	}
	for i := range shares {
		shares[i].done()
		shares[i].done() // twice: no more than once
	}
	if got := scansAnalysing.Load(); got != 0 {
		t.Errorf("count %d after every scan ended, want 0", got)
	}
}

// TestScanPercentFor: while a scan analyses, a heap below the floor may
// grow to it, at most by maxScanPercent; from two thirds of it on, the
// target is gcPercent, with no step between the two.
func TestScanPercentFor(t *testing.T) {
	tests := []struct {
		live uint64
		want int
	}{
		{0, maxScanPercent},
		{1 << 20, maxScanPercent}, // 48 MiB from 1 would be 4,700%
		{8 << 20, 500},            // 8 → 48 MiB
		{16 << 20, 200},           // 16 → 48
		{24 << 20, 100},           // 24 → 48
		{32<<20 - 1, gcPercent},   // 32 MiB less a byte: 50%, rounded down
		{32 << 20, gcPercent},     // 32 × 1.5 = 48: the floor and gcPercent meet
		{200 << 20, gcPercent},    // a large heap: as before
	}
	for _, tt := range tests {
		if got := scanPercentFor(tt.live); got != tt.want {
			t.Errorf("scanPercentFor(%d MiB) = %d, want %d", tt.live>>20, got, tt.want)
		}
		if goal := tt.live + tt.live*uint64(scanPercentFor(tt.live))/100; tt.live > 5<<20 && goal < scanHeapFloor-1<<20 {
			t.Errorf("live %d MiB: goal %d MiB, below the floor", tt.live>>20, goal>>20)
		}
	}
}
