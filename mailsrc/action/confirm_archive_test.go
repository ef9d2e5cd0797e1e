package action

import (
	"context"
	"os"
	"path/filepath"
	"testing"
	"time"

	"mxaudit/mailsrc/demo"
)

// TestConfirmSurvivesArchiveFailure: a confirmed delivery whose filing-away
// fails (the released area cannot be created) is still recorded as
// confirmed, so "resend unconfirmed" later does not deliver it again.
// (Found in review: the confirmation was only staged, never written.)
func TestConfirmSurvivesArchiveFailure(t *testing.T) {
	f := newFixture(t, demo.FormatMaildir, pick(1, clean))
	sink := newSMTPSink(t)
	s := f.service(nil, "tanaka", sink.Addr)
	ctx := context.Background()
	// .released exists (state dir) but its cur/ is not a folder.
	if err := os.MkdirAll(filepath.Join(f.dir, ".released", ".state"), 0o750); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(filepath.Join(f.dir, ".released", "cur"), []byte("x"), 0o600); err != nil {
		t.Fatal(err)
	}
	id := f.ids[0]
	p, err := s.Plan(ctx, Request{Kind: Release, IDs: f.ids}, f.messages(id))
	if err != nil || p.Blocked != 0 {
		t.Fatalf("plan %v %+v", err, p)
	}
	r := s.Execute(ctx, p, nil)
	t.Logf("first run: %s", r[0].Outcome)
	if n := len(sink.Deliveries()); n != 1 {
		t.Fatalf("%d deliveries", n)
	}
	// fix the area, come back later with --resend-unconfirmed
	os.Remove(filepath.Join(f.dir, ".released", "cur"))
	later := time.Now().Add(time.Hour)
	s.cfg.Now = func() time.Time { return later }
	p2, err := s.Plan(ctx, Request{Kind: Release, IDs: f.ids, ResendUnconfirmed: true}, f.messages(id))
	if err != nil {
		t.Fatal(err)
	}
	t.Logf("second plan: blocked=%d %q warnings=%q", p2.Blocked, p2.Items[0].Blocked, p2.Items[0].Warnings)
	s.Execute(ctx, p2, nil)
	if n := len(sink.Deliveries()); n != 1 {
		t.Errorf("confirmed release delivered %d times", n)
	}
}
