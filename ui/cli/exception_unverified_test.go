package cli

import (
	"os"
	"regexp"
	"strings"
	"testing"
)

// TestExceptionListUnverified: an approval typed into the policy file by
// hand is listed as unverified, with the reason, and does not apply.
func TestExceptionListUnverified(t *testing.T) {
	pe := newPolicyTestEnv(t)
	if code, _, errOut := pe.run("tanaka", "exception", "add", "--domain", "partner.example.co.jp", "--kind", "encrypted-archive", "--reason", "orders"); code != 0 {
		t.Fatalf("add: %s", errOut)
	}
	if code, _, errOut := pe.run("sato", "exception", "approve", "1"); code != 0 {
		t.Fatalf("approve: %s", errOut)
	}
	if _, out, _ := pe.run("sato", "exception", "list"); !strings.Contains(out, "active") || strings.Contains(out, "unverified") {
		t.Fatalf("approved through mxaudit:\n%s", out)
	}
	b, err := os.ReadFile(pe.policyPath)
	if err != nil {
		t.Fatal(err)
	}
	b = regexp.MustCompile(`(?m)^approval_record = .*\n`).ReplaceAll(b, nil)
	if err := os.WriteFile(pe.policyPath, b, 0o600); err != nil {
		t.Fatal(err)
	}
	_, out, _ := pe.run("sato", "exception", "list")
	if !strings.Contains(out, "unverified") || !strings.Contains(out, "exception 1 is unverified: no approval_record") {
		t.Errorf("hand-edited approval:\n%s", out)
	}
	_, out, _ = pe.run("sato", "exception", "list", "--json")
	if !strings.Contains(out, `"status": "unverified"`) || !strings.Contains(out, `"why": "no approval_record`) {
		t.Errorf("JSON:\n%s", out)
	}
}

// TestExceptionApproveRecovers: an approval whose audit record was
// written but whose policy write was lost (the approval lines are not in
// the file) is pending; "exception approve" binds the recorded approval
// and says so, and "exception list" shows it active, by its approver.
func TestExceptionApproveRecovers(t *testing.T) {
	pe := newPolicyTestEnv(t)
	if code, _, errOut := pe.run("tanaka", "exception", "add", "--domain", "partner.example.co.jp", "--kind", "encrypted-archive", "--reason", "orders"); code != 0 {
		t.Fatalf("add: %s", errOut)
	}
	before, err := os.ReadFile(pe.policyPath)
	if err != nil {
		t.Fatal(err)
	}
	if code, _, errOut := pe.run("sato", "exception", "approve", "1"); code != 0 {
		t.Fatalf("approve: %s", errOut)
	}
	// The policy as it was before the approval's single write: lost.
	if err := os.WriteFile(pe.policyPath, before, 0o600); err != nil {
		t.Fatal(err)
	}
	if _, out, _ := pe.run("sato", "exception", "list"); !strings.Contains(out, "pending") {
		t.Fatalf("after the lost write:\n%s", out)
	}
	code, out, errOut := pe.run("suzuki", "exception", "approve", "1")
	if code != 0 || !strings.Contains(out, "recovered from audit record 2") || !strings.Contains(out, "exception 1 approved") {
		t.Fatalf("approve again: %d %q %q", code, out, errOut)
	}
	if _, out, _ := pe.run("sato", "exception", "list"); !strings.Contains(out, "active") || !strings.Contains(out, "sato") {
		t.Errorf("after the recovery:\n%s", out)
	}
}
