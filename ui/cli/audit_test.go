package cli

import (
	"bytes"
	"os"
	"strings"
	"testing"
)

func TestAuditCommands(t *testing.T) {
	pe := newPolicyTestEnv(t)
	pe.expect(ExitFailed, "no such file", "tanaka", "audit", "verify")
	pe.expect(ExitOK, "SEQ", "tanaka", "audit", "show")

	pe.expect(ExitOK, "requested", "tanaka", "exception", "add", "--domain", "a.example.com", "--kind", "risky-type", "--reason", "first")
	pe.expect(ExitFailed, "control or bidi", "tanaka", "exception", "add", "--domain", "a.example.com", "--kind", "risky-type", "--reason", "r\u202eevil")
	pe.expect(ExitOK, "requested", "tanaka", "exception", "add", "--domain", "b.example.com", "--kind", "risky-type", "--reason", "second")
	pe.expect(ExitOK, "approved", "sato", "exception", "approve", "2")

	show := pe.expect(ExitOK, "exception-add", "tanaka", "audit", "show")
	for _, want := range []string{"tanaka (SSH 192.0.2.7, reported by the environment)", "exception 2; domain b.example.com: risky-type; reason: second", "sato (SSH 192.0.2.7, reported by the environment)"} {
		if !strings.Contains(show, want) {
			t.Errorf("audit show lacks %q:\n%s", want, show)
		}
	}
	if strings.ContainsRune(show, '\u202e') {
		t.Error("audit show printed a bidi override from the record")
	}
	last := pe.expect(ExitOK, `"action":"exception-approve"`, "tanaka", "audit", "show", "--json", "--last", "1")
	if strings.Count(last, "\n") != 1 {
		t.Errorf("--last 1 --json printed %d lines", strings.Count(last, "\n"))
	}
	if got := pe.expect(ExitOK, "", "tanaka", "audit", "show", "--json", "--action", "exception-add"); strings.Count(got, "\n") != 3 {
		t.Errorf("--action exception-add printed:\n%s", got)
	}

	verify := pe.expect(ExitOK, "4 record(s), chain intact", "tanaka", "audit", "verify")
	head := strings.Fields(strings.TrimPrefix(verify[strings.Index(verify, "anchor "):], "anchor "))[0]
	pe.expect(ExitOK, "chain intact", "tanaka", "audit", "verify", "--anchor", head)
	if got := pe.expect(ExitOK, head, "tanaka", "audit", "verify", "--print-anchor"); got != head+"\n" {
		t.Errorf("--print-anchor printed %q, want %q", got, head+"\n")
	}
	pe.expect(ExitUsage, "anchor", "tanaka", "audit", "verify", "--anchor", "nonsense")

	data, _ := os.ReadFile(pe.auditPath)
	lines := bytes.SplitAfter(data, []byte("\n"))
	edited := bytes.Replace(data, []byte(`"detail":"domain b.example.com`), []byte(`"detail":"domain c.example.com`), 1)
	os.WriteFile(pe.auditPath, edited, 0o600)
	pe.expect(ExitFailed, "BROKEN: line 3: record seq 3", "tanaka", "audit", "verify")
	// Cutting the last record off passes the chain but not the anchor.
	os.WriteFile(pe.auditPath, bytes.Join(lines[:3], nil), 0o600)
	pe.expect(ExitOK, "3 record(s), chain intact", "tanaka", "audit", "verify")
	pe.expect(ExitFailed, "cut off the end", "tanaka", "audit", "verify", "--anchor", head)
	pe.expect(ExitUsage, "unknown audit command", "tanaka", "audit", "rotate")
}
