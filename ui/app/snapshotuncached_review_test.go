package app

import (
	"context"
	"errors"
	"fmt"
	"io"
	"testing"
	"time"

	"mxaudit/mailsrc"
	"mxaudit/model"
)

// TestReviewUncachedInertClosesWindow: the same hazard as
// TestReviewExtendUnreadableNewMail without any extension: a full
// pairing scan (the snapshot recorder) during which a mail without a
// sender cannot be read takes it as an undated error, and records it as
// uncached ("inert"); once readable, its date would have closed the ZIP
// mail's window before its password mail came, yet the snapshot replays.
func TestReviewUncachedInertClosesWindow(t *testing.T) {
	h := newHeldBack(t, nil)
	zd := h.zipDate(t)
	const x = "1999980000.M1P1.nofrom"
	h.deliverWithoutSender(t, x, zd.Add(72*time.Hour))
	for i := range 10 {
		deliverNewsDated(t, h.dir, fmt.Sprintf("%d.M1P1.news", 1999990000+i), zd)
	}
	h.passwordComes(t)
	want := h.zipIn(t, freshScan(t, h.dir, h.cfg))
	// A full pairing scan on a cache of its own, x unreadable.
	cfg := h.cfg
	cfg.CacheDir = t.TempDir()
	scan := func(fail bool) ([]model.Message, bool) {
		a, err := Open(t.Context(), h.dir, cfg, Options{})
		if err != nil {
			t.Fatal(err)
		}
		defer a.Close()
		if fail {
			a.src = &failOpen{Source: a.src, fail: map[model.MessageID]bool{x: true}}
		}
		var got []model.Message
		if err := a.Scan(t.Context(), func(m model.Message) error { got = append(got, m); return nil }, nil); err != nil {
			t.Fatal(err)
		}
		return got, a.ScanReplayed()
	}
	during, _ := scan(true)
	z := h.zipIn(t, during)
	t.Logf("x unreadable: ZIP mail opened by %q; without cache, x readable: %q", opened(&z), opened(&want))
	got, replayed := scan(false)
	if z := h.zipIn(t, got); !sameJSON(t, z, want) {
		t.Fatalf("x readable again: the scan (replayed %v) shows the ZIP mail opened by %q, a scan without cache by %q",
			replayed, opened(&z), opened(&want))
	}
}

// failOpen is a source whose Open fails for the IDs in fail.
type failOpen struct {
	mailsrc.Source
	fail map[model.MessageID]bool
}

func (f *failOpen) Open(ctx context.Context, id model.MessageID) (io.ReadCloser, error) {
	if f.fail[id] {
		return nil, errors.New("input/output error")
	}
	return f.Source.Open(ctx, id)
}
