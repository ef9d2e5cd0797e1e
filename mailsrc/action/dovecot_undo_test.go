package action

import (
	"context"
	"path/filepath"
	"strings"
	"testing"

	goimap "github.com/emersion/go-imap/v2"

	"mxaudit/mailsrc"
	"mxaudit/mailsrc/imap"
	"mxaudit/mailsrc/imap/dovecottest"
	"mxaudit/model"
)

// TestIMAPDeleteUndoneDovecot: an IMAP delete (a MOVE to the trash on a
// real Dovecot) whose outcome record cannot be written — the log is torn
// between the move and the record — is undone by moving the message back
// from the trash, as a local quarantine's delete is: no delete stays done
// without its record. The message is back in the quarantine (under a new
// UID) and the trash is empty.
func TestIMAPDeleteUndoneDovecot(t *testing.T) {
	d := dovecottest.Start(t, dovecottest.Options{})
	for _, s := range pick(2, clean) {
		d.Append("Quarantine", s.Raw)
	}
	t.Setenv(imap.PasswordEnv, dovecottest.Password)
	url := "imaps://" + dovecottest.User + "@" + d.TLSAddr + "/Quarantine"
	src, err := imap.Open(context.Background(), imap.Config{URL: url, CAFile: d.CAFile, ReleaseMailbox: "Released", TrashMailbox: "Trash", Logf: t.Logf})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { src.Close() })
	base := t.TempDir()
	f := &fixture{t: t, dir: url, src: src, policyPath: filepath.Join(base, "policy.toml"),
		auditPath: filepath.Join(base, "audit.jsonl"), msgs: map[model.MessageID]*model.Message{}}
	f.analyse()
	s := f.service(nil, "tanaka", "")
	ctx := context.Background()
	p, err := s.Plan(ctx, Request{Kind: Delete, IDs: f.ids}, f.messages(f.ids...))
	if err != nil {
		t.Fatal(err)
	}
	torn := false
	s.cfg.hooks = &hooks{step: func(name string) error {
		if name == "trashed" && !torn {
			torn = true
			tearLog(t, f.auditPath)
		}
		return nil
	}}
	results := s.Execute(ctx, p, nil)
	if !torn {
		t.Fatal("the delete never reached the step after the move")
	}
	if r := results[0]; r.Err == nil || !strings.Contains(r.Outcome, "not deleted (moved back from the trash") {
		t.Errorf("first delete: %q, want it undone", r.Outcome)
	}
	count := func(mailbox string) int {
		c := d.Client()
		defer c.Close()
		data, err := c.Status(mailbox, &goimap.StatusOptions{NumMessages: true}).Wait()
		if err != nil || data.NumMessages == nil {
			t.Fatalf("STATUS %s: %v", mailbox, err)
		}
		return int(*data.NumMessages)
	}
	if q, tr := count("Quarantine"), count("Trash"); q != 2 || tr != 0 {
		t.Errorf("after the undone delete: %d in Quarantine, %d in Trash; want 2 and 0", q, tr)
	}
	n := 0
	src.List(ctx, func(mailsrc.Entry) error { n++; return nil })
	if n != 2 {
		t.Errorf("the source lists %d messages, want 2", n)
	}
}
