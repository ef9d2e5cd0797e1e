package model

import (
	"strings"
	"testing"
	"time"
)

func TestAddApproveRevoke(t *testing.T) {
	p := &Policy{Approvers: []string{"sato", "tanaka"}, NextID: 5}
	tanaka := Operator{User: "tanaka", SSHClient: "192.0.2.7"}
	sato := Operator{User: "sato"}
	req := ExceptionRequest{Scope: ScopeDomain, Value: "Partner.Example.co.jp", Kinds: []ExceptionKind{"encrypted-archive", "encrypted-archive"}, Reason: " orders by ZIP "}

	e, err := p.Add(req, tanaka, testNow)
	if err != nil {
		t.Fatal(err)
	}
	if e.ID != 5 || e.Value != "partner.example.co.jp" || len(e.Kinds) != 1 || e.Reason != "orders by ZIP" ||
		e.RequestedFrom != "192.0.2.7" || !e.Expires.Equal(testNow.Add(DefaultExceptionLifetime)) {
		t.Errorf("Add = %+v", e)
	}
	if st := p.Status(p.Find(5), testNow); st != StatusPending {
		t.Errorf("new exception is %s, want pending even though the requester is an approver", st)
	}
	if _, err := p.Add(req, sato, testNow); err == nil || !strings.Contains(err.Error(), "already exists") {
		t.Errorf("duplicate Add = %v, want already exists", err)
	}

	refusals := []struct {
		name string
		op   Operator
		want string
	}{
		{"requester", tanaka, "you requested it"},
		{"not an approver", Operator{User: "suzuki"}, "not in the approvers list"},
		{"identity from $USER", Operator{User: "sato", FromEnv: true}, "$USER"},
	}
	for _, r := range refusals {
		if _, err := p.Approve(5, r.op, testNow); err == nil || !strings.Contains(err.Error(), r.want) {
			t.Errorf("Approve by %s = %v, want %q", r.name, err, r.want)
		}
	}
	if _, err := p.Approve(5, sato, testNow); err != nil {
		t.Fatalf("Approve by sato: %v", err)
	}
	if st := p.Status(p.Find(5), testNow); st != StatusActive {
		t.Errorf("approved exception is %s, want active", st)
	}
	if _, err := p.Approve(5, sato, testNow); err == nil || !strings.Contains(err.Error(), "it is active") {
		t.Errorf("second Approve = %v, want refusal", err)
	}
	if err := p.RecordHit(5, testNow.Add(time.Minute)); err != nil || p.Find(5).Hits != 1 {
		t.Errorf("RecordHit = %v, hits %d", err, p.Find(5).Hits)
	}
	if _, err := p.Revoke(5, Operator{User: "suzuki"}, "partner now uses a share link", testNow); err != nil {
		t.Fatal(err)
	}
	if st := p.Status(p.Find(5), testNow); st != StatusRevoked {
		t.Errorf("revoked exception is %s", st)
	}
	if _, err := p.Revoke(5, sato, "", testNow); err == nil {
		t.Error("second Revoke succeeded")
	}
	if _, err := p.Approve(99, sato, testNow); err == nil {
		t.Error("Approve of a missing exception succeeded")
	}
	// After revocation the same exception may be requested again, with a new ID.
	e2, err := p.Add(req, tanaka, testNow)
	if err != nil || e2.ID != 6 {
		t.Errorf("re-Add = %+v, %v; want ID 6", e2, err)
	}
	if err := p.Validate(); err != nil {
		t.Errorf("Validate: %v", err)
	}
}

func TestAddRefuses(t *testing.T) {
	op := Operator{User: "tanaka"}
	tests := []struct {
		name string
		req  ExceptionRequest
		want string
	}{
		{"no reason", ExceptionRequest{Scope: ScopeDomain, Value: "example.com", Kinds: []ExceptionKind{KindRiskyType}}, "reason is required"},
		{"no kinds", ExceptionRequest{Scope: ScopeDomain, Value: "example.com", Reason: "x"}, "at least one kind"},
		{"bad kind", ExceptionRequest{Scope: ScopeDomain, Value: "example.com", Kinds: []ExceptionKind{"all"}, Reason: "x"}, "unknown exception kind"},
		{"public suffix", ExceptionRequest{Scope: ScopeDomain, Value: "co.jp", Kinds: []ExceptionKind{KindRiskyType}, Reason: "x"}, "public suffix"},
		{"too long", ExceptionRequest{Scope: ScopeDomain, Value: "example.com", Kinds: []ExceptionKind{KindRiskyType}, Reason: "x", Expires: testNow.Add(400 * 24 * time.Hour)}, "365"},
		{"past", ExceptionRequest{Scope: ScopeDomain, Value: "example.com", Kinds: []ExceptionKind{KindRiskyType}, Reason: "x", Expires: testNow.Add(-time.Hour)}, "not in the future"},
	}
	for _, tt := range tests {
		p := &Policy{}
		if _, err := p.Add(tt.req, op, testNow); err == nil || !strings.Contains(err.Error(), tt.want) {
			t.Errorf("%s: Add = %v, want %q", tt.name, err, tt.want)
		}
		if len(p.Exceptions) != 0 {
			t.Errorf("%s: a refused Add changed the policy", tt.name)
		}
	}
}

func TestValidatePolicy(t *testing.T) {
	good := activeException(1, ScopeDomain, "example.com", KindRiskyType)
	tests := []struct {
		name string
		edit func(e *Exception)
		want string
	}{
		{"ok", func(e *Exception) {}, ""},
		{"not normalised", func(e *Exception) { e.Value = "Example.com" }, "write it as"},
		{"unknown scope", func(e *Exception) { e.Scope = "sender" }, "unknown exception scope"},
		{"duplicate kind", func(e *Exception) { e.Kinds = []ExceptionKind{KindRiskyType, KindRiskyType} }, "twice"},
		{"over a year", func(e *Exception) { e.Expires = e.Created.Add(366 * 24 * time.Hour) }, "365"},
		{"no expiry", func(e *Exception) { e.Expires = time.Time{} }, "required"},
		{"no requester", func(e *Exception) { e.RequestedBy = "" }, "requested_by"},
	}
	for _, tt := range tests {
		e := good
		tt.edit(&e)
		p := &Policy{Exceptions: []Exception{good, e}}
		p.Exceptions[0].ID = 2
		err := p.Validate()
		if tt.want == "" {
			if err != nil {
				t.Errorf("%s: Validate = %v", tt.name, err)
			}
			continue
		}
		if err == nil || !strings.Contains(err.Error(), tt.want) || !strings.HasPrefix(err.Error(), "exception 1:") {
			t.Errorf("%s: Validate = %v, want exception 1: ...%q", tt.name, err, tt.want)
		}
	}
	dup := &Policy{Exceptions: []Exception{good, good}}
	if err := dup.Validate(); err == nil || !strings.Contains(err.Error(), "used twice") {
		t.Errorf("duplicate IDs: Validate = %v", err)
	}
}
