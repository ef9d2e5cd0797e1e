package app

import (
	"testing"
	"time"
)

// TestSettler: the memory is settled once, settleAfter after the last
// scan was seen ending, never while one runs, and once again after the
// next scan.
func TestSettler(t *testing.T) {
	t0 := time.Unix(1_800_000_000, 0)
	steps := []struct {
		after    time.Duration // since t0
		scanning bool
		settle   bool
	}{
		{0, true, false},
		{time.Second, true, false},
		{2 * time.Second, false, false}, // the scan ended
		{2*time.Second + settleAfter - time.Millisecond, false, false},
		{2*time.Second + settleAfter, false, true},
		{2*time.Second + settleAfter + time.Second, false, false}, // once
		{time.Minute, false, false},
		{time.Minute + time.Second, true, false}, // another scan
		{time.Minute + 2*time.Second, false, false},
		{time.Minute + 2*time.Second + settleAfter/2, true, false}, // and another, before settling
		{time.Minute + 3*time.Second + settleAfter, false, false},
		{time.Minute + 3*time.Second + 2*settleAfter, false, true},
	}
	var s settler
	for i, st := range steps {
		if got := s.tick(t0.Add(st.after), st.scanning); got != st.settle {
			t.Fatalf("step %d (%v, scanning %v): settle %v, want %v", i, st.after, st.scanning, got, st.settle)
		}
	}
}
