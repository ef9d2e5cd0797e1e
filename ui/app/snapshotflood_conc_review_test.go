package app

import (
	"context"
	"io"
	"runtime"
	"sync/atomic"
	"testing"
	"time"

	"mxaudit/analysis/ppap"
	"mxaudit/analysis/scan"
	"mxaudit/mailsrc"
	"mxaudit/model"
	"mxaudit/model/store"
)

// cancellingSource cancels the check's context at its nth Open.
type cancellingSource struct {
	mailsrc.Source
	n      int64
	opens  atomic.Int64
	cancel context.CancelFunc
}

func (s *cancellingSource) Open(ctx context.Context, id model.MessageID) (io.ReadCloser, error) {
	if s.opens.Add(1) == s.n {
		s.cancel()
	}
	return s.Source.Open(ctx, id)
}

// floodEntries lists h's Maildir into held entries, with the count of
// those listed before the new mail (first new ID).
func floodEntries(t *testing.T, a *App, firstNew model.MessageID) (*heldEntries, int) {
	t.Helper()
	entries := newHeldEntries(0)
	from := -1
	if err := a.src.List(context.Background(), func(e mailsrc.Entry) error {
		if from < 0 && e.ID >= firstNew {
			from = entries.len()
		}
		entries.add(e)
		return nil
	}); err != nil {
		t.Fatal(err)
	}
	if from < 0 {
		t.Fatal("no new mail listed")
	}
	return entries, from
}

// settle waits for the goroutine count to come back to at most base.
func settle(base int) int {
	deadline := time.Now().Add(2 * time.Second)
	for runtime.NumGoroutine() > base && time.Now().Before(deadline) {
		time.Sleep(5 * time.Millisecond)
	}
	return runtime.NumGoroutine()
}

// TestCheckFloodStopsCleanly: checkFlood cancelled midway (ctx), or
// meeting an entry it cannot key (no stamp) midway, reports failure and
// leaves no goroutine behind; the feeder never blocks on a worker that
// stopped receiving.
func TestCheckFloodStopsCleanly(t *testing.T) {
	h := newHeldBack(t, nil)
	h.deliverNewsFrom(t, 1999990000, 200)
	entries, from := floodEntries(t, h.a, "1999990000")
	if entries.len()-from != 200 {
		t.Fatalf("%d new entries", entries.len()-from)
	}
	pc := ppap.Config{}
	f := floodCheck{marks: ppap.NewMarks(0), an: h.a.pairingAnalyzer(pc)}

	t.Run("cancelled", func(t *testing.T) {
		c := cacheOf(t, h.dir, h.cfg)
		defer c.Close()
		base := runtime.NumGoroutine()
		ctx, cancel := context.WithCancel(context.Background())
		defer cancel()
		orig := h.a.src
		src := &cancellingSource{Source: orig, n: 20, cancel: cancel}
		h.a.src = src
		defer func() { h.a.src = orig }()
		_, _, ok := checkFlood(ctx, h.a, c, entries, from, f, scan.Options{Workers: 4})
		if ok {
			t.Fatal("a cancelled check reported success")
		}
		if n := src.opens.Load(); n >= 200 {
			t.Errorf("the check went on after the cancel: %d opens", n)
		}
		if n := settle(base); n > base {
			t.Errorf("%d goroutines left behind", n-base)
		}
	})
	t.Run("unkeyed entry", func(t *testing.T) {
		c := cacheOf(t, h.dir, h.cfg)
		defer c.Close()
		broken := newHeldEntries(0)
		for i := range entries.len() {
			e := entries.at(i)
			if i == from+50 {
				e.Stamp = ""
			}
			broken.add(e)
		}
		base := runtime.NumGoroutine()
		_, _, ok := checkFlood(context.Background(), h.a, c, broken, from, f, scan.Options{Workers: 4})
		if ok {
			t.Fatal("an entry without a stamp passed the check")
		}
		if n := settle(base); n > base {
			t.Errorf("%d goroutines left behind", n-base)
		}
	})
	t.Run("whole", func(t *testing.T) {
		c := cacheOf(t, h.dir, h.cfg)
		defer c.Close()
		refs, _, ok := checkFlood(context.Background(), h.a, c, entries, from, f, scan.Options{Workers: 8})
		if !ok {
			t.Fatal("the check failed")
		}
		if err := c.Flush(); err != nil {
			t.Fatal(err)
		}
		// Each ref read back, in turn, through one RefReader while the
		// cache is still open, names its own listed message.
		r, err := store.OpenRefs(c.Path())
		if err != nil {
			t.Fatal(err)
		}
		defer r.Close()
		for i, fr := range refs {
			m, err := r.Read(keyOf(entries.at(from+i)), fr.ref)
			if err != nil {
				t.Fatalf("ref %d: %v", i, err)
			}
			if want := entries.at(from + i); scan.AsListed(want, m).ID != want.ID || m.SHA256 == "" {
				t.Fatalf("ref %d: %q", i, m.ID)
			}
		}
	})
}
