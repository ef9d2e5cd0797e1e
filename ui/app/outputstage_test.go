package app

import (
	"context"
	"errors"
	"fmt"
	"testing"

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
