package action

import (
	"context"
	"errors"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"syscall"
	"testing"
	"time"

	"mxaudit/mailsrc/demo"
	"mxaudit/model"
)

// tearLog appends half a record to the audit log, as a crash mid-write
// or a hand edit would leave it.
func tearLog(t *testing.T, path string) {
	t.Helper()
	f, err := os.OpenFile(path, os.O_WRONLY|os.O_APPEND, 0)
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	if _, err := f.WriteString(`{"seq":99,"time":"2027-01-`); err != nil {
		t.Fatal(err)
	}
}

// TestAuditFailsClosed: no release delivers, and no delete or purge
// stays done, without its audit record.
func TestAuditFailsClosed(t *testing.T) {
	tests := []struct {
		name string
		kind Kind
		// breakAt is the action step after which the log is torn ("" to
		// tear it before the run).
		breakAt string
		// wantDone counts the messages (of three) that end up delivered or
		// deleted.
		wantDone int
	}{
		{"release, log torn before the run", Release, "", 0},
		{"release, log torn after the first delivery", Release, "delivered", 1},
		{"delete, log torn before the run", Delete, "", 0},
		{"delete, log torn between the move and its record: undone", Delete, "trashed", 0},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			f := newFixture(t, demo.FormatGzip, pick(3, clean))
			sink := newSMTPSink(t)
			s := f.service(nil, "tanaka", sink.Addr)
			ctx := context.Background()
			p, err := s.Plan(ctx, Request{Kind: tt.kind, IDs: f.ids}, f.messages(f.ids...))
			if err != nil {
				t.Fatal(err)
			}
			if tt.breakAt == "" {
				tearLog(t, f.auditPath)
			} else {
				torn := false
				s.cfg.hooks = &hooks{step: func(name string) error {
					if name == tt.breakAt && !torn {
						torn = true
						tearLog(t, f.auditPath)
					}
					return nil
				}}
			}
			results := s.Execute(ctx, p, nil)
			done := len(sink.Deliveries())
			if tt.kind == Delete {
				done = 0
				for _, id := range f.ids {
					if !f.present(id) {
						done++
					}
				}
			}
			if done != tt.wantDone {
				t.Errorf("%d of 3 messages acted on, want %d", done, tt.wantDone)
			}
			for i, r := range results[tt.wantDone:] {
				if r.Err == nil || !errors.Is(r.Err, errAuditDown) && !strings.Contains(r.Outcome, "audit") {
					t.Errorf("result %d: %q, want an audit log failure", tt.wantDone+i, r.Outcome)
				}
			}
		})
	}
}

// fullDisk mounts a small tmpfs, fills it, and returns a path on it for
// the audit log (created, empty, before the disk filled up). It skips the
// test where mounting is not allowed (not root, no CAP_SYS_ADMIN).
func fullDisk(t *testing.T) string {
	t.Helper()
	dir := filepath.Join(t.TempDir(), "full")
	if err := os.Mkdir(dir, 0o700); err != nil {
		t.Fatal(err)
	}
	if out, err := exec.Command("mount", "-t", "tmpfs", "-o", "size=64k", "tmpfs", dir).CombinedOutput(); err != nil {
		t.Skipf("SKIP: cannot mount a tmpfs to fill up (needs root): %v %s", err, out)
	}
	t.Cleanup(func() { exec.Command("umount", dir).Run() })
	path := filepath.Join(dir, "audit.jsonl")
	if err := os.WriteFile(path, nil, 0o600); err != nil {
		t.Fatal(err)
	}
	filler, err := os.Create(filepath.Join(dir, "filler"))
	if err != nil {
		t.Fatal(err)
	}
	defer filler.Close()
	chunk := make([]byte, 4096)
	for {
		if _, err := filler.Write(chunk); err != nil {
			if !errors.Is(err, syscall.ENOSPC) {
				t.Fatal(err)
			}
			break
		}
	}
	return path
}

// TestAuditDiskFull: on a full disk the audit log passes the check
// before the run (it is whole), but the first intent record cannot be
// written: nothing is delivered, deleted or purged.
func TestAuditDiskFull(t *testing.T) {
	for _, kind := range []string{"release", "delete", "purge"} {
		t.Run(kind, func(t *testing.T) {
			f := newFixture(t, demo.FormatGzip, pick(3, clean))
			sink := newSMTPSink(t)
			ctx := context.Background()
			if kind == "purge" {
				old := f.service(nil, "tanaka", "")
				old.cfg.Now = func() time.Time { return time.Now().Add(-40 * 24 * time.Hour) }
				p, _ := old.Plan(ctx, Request{Kind: Delete, IDs: f.ids}, f.messages(f.ids...))
				old.Execute(ctx, p, nil)
			}
			f.auditPath = fullDisk(t)
			s := f.service(nil, "tanaka", sink.Addr)
			var results []Result
			switch kind {
			case "purge":
				var err error
				results, err = s.Purge(ctx, 30*24*time.Hour, nil)
				if err == nil {
					t.Error("the purge reported no error")
				}
				if n := countFiles(t, filepath.Join(f.dir, ".trash")); n != 3 {
					t.Errorf("%d of 3 messages left in the trash", n)
				}
			default:
				k := Release
				if kind == "delete" {
					k = Delete
				}
				p, err := s.Plan(ctx, Request{Kind: k, IDs: f.ids}, f.messages(f.ids...))
				if err != nil {
					t.Fatal(err)
				}
				results = s.Execute(ctx, p, nil)
				for _, id := range f.ids {
					if !f.present(id) {
						t.Errorf("%s left the quarantine", id)
					}
				}
			}
			if n := len(sink.Deliveries()); n != 0 {
				t.Errorf("%d messages delivered with a full audit log", n)
			}
			for i, r := range results {
				if !errors.Is(r.Err, syscall.ENOSPC) && !errors.Is(r.Err, errAuditDown) {
					t.Errorf("result %d: %q", i, r.Outcome)
				}
			}
			if b, _ := os.ReadFile(f.auditPath); len(b) != 0 {
				t.Errorf("a partial record was left in the log: %q", b)
			}
		})
	}
}

// TestIntentBeforeOutcome: every action's outcome record follows an
// intent record for the same message.
func TestIntentBeforeOutcome(t *testing.T) {
	f := newFixture(t, demo.FormatMaildir, pick(2, clean))
	sink := newSMTPSink(t)
	s := f.service(nil, "tanaka", sink.Addr)
	ctx := context.Background()
	p, _ := s.Plan(ctx, Request{Kind: Release, IDs: f.ids[:1]}, f.messages(f.ids[0]))
	s.Execute(ctx, p, nil)
	p, _ = s.Plan(ctx, Request{Kind: Delete, IDs: f.ids[1:]}, f.messages(f.ids[1]))
	s.Execute(ctx, p, nil)
	all := f.auditAll()
	if len(all) != 4 {
		t.Fatalf("%d records, want 4", len(all))
	}
	for i := 0; i < 4; i += 2 {
		intent, outcome := all[i], all[i+1]
		if intent.Outcome != model.OutcomeStarted || outcome.Outcome != model.OutcomeOK ||
			intent.MessageID != outcome.MessageID || intent.Action != outcome.Action || intent.SHA256 != outcome.SHA256 {
			t.Errorf("records %d, %d: %+v / %+v", i, i+1, intent, outcome)
		}
	}
}
