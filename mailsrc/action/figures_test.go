package action

import (
	"context"
	"os"
	"testing"
	"time"

	"mxaudit/mailsrc/demo"
)

// TestFiguresRelease measures releasing 1,000 bulk demo messages from a
// Maildir to an in-process SMTP server on loopback, and deleting 1,000:
// every message with its audit record (fsynced), its release state
// (fsynced) and its move. Run with MXAUDIT_FIGURES=1.
func TestFiguresRelease(t *testing.T) {
	if os.Getenv("MXAUDIT_FIGURES") != "1" {
		t.Skip("figures only with MXAUDIT_FIGURES=1")
	}
	const n = 1000
	var samples []demo.Sample
	if err := demo.Bulk(n*3/2, 1, func(s demo.Sample) error {
		if len(samples) < n && clean(s) {
			samples = append(samples, s)
		}
		return nil
	}); err != nil {
		t.Fatal(err)
	}
	for _, kind := range []Kind{Release, Delete} {
		f := newFixture(t, demo.FormatMaildir, samples)
		sink := newSMTPSink(t)
		s := f.service(nil, "tanaka", sink.Addr)
		ctx := context.Background()
		start := time.Now()
		p, err := s.Plan(ctx, Request{Kind: kind, IDs: f.ids}, f.messages(f.ids...))
		if err != nil {
			t.Fatal(err)
		}
		planned := time.Since(start)
		failed := 0
		for _, r := range s.Execute(ctx, p, nil) {
			if r.Err != nil {
				failed++
			}
		}
		total := time.Since(start)
		t.Logf("%s %d messages: plan %v, execute %v (%.0f messages/s), %d failed, %d deliveries; %s",
			kind, len(f.ids), planned.Round(time.Millisecond), (total - planned).Round(time.Millisecond),
			float64(len(f.ids))/(total-planned).Seconds(), failed, len(sink.Deliveries()), p.Summary)
		if failed != 0 {
			t.Errorf("%d failed", failed)
		}
	}
}
