package model

import (
	"strings"
	"testing"
	"time"
)

// TestIdentityMarks: an identity taken from $USER is stored with its
// mark in the policy as in the audit log, counts as the same person as
// the unmarked name, and never as an approver.
func TestIdentityMarks(t *testing.T) {
	now := time.Date(2026, 12, 1, 9, 0, 0, 0, time.UTC)
	fromEnv := CurrentOperator(func(k string) string {
		return map[string]string{"USER": "sato", "SSH_CONNECTION": "192.0.2.7 52114 198.51.100.1 22"}[k]
	}, "")
	if !fromEnv.FromEnv || fromEnv.Identity() != "sato (from $USER)" {
		t.Fatalf("operator %+v, identity %q", fromEnv, fromEnv.Identity())
	}
	if s := fromEnv.String(); !strings.Contains(s, "SSH 192.0.2.7, reported by the environment") || !strings.Contains(s, "(from $USER)") {
		t.Errorf("String() = %q", s)
	}
	if e := NewAuditEntry(ActionExceptionAdd, fromEnv, now); e.Operator != "sato (from $USER)" {
		t.Errorf("audit operator %q", e.Operator)
	}
	p := &Policy{Approvers: []string{"sato", "suzuki"}}
	e, err := p.Add(ExceptionRequest{Scope: ScopeDomain, Value: "partner.example.co.jp", Kinds: []ExceptionKind{KindEncryptedArchive}, Reason: "orders"}, fromEnv, now)
	if err != nil {
		t.Fatal(err)
	}
	if e.RequestedBy != "sato (from $USER)" {
		t.Errorf("requested_by %q, want the mark", e.RequestedBy)
	}
	tests := []struct {
		a, b string
		same bool
	}{
		{"sato (from $USER)", "sato", true},
		{"Sato", "sato", true},
		{"sato", "suzuki", false},
	}
	for _, tt := range tests {
		if got := SameUser(tt.a, tt.b); got != tt.same {
			t.Errorf("SameUser(%q, %q) = %v", tt.a, tt.b, got)
		}
	}
	// The real sato may not approve what "sato (from $USER)" asked for.
	if _, err := p.Approve(e.ID, Operator{User: "sato"}, now); err == nil {
		t.Error("sato approved a request made in sato's name from $USER")
	}
	if IsApprover("sato (from $USER)", p.Approvers) {
		t.Error("a marked name counts as an approver")
	}
}
