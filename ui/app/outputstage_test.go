package app

import (
	"context"
	"errors"
	"fmt"
	"runtime"
	"sync/atomic"
	"testing"
	"time"

	"mxaudit/analysis/scan"
	"mxaudit/model"
)

// TestOutputStageEmitsInOrder: every message taken is emitted, in the
// order taken, by the time close returns.
func TestOutputStageEmitsInOrder(t *testing.T) {
	var got []model.MessageID
	s := startOutput(func(m model.Message) error { got = append(got, m.ID); return nil })
	const n = 10 * outputDepth
	for i := range n {
		if err := s.take(model.Message{ID: model.MessageID(fmt.Sprint(i))}); err != nil {
			t.Fatal(err)
		}
	}
	if err := s.close(); err != nil {
		t.Fatal(err)
	}
	if len(got) != n {
		t.Fatalf("%d emitted of %d", len(got), n)
	}
	for i, id := range got {
		if id != model.MessageID(fmt.Sprint(i)) {
			t.Fatalf("emitted %s at %d", id, i)
		}
	}
}

// TestOutputStageStopsAtAFailure: once emit fails, nothing more is
// emitted, a take soon returns the failure (as the scan's emit would),
// and close returns it.
func TestOutputStageStopsAtAFailure(t *testing.T) {
	boom := errors.New("stdout closed")
	emitted := 0
	s := startOutput(func(m model.Message) error {
		emitted++
		if m.ID == "3" {
			return boom
		}
		return nil
	})
	var takeErr error
	for i := 0; i < 100*outputDepth && takeErr == nil; i++ {
		takeErr = s.take(model.Message{ID: model.MessageID(fmt.Sprint(i))})
	}
	if !errors.Is(takeErr, boom) {
		t.Fatalf("take went on after the failure: %v", takeErr)
	}
	if err := s.close(); !errors.Is(err, boom) {
		t.Fatalf("close = %v, want the failure", err)
	}
	if emitted != 4 {
		t.Fatalf("%d emitted, want 4 (up to the failure)", emitted)
	}
}

// TestEncodedScanStopsWhenItsOutputFails: a JSON scan paired through the
// stream, whose output (run by the stage) fails, returns that failure —
// part way, and at the very last message, which only the stage's close
// sees — emits nothing after it, and records no snapshot: the next scan
// pairs through the stream again. One whose output holds records one,
// which the scan after it replays.
func TestEncodedScanStopsWhenItsOutputFails(t *testing.T) {
	dir := snapshotQuarantine(t)
	cfg := Config{}
	cfg.Offline = true
	boom := errors.New("stdout closed")
	scanEncoded := func(cacheDir string, failAt int) (int, bool, error) {
		t.Helper()
		c := cfg
		c.CacheDir = cacheDir
		a, err := Open(context.Background(), dir, c, Options{})
		if err != nil {
			t.Fatal(err)
		}
		defer a.Close()
		n := 0
		err = a.ScanEncoded(context.Background(), func(model.Message) error {
			n++
			if n == failAt {
				return boom
			}
			return nil
		}, nil)
		return n, a.ScanReplayed(), err
	}
	total, _, err := scanEncoded(t.TempDir(), 0)
	if err != nil {
		t.Fatal(err)
	}
	for _, failAt := range []int{25, total} {
		cache := t.TempDir()
		n, _, err := scanEncoded(cache, failAt)
		if !errors.Is(err, boom) {
			t.Fatalf("output failing at %d of %d: %v, want its failure", failAt, total, err)
		}
		if n != failAt {
			t.Fatalf("output failing at %d: %d messages emitted, the last the one that failed", failAt, n)
		}
		if _, replayed, err := scanEncoded(cache, 0); err != nil || replayed {
			t.Fatalf("after a failed scan: replayed %v, %v; want a scan through the stream", replayed, err)
		}
		if _, replayed, err := scanEncoded(cache, 0); err != nil || !replayed {
			t.Fatalf("after a whole scan: replayed %v, %v; want its snapshot replayed", replayed, err)
		}
	}
}

// TestOutputStagePanicSurfacesInClose: a panic in emit stops the stage
// as a failure does, and close panics with it again, on the caller's
// goroutine.
func TestOutputStagePanicSurfacesInClose(t *testing.T) {
	emitted := 0
	s := startOutput(func(m model.Message) error {
		if m.ID == "2" {
			panic("writer broke")
		}
		emitted++
		return nil
	})
	var takeErr error
	for i := 0; i < 100*outputDepth && takeErr == nil; i++ {
		takeErr = s.take(model.Message{ID: model.MessageID(fmt.Sprint(i))})
	}
	if takeErr == nil {
		t.Fatal("take went on after emit panicked")
	}
	defer func() {
		if r := recover(); r != "writer broke" {
			t.Fatalf("close recovered %v, want emit's panic", r)
		}
		if emitted != 2 {
			t.Fatalf("%d emitted, want 2 (before the panic)", emitted)
		}
	}()
	s.close()
	t.Fatal("close returned after emit panicked")
}

// TestOutputStageAbandonDropsTheRest: abandon, for a caller unwinding a
// panic, drops what waits and returns once the stage has stopped; close
// and abandon again do nothing more.
func TestOutputStageAbandonDropsTheRest(t *testing.T) {
	first := make(chan struct{})
	emitted := 0
	s := startOutput(func(m model.Message) error {
		if m.ID == "0" {
			<-first // the output is slow on the first
		}
		emitted++
		return nil
	})
	for i := range 10 {
		if err := s.take(model.Message{ID: model.MessageID(fmt.Sprint(i))}); err != nil {
			t.Fatal(err)
		}
	}
	go func() {
		// The output goes on only once abandon has marked the stage
		// failed: what waits is then dropped, whatever the scheduler does.
		for s.failed() == nil {
			runtime.Gosched()
		}
		close(first)
	}()
	s.abandon()
	if emitted > 1 {
		t.Fatalf("%d emitted after abandon, want at most the one under way", emitted)
	}
	s.abandon()
	if err := s.close(); !errors.Is(err, errOutputAbandoned) {
		t.Fatalf("close after abandon = %v", err)
	}
}

// TestEncodedScanLeavesNothingEmitting: a JSON scan through the stream
// whose progress panics (or whose context is cancelled while the stage
// still writes) emits nothing after it returns: a panic leaves no stage
// behind, a cancel is reported.
func TestEncodedScanLeavesNothingEmitting(t *testing.T) {
	dir := snapshotQuarantine(t)
	cfg := Config{}
	cfg.Offline = true
	open := func() *App {
		t.Helper()
		c := cfg
		c.CacheDir = t.TempDir()
		a, err := Open(context.Background(), dir, c, Options{})
		if err != nil {
			t.Fatal(err)
		}
		t.Cleanup(func() { a.Close() })
		return a
	}
	var returned, late atomic.Bool
	slow := func(model.Message) error {
		time.Sleep(200 * time.Microsecond)
		if returned.Load() {
			late.Store(true)
		}
		return nil
	}
	func() {
		defer func() {
			if r := recover(); r != "progress broke" {
				t.Fatalf("recovered %v", r)
			}
		}()
		open().ScanEncoded(context.Background(), slow, func(p scan.Progress) {
			if p.Analysed == 20 {
				panic("progress broke")
			}
		})
	}()
	returned.Store(true)
	time.Sleep(100 * time.Millisecond)
	if late.Load() {
		t.Fatal("the stage emitted after the scan panicked out")
	}

	returned.Store(false)
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	n := 0
	err := open().ScanEncoded(ctx, func(m model.Message) error {
		if n++; n == 200 { // near the end: the listing and the stream are done
			cancel()
		}
		return slow(m)
	}, nil)
	returned.Store(true)
	if !errors.Is(err, context.Canceled) {
		t.Fatalf("cancelled while the stage wrote: %v, want context.Canceled", err)
	}
	time.Sleep(100 * time.Millisecond)
	if late.Load() {
		t.Fatal("the stage emitted after the cancelled scan returned")
	}
}
