package model

import (
	"errors"
	"strings"
	"testing"
	"time"
)

func TestAuditChain(t *testing.T) {
	op := Operator{User: "tanaka", SSHClient: "192.0.2.7"}
	first := NewAuditEntry(ActionRelease, op, time.Date(2026, 11, 28, 21, 30, 0, 123, time.FixedZone("JST", 9*3600)))
	first.Source = "imaps://tanaka:hunter2@imap.example.com/Quarantine"
	first.MessageID = "42/1234"
	first.HeaderMessageID = "<a&b@example.com>"
	first.Recipients = []string{"buyer@example.jp"}
	first.ExceptionID = 12
	first.SetOutcome(nil)
	line, err := first.Chain(nil)
	if err != nil {
		t.Fatal(err)
	}
	if first.Seq != 1 || first.PrevHash != "" || len(first.Hash) != 64 {
		t.Errorf("first record: seq %d prev %q hash %q", first.Seq, first.PrevHash, first.Hash)
	}
	text := string(line)
	for _, want := range []string{`"time":"2026-11-28T12:30:00.000000123Z"`, `"header_message_id":"<a&b@example.com>"`, `"source":"imaps://tanaka@imap.example.com/Quarantine"`, `"outcome":"ok"`} {
		if !strings.Contains(text, want) {
			t.Errorf("line %s lacks %s", text, want)
		}
	}
	if strings.Contains(text, "hunter2") {
		t.Error("the password reached the audit record")
	}

	second := NewAuditEntry(ActionDelete, Operator{User: "sato", FromEnv: true}, first.Time.Add(time.Second))
	second.SetOutcome(errors.New("message not found"))
	if _, err := second.Chain(&first); err != nil {
		t.Fatal(err)
	}
	if second.Seq != 2 || second.PrevHash != first.Hash || second.Outcome != "message not found" || second.Operator != "sato (from $USER)" {
		t.Errorf("second record: %+v", second)
	}
	// Any change to a field changes the hash.
	edited := second
	edited.Outcome = OutcomeOK
	if h, _ := edited.ComputeHash(); h == second.Hash {
		t.Error("editing the outcome kept the hash")
	}
	noOutcome := NewAuditEntry(ActionDelete, op, first.Time)
	if _, err := noOutcome.Chain(&second); err == nil {
		t.Error("a record without an outcome was chained")
	}
}

func TestRedactSource(t *testing.T) {
	tests := map[string]string{
		"/var/quarantine":                          "/var/quarantine",
		"imaps://user@host/INBOX":                  "imaps://user@host/INBOX",
		"imaps://user:secret@host/INBOX":           "imaps://user@host/INBOX",
		"imaps://user:sec ret%zz@host:993/INBOX":   "imaps://user@host:993/INBOX",
		"imap://a%40b.example:p%40ss@host/Mailbox": "imap://a%40b.example@host/Mailbox",
	}
	for in, want := range tests {
		if got := RedactSource(in); got != want {
			t.Errorf("RedactSource(%q) = %q, want %q", in, got, want)
		}
	}
}

func TestMessageEntryAndNote(t *testing.T) {
	m := encryptedFrom("a@other.example.com")
	m.ID, m.MessageID = "cur/1", "<x@other.example.com>"
	p := &Policy{Approvers: []string{"sato"}}
	d := ReleaseDecision(m, p, Operator{User: "sato"}, testNow)
	e := NewMessageEntry(ActionRelease, Operator{User: "sato"}, testNow, "imaps://q:pw@imap.example.com/Q", m)
	d.Note(&e, " partner confirmed by phone ")
	if e.MessageID != "cur/1" || e.HeaderMessageID != "<x@other.example.com>" || e.Source != "imaps://q@imap.example.com/Q" ||
		e.OverrideReason != "partner confirmed by phone" || e.ExceptionID != 0 {
		t.Errorf("override entry: %+v", e)
	}
	covered := &Policy{Exceptions: []Exception{activeException(12, ScopeDomain, "other.example.com", KindEncryptedArchive)}, Approvers: []string{"sato"}}
	d = ReleaseDecision(m, covered, Operator{User: "tanaka"}, testNow)
	e = NewMessageEntry(ActionRelease, Operator{User: "tanaka"}, testNow, "/q", m)
	d.Note(&e, "ignored")
	if e.ExceptionID != 12 || e.OverrideReason != "" {
		t.Errorf("exception entry: %+v", e)
	}
}
