package app

import (
	"context"
	"runtime"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"mxaudit/analysis/scan"
	"mxaudit/model"
)

// listerGoroutines are the goroutines of a lister or an output stage
// still running.
func listerGoroutines() string {
	buf := make([]byte, 1<<20)
	buf = buf[:runtime.Stack(buf, true)]
	var out []string
	for _, g := range strings.Split(string(buf), "\n\n") {
		if strings.Contains(g, "readKeptRows") || strings.Contains(g, "startOutput") || strings.Contains(g, "emitMessage") {
			out = append(out, g)
		}
	}
	return strings.Join(out, "\n\n")
}

// TestScanRowsCancelledLeavesNothing (from the concurrency review): a scan after a change, cancelled at
// the k-th message (or from progress before any), returns, emits
// nothing after it returned, leaves no lister or stage goroutine, and
// hands no list to keep; the next scan lists the whole quarantine.
func TestScanRowsCancelledLeavesNothing(t *testing.T) {
	a, dir, cfg := keptQuarantine(t, Options{})
	untilRows(t, a)
	deliverCopy(t, dir, "1000000000.M1P1.delivered")
	want := len(freshScan(t, dir, cfg))
	for _, at := range []int{-1, 0, 1, 3, want - 1} {
		ctx, cancel := context.WithCancel(context.Background())
		var returned atomic.Bool
		n := 0
		keep, err := a.ScanRows(ctx, func(m model.Message, r *model.Row) error {
			if returned.Load() {
				t.Errorf("cancel at %d: emit after ScanRows returned", at)
			}
			if r == nil || r.ID() != m.ID {
				t.Errorf("cancel at %d: %s came with row %v", at, m.ID, r)
			}
			if n == at {
				cancel()
			}
			n++
			if ctx.Err() != nil {
				return ctx.Err() // as the console's send does
			}
			return nil
		}, func(*model.Row) error { return nil }, nil, func(scan.Progress) {
			if at < 0 {
				cancel()
			}
		})
		returned.Store(true)
		cancel()
		if err == nil || keep != nil {
			t.Errorf("cancel at %d: err %v, keep %v after %d messages", at, err, keep != nil, n)
		}
		deadline := time.Now().Add(2 * time.Second)
		for listerGoroutines() != "" && time.Now().Before(deadline) {
			time.Sleep(10 * time.Millisecond)
		}
		if g := listerGoroutines(); g != "" {
			t.Fatalf("cancel at %d: still running:\n%s", at, g)
		}
	}
	s := scanRows(t, a)
	if len(s.rows)+len(s.msgs) != want {
		t.Fatalf("after the cancelled scans: %d rows and %d messages, want %d", len(s.rows), len(s.msgs), want)
	}
}
