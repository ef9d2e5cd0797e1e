package cli

import (
	"runtime/debug"
	"testing"
)

func TestGCPercentFor(t *testing.T) {
	const floor = 40 << 20 // any floor: the rule is relative
	tests := []struct {
		live      uint64
		analysing bool
		want      int
	}{
		{0, true, 100},                // nothing measured yet: the default
		{1 << 20, true, 1000},         // 1 MiB live: capped
		{4 << 20, true, 900},          // 4 MiB may grow to 40
		{10 << 20, true, 300},         // 10 MiB may grow to 40
		{10 << 20, false, 100},        // not analysing: the default for a small heap
		{(20 << 20) - 1, true, 100},   // just under half the floor: 100, never less
		{20 << 20, true, 100},         // half the floor: grows by half the floor
		{20 << 20, false, 100},        // the same when not analysing
		{40 << 20, true, 50},          // twice that: grows by 20 MiB, not 40
		{80 << 20, false, 25},         // grows by a quarter of itself
		{200 << 20, true, 25},         // never by less
		{(40 << 20) / 11, true, 1000}, // the cap, exactly
	}
	for _, tt := range tests {
		got := gcPercentFor(tt.live, floor, tt.analysing)
		if got != tt.want {
			t.Errorf("gcPercentFor(%d, %v) = %d, want %d", tt.live, tt.analysing, got, tt.want)
		}
		if got < minLargePercent || got > maxGCPercent {
			t.Errorf("gcPercentFor(%d, %v) = %d, outside [%d, %d]", tt.live, tt.analysing, got, minLargePercent, maxGCPercent)
		}
		// The heap's next goal never shrinks as the live heap grows
		// (but for the integer target's rounding, under 1%).
		if tt.live > 0 {
			next := gcPercentFor(tt.live+1<<20, floor, tt.analysing)
			if goal, nextGoal := tt.live*uint64(100+got)/100, (tt.live+1<<20)*uint64(100+next)/100; nextGoal < goal-goal/100 {
				t.Errorf("live %d → goal %d, but %d more → %d", tt.live, goal, 1<<20, nextGoal)
			}
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
