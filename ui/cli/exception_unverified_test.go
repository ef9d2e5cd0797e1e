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
