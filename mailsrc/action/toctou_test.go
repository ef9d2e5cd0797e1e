package action

import (
	"context"
	"errors"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"mxaudit/mailsrc/demo"
	"mxaudit/model"
)

// TestSwappedFileRefused: a clean message is planned for release, then
// its file is replaced by an encrypted-archive mail before the operator
// confirms: the release is refused, nothing is delivered, and the record
// names both digests.
func TestSwappedFileRefused(t *testing.T) {
	tests := []struct {
		name   string
		format demo.Format
		swap   bool
		// hashless drops the analysis's digest, as a result from an older
		// cache would lack it: the plan's own digest must still catch the
		// swap.
		hashless bool
	}{
		{"unchanged file is released", demo.FormatGzip, false, false},
		{"swapped file (gzip directory)", demo.FormatGzip, true, false},
		{"swapped file (Maildir)", demo.FormatMaildir, true, false},
		{"swapped file, analysis without a digest", demo.FormatGzip, true, true},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			f := newFixture(t, tt.format, append(pick(1, clean), pick(1, encrypted)...))
			cleanID := f.ids[0]
			if f.msgs[cleanID].Verdict.Attachment != "clean" {
				cleanID = f.ids[1]
			}
			if f.msgs[cleanID].SHA256 == "" {
				t.Fatal("the analysis recorded no SHA-256")
			}
			if tt.hashless {
				f.msgs[cleanID].SHA256 = ""
			}
			sink := newSMTPSink(t)
			s := f.service(nil, "tanaka", sink.Addr)
			ctx := context.Background()
			p, err := s.Plan(ctx, Request{Kind: Release, IDs: []model.MessageID{cleanID}}, f.messages(cleanID))
			if err != nil || p.Blocked != 0 {
				t.Fatalf("plan: %v %+v", err, p)
			}
			if tt.swap {
				swapIn(t, f, cleanID)
			}
			r := s.Execute(ctx, p, nil)[0]
			if !tt.swap {
				if r.Err != nil || len(sink.Deliveries()) != 1 {
					t.Fatalf("unchanged file: %q, %d deliveries", r.Outcome, len(sink.Deliveries()))
				}
				return
			}
			if !errors.Is(r.Err, ErrRefused) || !strings.Contains(r.Outcome, "changed since it was analysed") {
				t.Errorf("outcome %q, want a refusal", r.Outcome)
			}
			if n := len(sink.Deliveries()); n != 0 {
				t.Errorf("%d deliveries of a swapped file", n)
			}
			rec := f.audit()[0]
			if rec.SHA256 != digest(f.raw(cleanID)) || !strings.Contains(rec.Detail, "analysed SHA-256 "+p.Items[0].SHA256) {
				t.Errorf("record %+v does not name the delivered and the analysed digest", rec)
			}
		})
	}
}

// swapIn replaces message id's file with another message of the fixture
// (an encrypted-archive mail), keeping its name.
func swapIn(t *testing.T, f *fixture, id model.MessageID) {
	t.Helper()
	var target, other string
	filepath.WalkDir(f.dir, func(path string, d os.DirEntry, err error) error {
		if err != nil || d.IsDir() {
			return err
		}
		if strings.Contains(path, string(id)) || strings.Contains(string(id), filepath.Base(path)) {
			target = path
		} else if !strings.Contains(path, "/.") {
			other = path
		}
		return nil
	})
	if target == "" || other == "" {
		t.Fatalf("files of %s and of the other message not found under %s", id, f.dir)
	}
	b, err := os.ReadFile(other)
	if err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(target, b, 0o600); err != nil {
		t.Fatal(err)
	}
}

// TestSwappedDuringDelivery: the file is replaced after the checks under
// the lock, just before the delivery reads it: the streamed bytes do not
// hash to the checked digest, the delivery is aborted before it completes
// (no final dot for SMTP, no rename into new/ for a Maildir), and the
// message can be released again.
func TestSwappedDuringDelivery(t *testing.T) {
	for _, target := range []string{"smtp", "maildir"} {
		t.Run(target, func(t *testing.T) {
			f := newFixture(t, demo.FormatGzip, append(pick(1, clean), pick(1, encrypted)...))
			cleanID := f.ids[0]
			if f.msgs[cleanID].Verdict.Attachment != "clean" {
				cleanID = f.ids[1]
			}
			sink := newSMTPSink(t)
			s := f.service(nil, "tanaka", sink.Addr)
			out := filepath.Join(t.TempDir(), "delivered")
			if target == "maildir" {
				s.cfg.Relay, s.cfg.DeliverMaildir = "", out
			}
			ctx := context.Background()
			p, err := s.Plan(ctx, Request{Kind: Release, IDs: []model.MessageID{cleanID}}, f.messages(cleanID))
			if err != nil || p.Blocked != 0 {
				t.Fatalf("plan: %v %+v", err, p)
			}
			s.cfg.hooks = &hooks{step: func(name string) error {
				if name == "intent" {
					swapIn(t, f, cleanID)
				}
				return nil
			}}
			r := s.Execute(ctx, p, nil)[0]
			if !errors.Is(r.Err, errChanged) {
				t.Errorf("outcome %q, want the change detected", r.Outcome)
			}
			if n := len(sink.Deliveries()); n != 0 {
				t.Errorf("%d SMTP deliveries", n)
			}
			if entries, _ := os.ReadDir(filepath.Join(out, "new")); len(entries) != 0 {
				t.Errorf("%d messages in the delivery Maildir", len(entries))
			}
			if !f.present(cleanID) {
				t.Error("the message left the quarantine")
			}
		})
	}
}
