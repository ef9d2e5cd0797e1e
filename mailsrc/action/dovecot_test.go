package action

import (
	"context"
	"errors"
	"path/filepath"
	"strings"
	"sync"
	"testing"

	goimap "github.com/emersion/go-imap/v2"

	"mxaudit/mailsrc"
	"mxaudit/mailsrc/imap"
	"mxaudit/mailsrc/imap/dovecottest"
	"mxaudit/model"
	"mxaudit/model/store"
)

// TestTwoOperatorsDovecot races two operators, each with their own IMAP
// connection, releasing the same messages from a real Dovecot: the
// IMAP Mover's MOVE to the release mailbox is the claim, so each message
// is moved and delivered once, and the loser is told who released it
// (from the shared audit log).
func TestTwoOperatorsDovecot(t *testing.T) {
	d := dovecottest.Start(t, dovecottest.Options{})
	samples := pick(8, clean)
	for _, s := range samples {
		d.Append("Quarantine", s.Raw)
	}
	t.Setenv(imap.PasswordEnv, dovecottest.Password)
	url := "imaps://" + dovecottest.User + "@" + d.TLSAddr + "/Quarantine"
	open := func() mailsrc.Source {
		src, err := imap.Open(context.Background(), imap.Config{URL: url, CAFile: d.CAFile, ReleaseMailbox: "Released", Logf: t.Logf})
		if err != nil {
			t.Fatal(err)
		}
		t.Cleanup(func() { src.Close() })
		return src
	}
	ctx := context.Background()
	base := t.TempDir()
	f := &fixture{t: t, dir: url, src: open(), policyPath: filepath.Join(base, "policy.toml"),
		auditPath: filepath.Join(base, "audit.jsonl"), msgs: map[model.MessageID]*model.Message{}}
	f.analyse()
	if len(f.ids) != len(samples) {
		t.Fatalf("listed %d of %d messages", len(f.ids), len(samples))
	}
	sink := newSMTPSink(t)
	users := []string{"tanaka", "sato"}
	results := make([][]Result, 2)
	var wg sync.WaitGroup
	// Both operators plan before either acts (as two consoles showing the
	// same folder do); then both execute at once.
	services := make([]*Service, len(users))
	plans := make([]Plan, len(users))
	for i, user := range users {
		services[i] = f.service(open(), user, sink.Addr)
		p, err := services[i].Plan(ctx, Request{Kind: Release, IDs: f.ids}, f.messages(f.ids...))
		if err != nil || p.Blocked != 0 {
			t.Fatalf("plan: %v %+v", err, p)
		}
		plans[i] = p
	}
	for i := range users {
		wg.Go(func() { results[i] = services[i].Execute(ctx, plans[i], nil) })
	}
	wg.Wait()
	for j, id := range f.ids {
		a, b := results[0][j], results[1][j]
		ok := 0
		for _, r := range []Result{a, b} {
			switch {
			case r.Err == nil:
				ok++
			case !errors.Is(r.Err, ErrAlreadyDone) || !strings.Contains(r.Outcome, "already released by "):
				t.Errorf("%s: unexpected outcome %q", id, r.Outcome)
			}
		}
		if ok != 1 {
			t.Errorf("%s: %d operators succeeded (%q / %q), want exactly 1", id, ok, a.Outcome, b.Outcome)
		}
	}
	if n := len(sink.Deliveries()); n != len(f.ids) {
		t.Errorf("%d deliveries for %d messages", n, len(f.ids))
	}
	// The quarantine is empty, the release mailbox holds each message once.
	check := open()
	n := 0
	check.List(ctx, func(mailsrc.Entry) error { n++; return nil })
	if n != 0 {
		t.Errorf("%d messages left in the quarantine", n)
	}
	released := 0
	c := d.Client()
	defer c.Close()
	if data, err := c.Status("Released", &goimap.StatusOptions{NumMessages: true}).Wait(); err == nil && data.NumMessages != nil {
		released = int(*data.NumMessages)
	}
	if released != len(f.ids) {
		t.Errorf("%d messages in Released, want %d", released, len(f.ids))
	}
	// Per message: the winner's intent record and outcome, and the
	// loser's refusal (it never got as far as an intent).
	if rep, err := store.VerifyAuditLog(f.auditPath); err != nil || !rep.OK() || rep.Records != 3*len(f.ids) {
		t.Errorf("audit log: %v %+v", err, rep)
	}
}
