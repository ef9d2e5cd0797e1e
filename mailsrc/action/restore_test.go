package action

import (
	"context"
	"path/filepath"
	"testing"

	"mxaudit/mailsrc/demo"
	"mxaudit/model"
)

// TestRestoreFromTrash: a deleted message comes back from the trash to
// the quarantine, recorded as a restore; restoring it again says it is
// not in the trash; a delete after the restore works again.
func TestRestoreFromTrash(t *testing.T) {
	for _, format := range []demo.Format{demo.FormatMaildir, demo.FormatEML} {
		f := newFixture(t, format, pick(2, clean))
		s := f.service(nil, "tanaka", "")
		ctx := context.Background()
		p, err := s.Plan(ctx, Request{Kind: Delete, IDs: f.ids}, f.messages(f.ids...))
		if err != nil {
			t.Fatal(err)
		}
		s.Execute(ctx, p, nil)
		if f.present(f.ids[0]) {
			t.Fatal("the delete left the message")
		}
		rs := s.Restore(ctx, f.ids[:1])
		if rs[0].Err != nil || !f.present(f.ids[0]) || f.present(f.ids[1]) {
			t.Fatalf("restore: %q, present %v/%v", rs[0].Outcome, f.present(f.ids[0]), f.present(f.ids[1]))
		}
		if n := countFiles(t, filepath.Join(f.dir, ".trash")); n != 1 {
			t.Errorf("%d files left in .trash, want 1", n)
		}
		if r := s.Restore(ctx, f.ids[:1])[0]; r.Err == nil {
			t.Error("a second restore succeeded")
		}
		log := f.audit()
		if last := log[len(log)-2]; last.Action != model.ActionRestore || last.Outcome != model.OutcomeOK || len(last.SHA256) != 64 {
			t.Errorf("the restore record: %+v", last)
		}
		p, _ = s.Plan(ctx, Request{Kind: Delete, IDs: f.ids[:1]}, f.messages(f.ids[:1]...))
		if r := s.Execute(ctx, p, nil)[0]; r.Err != nil {
			t.Errorf("a delete after the restore: %q", r.Outcome)
		}
	}
}
