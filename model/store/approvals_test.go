package store

import (
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"testing"
	"time"

	"mxaudit/model"
)

// approvedPolicy adds exception 1 as tanaka and approves it as sato
// through ChangePolicy, as the CLI and the console do, and returns the
// store and the paths.
func approvedPolicy(t *testing.T) (*PolicyStore, string, string) {
	t.Helper()
	dir := t.TempDir()
	path, auditPath := filepath.Join(dir, "policy.toml"), filepath.Join(dir, "audit.jsonl")
	s := NewPolicyStore(path, auditPath, []string{"sato", "suzuki"})
	add := model.NewAuditEntry(model.ActionExceptionAdd, tanaka, testNow)
	if _, err := ChangePolicy(s, auditPath, &add, func(p *model.Policy) error {
		_, err := p.Add(addRequest("partner.example.co.jp"), tanaka, testNow)
		return err
	}); err != nil {
		t.Fatal(err)
	}
	approve := model.NewAuditEntry(model.ActionExceptionApprove, sato, testNow)
	approve.ExceptionID = 1
	if _, err := ChangePolicy(s, auditPath, &approve, func(p *model.Policy) error {
		_, err := p.Approve(1, sato, testNow)
		return err
	}); err != nil {
		t.Fatal(err)
	}
	return s, path, auditPath
}

// TestApprovalsBoundToAudit: only an approval whose audit record is in
// the log applies; a hand-edited one is unverified and says why, and
// dates in the future are invalid.
func TestApprovalsBoundToAudit(t *testing.T) {
	record := regexp.MustCompile(`(?m)^approval_record = "(\d+):([0-9a-f]{64})"\n`)
	tests := []struct {
		name   string
		edit   func(policy string) string
		status model.ExceptionStatus
		why    string
	}{
		{"approved through mxaudit", func(s string) string { return s }, model.StatusActive, ""},
		{"approval typed by hand (no record)", func(s string) string { return record.ReplaceAllString(s, "") }, model.StatusUnverified, "no approval_record"},
		{"bound to a record that is not in the log", func(s string) string {
			return record.ReplaceAllString(s, `approval_record = "9:$2"`+"\n")
		}, model.StatusUnverified, "record 9 is not in the log"},
		{"bound to another record (the add)", func(s string) string {
			return record.ReplaceAllString(s, `approval_record = "1:$2"`+"\n")
		}, model.StatusUnverified, "hash differs"},
		{"approver changed by hand", func(s string) string {
			return strings.Replace(s, `approved_by = "sato"`, `approved_by = "suzuki"`, 1)
		}, model.StatusUnverified, "says sato approved"},
		{"exception id changed by hand", func(s string) string {
			return strings.Replace(strings.Replace(s, "id = 1\n", "id = 7\n", 1), "next_id = 2", "next_id = 8", 1)
		}, model.StatusUnverified, "not the approval of exception 7"},
		// The approval vouches for the exception as it was: widening it
		// by hand afterwards (more kinds, another domain, a later expiry)
		// unbinds it.
		{"kinds widened by hand", func(s string) string {
			return regexp.MustCompile(`kinds = \[[^\]]*\]`).ReplaceAllString(s, `kinds = ["encrypted-archive", "dmarc-fail", "risky-type"]`)
		}, model.StatusUnverified, "differs from what audit record"},
		{"domain changed by hand", func(s string) string {
			return strings.Replace(s, `"partner.example.co.jp"`, `"bank.example.co.jp"`, 1)
		}, model.StatusUnverified, "differs from what audit record"},
		{"expiry moved by hand", func(s string) string {
			return regexp.MustCompile(`expires = \S+`).ReplaceAllString(s, "expires = 2027-05-01T00:00:00Z")
		}, model.StatusUnverified, "differs from what audit record"},
		{"created in the future", func(s string) string {
			// A future creation date would stretch the 365-day cap.
			s = regexp.MustCompile(`expires = \S+`).ReplaceAllString(s, "expires = 2028-05-01T00:00:00Z")
			return strings.Replace(s, "created = 2026-11-28T12:00:00Z", "created = 2027-06-01T00:00:00Z", 1)
		}, model.StatusInvalid, "created 2027-06-01T00:00:00Z is in the future"},
		{"approved in the future", func(s string) string {
			return strings.Replace(s, "approved = 2026-11-28T12:00:00Z", "approved = 2026-12-28T12:00:00Z", 1)
		}, model.StatusInvalid, "approved 2026-12-28T12:00:00Z is in the future"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			s, path, _ := approvedPolicy(t)
			b, err := os.ReadFile(path)
			if err != nil {
				t.Fatal(err)
			}
			if !record.Match(b) {
				t.Fatalf("no approval_record in the policy:\n%s", b)
			}
			if err := os.WriteFile(path, []byte(tt.edit(string(b))), 0o600); err != nil {
				t.Fatal(err)
			}
			p, err := s.Load()
			if err != nil {
				t.Fatal(err)
			}
			e := &p.Exceptions[0]
			now := testNow.Add(time.Hour)
			if st := p.Status(e, now); st != tt.status {
				t.Errorf("status %s, want %s (%s)", st, tt.status, e.Why(now, p.Approvers))
			}
			if why := e.Why(now, p.Approvers); !strings.Contains(why, tt.why) || (tt.why == "") != (why == "") {
				t.Errorf("why %q, want %q", why, tt.why)
			}
			if tt.status != model.StatusActive && len(p.Active(now)) != 0 {
				t.Error("a hand-edited approval applies")
			}
		})
	}
}

// TestApprovalWithoutAuditLog: a store that has no audit log to check
// against leaves every approval unverified.
func TestApprovalWithoutAuditLog(t *testing.T) {
	_, path, _ := approvedPolicy(t)
	p, err := LoadPolicy(path, "", []string{"sato"})
	if err != nil {
		t.Fatal(err)
	}
	if st := p.Status(&p.Exceptions[0], testNow.Add(time.Hour)); st != model.StatusUnverified {
		t.Errorf("status %s without an audit log, want unverified", st)
	}
}

// TestRevocationOutlivesHandEdit: an exception revoked through mxaudit
// stays revoked when the revocation is taken out of the policy file by
// hand: its approval record is older than the revocation in the log, so
// the approval is unverified, and approving again does not bring the old
// record back.
func TestRevocationOutlivesHandEdit(t *testing.T) {
	s, path, auditPath := approvedPolicy(t)
	revoke := model.NewAuditEntry(model.ActionExceptionRevoke, sato, testNow)
	revoke.ExceptionID = 1
	if _, err := ChangePolicy(s, auditPath, &revoke, func(p *model.Policy) error {
		_, err := p.Revoke(1, sato, "partner stopped sending ZIPs", testNow)
		return err
	}); err != nil {
		t.Fatal(err)
	}
	b, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	unrevoked := regexp.MustCompile(`(?m)^revoke\w* = .*\n`).ReplaceAllString(string(b), "")
	if unrevoked == string(b) {
		t.Fatalf("no revocation lines to remove in:\n%s", b)
	}
	if err := os.WriteFile(path, []byte(unrevoked), 0o600); err != nil {
		t.Fatal(err)
	}
	p, err := s.Load()
	if err != nil {
		t.Fatal(err)
	}
	now := testNow.Add(time.Hour)
	e := &p.Exceptions[0]
	if !e.Revoked.IsZero() {
		t.Fatalf("the edit left the revocation in place:\n%s", unrevoked)
	}
	if st := p.Status(e, now); st != model.StatusUnverified {
		t.Errorf("status %s after the revocation was edited out, want unverified", st)
	}
	if why := e.Why(now, p.Approvers); !strings.Contains(why, "revoked exception 1 after its approval") {
		t.Errorf("why %q", why)
	}
	if len(p.Active(now)) != 0 {
		t.Error("a revoked exception applies again after a hand edit")
	}

	// Approving again must not rebind the approval made before the
	// revocation: the lines are there, no record after the revocation
	// proves them, so approve refuses.
	again := model.NewAuditEntry(model.ActionExceptionApprove, model.Operator{User: "suzuki"}, now)
	again.ExceptionID = 1
	if _, err := ChangePolicy(s, auditPath, &again, func(p *model.Policy) error {
		_, err := p.Approve(1, model.Operator{User: "suzuki"}, now)
		return err
	}); err == nil {
		p, _ := s.Load()
		if len(p.Active(now)) != 0 {
			t.Error("approving again brought back the approval made before the revocation")
		}
	}
}
