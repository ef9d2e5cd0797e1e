package action

import (
	"context"
	"errors"
	"fmt"
	"net"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"

	"mxaudit/mailsrc"
	"mxaudit/mailsrc/demo"
	"mxaudit/model"
)

// TestReleaseDeliversOriginalEnvelope releases clean demo messages from a
// Maildir to a real SMTP server: the envelope is the one the receiving
// MTA recorded and the data is byte for byte the quarantined message.
func TestReleaseDeliversOriginalEnvelope(t *testing.T) {
	for _, format := range []demo.Format{demo.FormatMaildir, demo.FormatGzip} {
		t.Run(string(format), func(t *testing.T) {
			f := newFixture(t, format, pick(3, clean))
			sink := newSMTPSink(t)
			s := f.service(nil, "tanaka", sink.Addr)
			ctx := context.Background()
			raws := map[model.MessageID][]byte{}
			for _, id := range f.ids {
				raws[id] = f.raw(id)
			}
			p, err := s.Plan(ctx, Request{Kind: Release, IDs: f.ids}, f.messages(f.ids...))
			if err != nil {
				t.Fatal(err)
			}
			if p.Blocked != 0 || !strings.HasPrefix(p.Summary, "release 3 messages to ") {
				t.Fatalf("plan: %+v", p)
			}
			results := s.Execute(ctx, p, nil)
			for _, r := range results {
				if r.Err != nil || r.Outcome != model.OutcomeOK {
					t.Fatalf("%s: %s", r.ID, r.Outcome)
				}
			}
			got := sink.Deliveries()
			if len(got) != 3 {
				t.Fatalf("%d deliveries, want 3", len(got))
			}
			for i, id := range f.ids {
				raw := raws[id]
				wantFrom := strings.Trim(header(raw, "Return-Path"), "<>")
				wantRcpt := header(raw, "X-Original-To")
				if got[i].From != wantFrom || !slices.Equal(got[i].Rcpts, []string{wantRcpt}) {
					t.Errorf("%s: MAIL FROM %q RCPT %q, want %q %q", id, got[i].From, got[i].Rcpts, wantFrom, wantRcpt)
				}
				if string(got[i].Data) != string(raw) {
					t.Errorf("%s: DATA differs from the quarantined message (%d vs %d bytes)", id, len(got[i].Data), len(raw))
				}
				if f.present(id) {
					t.Errorf("%s: still in the quarantine after the release", id)
				}
			}
			if n := countFiles(t, filepath.Join(f.dir, ".released")); n != 3 {
				t.Errorf("%d files in .released, want 3", n)
			}
			entries := f.audit()
			if len(entries) != 3 {
				t.Fatalf("%d audit records, want 3", len(entries))
			}
			for i, e := range entries {
				if e.Action != model.ActionRelease || e.Outcome != "ok" || e.MessageID != f.ids[i] || len(e.SHA256) != 64 ||
					!slices.Equal(e.Recipients, got[i].Rcpts) || e.Operator != "tanaka" {
					t.Errorf("audit record %d: %+v", i, e)
				}
			}
			// A second release finds them gone and names who released them.
			again := s.Execute(ctx, p, nil)
			for _, r := range again {
				if !errors.Is(r.Err, ErrAlreadyDone) || !strings.Contains(r.Outcome, "already released by tanaka at ") {
					t.Errorf("second release of %s: %v", r.ID, r.Outcome)
				}
			}
			if n := len(sink.Deliveries()); n != 3 {
				t.Errorf("%d deliveries after the second release, want still 3", n)
			}
		})
	}
}

// countFiles counts the regular files under dir that are not hidden
// (mxaudit's state and lock are).
func countFiles(t testing.TB, dir string) int {
	n := 0
	filepath.WalkDir(dir, func(p string, d os.DirEntry, err error) error {
		if err != nil {
			return nil
		}
		if d.IsDir() && strings.HasPrefix(d.Name(), ".") && p != dir {
			return filepath.SkipDir
		}
		if d.Type().IsRegular() && !strings.HasPrefix(d.Name(), ".") {
			n++
		}
		return nil
	})
	return n
}

// amavisMessage is a quarantined message as amavis writes it: the
// envelope in X-Envelope-From/-To above the MTA's Received header, and a
// forged X-Envelope-To from the sender below it that must be ignored.
func amavisMessage(rcpts ...string) []byte {
	var b strings.Builder
	fmt.Fprintf(&b, "X-Envelope-From: <bounce@partner.example.com>\r\n")
	fmt.Fprintf(&b, "X-Envelope-To: <%s>\r\n", strings.Join(rcpts, ">,\r\n <"))
	b.WriteString("X-Quarantine-ID: <AbC123>\r\nReturn-Path: <bounce@partner.example.com>\r\n")
	b.WriteString("Received: from mail.partner.example.com by mx1.sakura-shoji.example; Mon, 23 Nov 2026 09:00:00 +0900\r\n")
	b.WriteString("X-Envelope-To: <ceo@sakura-shoji.example>\r\n")
	b.WriteString("From: Partner <sales@partner.example.com>\r\nTo: team@sakura-shoji.example\r\nSubject: order\r\n")
	b.WriteString("Message-ID: <order-1@partner.example.com>\r\nDate: Mon, 23 Nov 2026 08:59:00 +0900\r\n\r\nPlease find the order.\r\n.\r\n..two dots\r\n.\r\n")
	return []byte(b.String())
}

// amavisFixture is a directory quarantine holding one amavis message to
// three recipients, one outside the home domain.
func amavisFixture(t *testing.T) (*fixture, model.MessageID) {
	f := newFixture(t, demo.FormatEML, nil)
	writeFile(t, filepath.Join(f.dir, "2026", "11", "spam-AbC123"), amavisMessage("a@sakura-shoji.example", "b@sakura-shoji.example", "c@partner.example.com"))
	f.analyse()
	return f, "2026/11/spam-AbC123"
}

// TestReleaseChosenRecipientsAndCopies releases to a chosen recipient plus
// a copy, then to the rest: nobody gets the message twice, the forged
// header adds no one, and the message leaves the quarantine only once
// every original recipient is served.
func TestReleaseChosenRecipientsAndCopies(t *testing.T) {
	f, id := amavisFixture(t)
	sink := newSMTPSink(t)
	s := f.service(nil, "tanaka", sink.Addr)
	ctx := context.Background()

	raw := f.raw(id)
	rcpts, fromHeaders, err := s.Recipients(ctx, id)
	if err != nil || fromHeaders || !slices.Equal(rcpts, []string{"a@sakura-shoji.example", "b@sakura-shoji.example", "c@partner.example.com"}) {
		t.Fatalf("Recipients = %q, %v, %v", rcpts, fromHeaders, err)
	}

	steps := []struct {
		req        Request
		summary    string
		wantRcpts  []string
		wantErr    error
		stillThere bool
	}{
		{Request{Kind: Release, IDs: []model.MessageID{id}, To: []string{"A@sakura-shoji.example", "nobody@sakura-shoji.example"}, CopyTo: []string{"audit@sakura-shoji.example"}},
			"release 1 message to 2 recipients (0 outside sakura-shoji.example)",
			[]string{"A@sakura-shoji.example", "audit@sakura-shoji.example"}, nil, true},
		{Request{Kind: Release, IDs: []model.MessageID{id}, To: []string{"a@sakura-shoji.example"}, CopyTo: []string{"Audit@sakura-shoji.example"}},
			"release 0 messages to 0 recipients (0 outside sakura-shoji.example); 1 message held back", nil, ErrAlreadyDone, true},
		{Request{Kind: Release, IDs: []model.MessageID{id}, CopyTo: []string{"audit@sakura-shoji.example"}},
			"release 1 message to 2 recipients (1 outside sakura-shoji.example)",
			[]string{"b@sakura-shoji.example", "c@partner.example.com"}, nil, false},
		{Request{Kind: Release, IDs: []model.MessageID{id}},
			"release 0 messages to 0 recipients (0 outside sakura-shoji.example); 1 message held back", nil, ErrAlreadyDone, false},
	}
	for i, st := range steps {
		before := len(sink.Deliveries())
		p, err := s.Plan(ctx, st.req, f.messages(id))
		if err != nil {
			t.Fatal(err)
		}
		if p.Summary != st.summary {
			t.Errorf("step %d: summary %q, want %q", i, p.Summary, st.summary)
		}
		r := s.Execute(ctx, p, nil)[0]
		if !errors.Is(r.Err, st.wantErr) || (st.wantErr == nil && r.Err != nil) {
			t.Fatalf("step %d: %s", i, r.Outcome)
		}
		got := sink.Deliveries()[before:]
		switch {
		case st.wantRcpts == nil && len(got) != 0:
			t.Errorf("step %d: delivered %+v", i, got)
		case st.wantRcpts != nil && (len(got) != 1 || !slices.Equal(got[0].Rcpts, st.wantRcpts) || got[0].From != "bounce@partner.example.com"):
			t.Errorf("step %d: delivered %+v, want to %q", i, got, st.wantRcpts)
		case st.wantRcpts != nil && string(got[0].Data) != string(raw):
			t.Errorf("step %d: DATA is not the quarantined message byte for byte (dot-stuffing?):\n%q", i, got[0].Data)
		}
		if f.present(id) != st.stillThere {
			t.Errorf("step %d: present = %v, want %v", i, !st.stillThere, st.stillThere)
		}
	}
	if _, err := os.Stat(filepath.Join(f.dir, ".released", "2026", "11", "spam-AbC123")); err != nil {
		t.Errorf("not in the released area: %v", err)
	}
	records := f.audit()
	if !strings.HasPrefix(records[1].Outcome, "already released to a@sakura-shoji.example, Audit@sakura-shoji.example by tanaka at ") {
		t.Errorf("second record: %s", records[1].Outcome)
	}
	if last := records[3]; !strings.HasPrefix(last.Outcome, "already released by tanaka at ") {
		t.Errorf("third record: %s", last.Outcome)
	}
}

// TestReleaseRelayDown: the release fails, is recorded as failed, the
// message stays in the quarantine and can be released once the relay is
// back; a recipient the relay refuses fails the whole message.
func TestReleaseRelayDown(t *testing.T) {
	f := newFixture(t, demo.FormatMaildir, pick(1, clean))
	id := f.ids[0]
	ctx := context.Background()
	down := f.service(nil, "tanaka", closedPort(t))
	p, err := down.Plan(ctx, Request{Kind: Release, IDs: f.ids}, f.messages(id))
	if err != nil {
		t.Fatal(err)
	}
	r := down.Execute(ctx, p, nil)[0]
	if r.Err == nil || !strings.Contains(r.Outcome, "SMTP relay") || !f.present(id) {
		t.Fatalf("relay down: %q, present %v", r.Outcome, f.present(id))
	}
	sink := newSMTPSink(t)
	sink.Refuse(header(f.raw(id), "X-Original-To"))
	refusing := f.service(nil, "tanaka", sink.Addr)
	r = refusing.Execute(ctx, p, nil)[0]
	if r.Err == nil || !strings.Contains(r.Outcome, "550") || len(sink.Deliveries()) != 0 || !f.present(id) {
		t.Fatalf("refused recipient: %q, %d deliveries", r.Outcome, len(sink.Deliveries()))
	}
	sink.Refuse("")
	if r = refusing.Execute(ctx, p, nil)[0]; r.Err != nil || len(sink.Deliveries()) != 1 || f.present(id) {
		t.Fatalf("after the relay is back: %q", r.Outcome)
	}
	entries := f.audit()
	outcomes := []string{entries[0].Outcome, entries[1].Outcome, entries[2].Outcome}
	if len(entries) != 3 || outcomes[0] == "ok" || outcomes[1] == "ok" || outcomes[2] != "ok" {
		t.Errorf("audit outcomes %q", outcomes)
	}
}

// closedPort returns a loopback address nothing listens on: a listener
// opened and closed again.
func closedPort(t *testing.T) string {
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	addr := l.Addr().String()
	l.Close()
	return addr
}

// TestPolicyRefusals: the release rules decide, the audit record says on
// what the release relied.
func TestPolicyRefusals(t *testing.T) {
	samples := pick(1, encrypted)
	if len(samples) == 0 {
		t.Fatal("no encrypted demo sample")
	}
	tests := []struct {
		name      string
		user      string
		exception bool
		reason    string
		wantErr   error
		want      string
	}{
		{"no exception", "tanaka", false, "", ErrRefused, "refused: it needs an exception for encrypted-archive"},
		{"non-approver override", "tanaka", false, "CEO asked, ticket 99", ErrRefused, "ask for an exception or for an approver"},
		{"approver without reason", "sato", false, "", ErrRefused, "as an approver you may override with a reason"},
		{"active exception", "tanaka", true, "", nil, "ok"},
		{"approver override", "sato", false, "CEO asked, ticket 99", nil, "ok"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			f := newFixture(t, demo.FormatMaildir, samples)
			id := f.ids[0]
			m := f.msgs[id]
			if !m.IsEncrypted() {
				t.Fatalf("sample %s not analysed as encrypted", id)
			}
			exID := 0
			if tt.exception {
				exID = f.addException(m, model.KindEncryptedArchive)
			}
			sink := newSMTPSink(t)
			s := f.service(nil, tt.user, sink.Addr)
			ctx := context.Background()
			p, err := s.Plan(ctx, Request{Kind: Release, IDs: f.ids, OverrideReason: tt.reason}, f.messages(id))
			if err != nil {
				t.Fatal(err)
			}
			if (p.Blocked == 1) != (tt.wantErr != nil) {
				t.Errorf("plan blocked %d: %+v", p.Blocked, p.Items[0])
			}
			if p.NeedsOverride != (tt.user == "sato" && tt.reason == "") {
				t.Errorf("NeedsOverride = %v", p.NeedsOverride)
			}
			r := s.Execute(ctx, p, nil)[0]
			if !errors.Is(r.Err, tt.wantErr) || (tt.wantErr == nil && r.Err != nil) || !strings.Contains(r.Outcome, tt.want) {
				t.Fatalf("outcome %q (%v), want %q", r.Outcome, r.Err, tt.want)
			}
			delivered := len(sink.Deliveries()) == 1
			if delivered != (tt.wantErr == nil) || f.present(id) == delivered {
				t.Errorf("delivered %v, present %v", delivered, f.present(id))
			}
			e := f.audit()[0]
			if e.ExceptionID != exID {
				t.Errorf("audit exception_id %d, want %d", e.ExceptionID, exID)
			}
			wantReason := ""
			if tt.user == "sato" && tt.wantErr == nil {
				wantReason = tt.reason
			}
			if e.OverrideReason != wantReason {
				t.Errorf("audit override_reason %q, want %q", e.OverrideReason, wantReason)
			}
			if tt.exception {
				pol, err := s.cfg.Policy.Load()
				if err != nil {
					t.Fatal(err)
				}
				if ex := pol.Find(exID); ex.Hits != 1 || ex.LastHit.IsZero() {
					t.Errorf("exception hits %d, last %v", ex.Hits, ex.LastHit)
				}
			}
		})
	}
}

// TestDeleteToTrash: a delete moves the message to .trash, recorded; a
// second delete says who deleted it.
func TestDeleteToTrash(t *testing.T) {
	f := newFixture(t, demo.FormatMaildir, pick(2, clean))
	s := f.service(nil, "tanaka", "")
	ctx := context.Background()
	p, err := s.Plan(ctx, Request{Kind: Delete, IDs: f.ids}, f.messages(f.ids...))
	if err != nil || p.Summary != "delete 2 messages (to the trash, recoverable until purged)" {
		t.Fatalf("plan %q, %v", p.Summary, err)
	}
	for _, r := range s.Execute(ctx, p, nil) {
		if r.Err != nil {
			t.Fatal(r.Outcome)
		}
	}
	if n := countFiles(t, filepath.Join(f.dir, ".trash")); n != 2 {
		t.Errorf("%d files in .trash, want 2", n)
	}
	other := f.service(f.open(), "sato", "")
	r := other.Execute(ctx, p, nil)[0]
	if !errors.Is(r.Err, ErrAlreadyDone) || !strings.HasPrefix(r.Outcome, "already deleted by tanaka at ") {
		t.Errorf("second delete: %q", r.Outcome)
	}
	for i, e := range f.audit() {
		if e.Action != model.ActionDelete || len(e.SHA256) != 64 && i < 2 {
			t.Errorf("record %d: %+v", i, e)
		}
	}
}

// TestCanRelease: a local quarantine without relay or delivery Maildir
// cannot release, and says so before anything is tried.
func TestCanRelease(t *testing.T) {
	f := newFixture(t, demo.FormatMaildir, pick(1, clean))
	s := f.service(nil, "tanaka", "")
	if err := s.CanRelease(); err == nil || !strings.Contains(err.Error(), "relay") {
		t.Fatalf("CanRelease = %v", err)
	}
	p, _ := s.Plan(context.Background(), Request{Kind: Release, IDs: f.ids}, f.messages(f.ids...))
	if r := s.Execute(context.Background(), p, nil)[0]; r.Err == nil || !f.present(f.ids[0]) {
		t.Fatalf("released without a relay: %q", r.Outcome)
	}
	mbox := filepath.Join(t.TempDir(), "q.mbox")
	if err := demo.WriteMbox(mbox, pick(1, clean)); err != nil {
		t.Fatal(err)
	}
	src, err := mailsrc.Open(mbox)
	if err != nil {
		t.Fatal(err)
	}
	defer src.Close()
	if _, err := New(Config{Source: src, Policy: s.cfg.Policy, Audit: s.cfg.Audit}); err == nil {
		t.Error("an mbox source was accepted")
	}
}
