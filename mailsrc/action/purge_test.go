package action

import (
	"context"
	"strings"
	"testing"
	"time"

	"mxaudit/mailsrc/demo"
	"mxaudit/model"
)

// TestPurge deletes two messages forty days ago and one today: a purge of
// what is older than 30 days removes the two, records each, and keeps the
// third.
func TestPurge(t *testing.T) {
	f := newFixture(t, demo.FormatGzip, pick(3, clean))
	ctx := context.Background()
	old := f.service(nil, "tanaka", "")
	old.cfg.Now = func() time.Time { return time.Now().Add(-40 * 24 * time.Hour) }
	p, _ := old.Plan(ctx, Request{Kind: Delete, IDs: f.ids[:2]}, f.messages(f.ids[:2]...))
	old.Execute(ctx, p, nil)
	today := f.service(nil, "tanaka", "")
	p, _ = today.Plan(ctx, Request{Kind: Delete, IDs: f.ids[2:]}, f.messages(f.ids[2:]...))
	today.Execute(ctx, p, nil)

	s := f.service(nil, "sato", "")
	if _, err := s.Purge(ctx, 0, nil); err == nil {
		t.Error("a purge of everything at once was accepted")
	}
	var seen []Result
	results, err := s.Purge(ctx, 30*24*time.Hour, func(r Result) { seen = append(seen, r) })
	if err != nil {
		t.Fatal(err)
	}
	if len(results) != 2 || len(seen) != 2 {
		t.Fatalf("purged %+v", results)
	}
	for i, r := range results {
		if r.Err != nil || r.ID != f.ids[i] {
			t.Errorf("result %d: %+v", i, r)
		}
	}
	if n := countFiles(t, f.dir+"/.trash"); n != 1 {
		t.Errorf("%d messages left in the trash, want 1", n)
	}
	records := f.audit()
	purges := records[3:]
	if len(purges) != 2 {
		t.Fatalf("%d purge records", len(purges))
	}
	for _, e := range purges {
		if e.Action != model.ActionPurge || e.Operator != "sato" || e.Outcome != "ok" ||
			!strings.Contains(e.Detail, "older than 30 days; deleted by tanaka at ") {
			t.Errorf("purge record %+v", e)
		}
	}
	// Nothing more to purge.
	if results, err := s.Purge(ctx, 30*24*time.Hour, nil); err != nil || len(results) != 0 {
		t.Errorf("second purge: %+v, %v", results, err)
	}
}
