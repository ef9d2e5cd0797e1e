package cli

import (
	"bytes"
	"context"
	"encoding/json"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"mxaudit/model"
	"mxaudit/model/store"
)

// policyTestEnv is a temporary XDG home with a configuration naming two
// approvers, and the paths the commands should use by default.
type policyTestEnv struct {
	t                     *testing.T
	vars                  map[string]string
	policyPath, auditPath string
}

func newPolicyTestEnv(t *testing.T) *policyTestEnv {
	t.Helper()
	home := t.TempDir()
	pe := &policyTestEnv{t: t, vars: map[string]string{
		"HOME":            home,
		"XDG_CONFIG_HOME": filepath.Join(home, "config"),
		"XDG_STATE_HOME":  filepath.Join(home, "state"),
		"SSH_CONNECTION":  "192.0.2.7 52114 198.51.100.1 22",
	}}
	pe.policyPath = filepath.Join(home, "config", "mxaudit", "policy.toml")
	pe.auditPath = filepath.Join(home, "state", "mxaudit", "audit.jsonl")
	cfg := filepath.Join(home, "config", "mxaudit", "config.toml")
	if err := os.MkdirAll(filepath.Dir(cfg), 0o700); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(cfg, []byte("approvers = [\"sato\", \"suzuki\", \"tanaka\"]\n"), 0o600); err != nil {
		t.Fatal(err)
	}
	saved := lookupOSUser
	t.Cleanup(func() { lookupOSUser = saved })
	return pe
}

// run runs one command as OS user and returns its exit status and output.
func (pe *policyTestEnv) run(user string, args ...string) (int, string, string) {
	pe.t.Helper()
	lookupOSUser = func() string { return user }
	var stdout, stderr bytes.Buffer
	env := Env{Stdout: &stdout, Stderr: &stderr, Getenv: func(k string) string { return pe.vars[k] }}
	var code int
	switch args[0] {
	case "exception":
		code = runException(context.Background(), args[1:], env)
	case "audit":
		code = runAudit(context.Background(), args[1:], env)
	default:
		pe.t.Fatalf("unknown command %s", args[0])
	}
	return code, stdout.String(), stderr.String()
}

// expect runs a command and checks its exit status and that its output
// contains want.
func (pe *policyTestEnv) expect(wantCode int, want, user string, args ...string) string {
	pe.t.Helper()
	code, stdout, stderr := pe.run(user, args...)
	if code != wantCode || !strings.Contains(stdout+stderr, want) {
		pe.t.Errorf("%s: %v: exit %d, want %d with %q\nstdout: %s\nstderr: %s", user, args, code, wantCode, want, stdout, stderr)
	}
	return stdout
}

func TestExceptionCommands(t *testing.T) {
	pe := newPolicyTestEnv(t)
	pe.expect(ExitOK, "exception 1 requested: domain partner.example.co.jp: encrypted-archive", "tanaka",
		"exception", "add", "--domain", "Partner.Example.co.jp", "--kind", "encrypted-archive", "--reason", "orders arrive as encrypted ZIP; ticket 4711")
	pe.expect(ExitOK, "approvers: sato, suzuki", "tanaka",
		"exception", "add", "--address", "orders@supplier.example.com", "--kind", "risky-type,encrypted-archive", "--reason", "macro invoices", "--expires", "10")
	pe.expect(ExitFailed, "reason is required", "tanaka", "exception", "add", "--domain", "x.example.com", "--kind", "risky-type")
	pe.expect(ExitUsage, "must expire", "tanaka", "exception", "add", "--domain", "x.example.com", "--kind", "risky-type", "--reason", "r", "--expires", "never")
	pe.expect(ExitUsage, "exactly one of --address and --domain", "tanaka", "exception", "add", "--kind", "risky-type", "--reason", "r")
	pe.expect(ExitUsage, "unknown exception kind", "tanaka", "exception", "add", "--domain", "x.example.com", "--kind", "zip", "--reason", "r")

	pe.expect(ExitFailed, "you requested it", "tanaka", "exception", "approve", "1")
	pe.expect(ExitFailed, "not in the approvers list", "mallory", "exception", "approve", "1")
	pe.expect(ExitFailed, "no exception 9", "sato", "exception", "approve", "9")
	pe.expect(ExitUsage, "not an exception ID", "sato", "exception", "approve", "one")
	pe.expect(ExitOK, "exception 1 approved", "sato", "exception", "approve", "1")
	pe.expect(ExitOK, "exception 2 approved", "suzuki", "exception", "approve", "2")

	list := pe.expect(ExitOK, "ID", "tanaka", "exception", "list")
	for _, want := range []string{"1   active  partner.example.co.jp", "2   active  orders@supplier.example.com  risky-type,encrypted-archive"} {
		if !strings.Contains(list, want) {
			t.Errorf("list lacks %q:\n%s", want, list)
		}
	}
	expiring := pe.expect(ExitOK, "orders@supplier.example.com", "tanaka", "exception", "list", "--expiring")
	if strings.Contains(expiring, "partner.example.co.jp") {
		t.Errorf("list --expiring shows the 90-day exception:\n%s", expiring)
	}
	var rows []exceptionJSON
	if err := json.Unmarshal([]byte(pe.expect(ExitOK, "", "tanaka", "exception", "list", "--json")), &rows); err != nil || len(rows) != 2 {
		t.Fatalf("list --json: %d rows, %v", len(rows), err)
	}
	if rows[0].RequestedBy != "tanaka" || rows[0].RequestedFrom != "192.0.2.7" || rows[0].ApprovedBy != "sato" || rows[0].Status != model.StatusActive {
		t.Errorf("list --json row: %+v", rows[0])
	}

	postfix := pe.expect(ExitOK, "partner.example.co.jp\tOK\n", "tanaka", "exception", "export", "--format", "postfix")
	if !strings.Contains(postfix, "orders@supplier.example.com\tOK\n") {
		t.Errorf("postfix export:\n%s", postfix)
	}
	onlyRisky := pe.expect(ExitOK, "orders@supplier", "tanaka", "exception", "export", "--format", "postfix", "--kind", "risky-type")
	if strings.Contains(onlyRisky, "partner.example.co.jp\t") {
		t.Errorf("--kind risky-type exported the encrypted-only exception:\n%s", onlyRisky)
	}
	pe.expect(ExitOK, `/^[^@]+@partner\.example\.co\.jp$/i`, "tanaka", "exception", "export", "--format", "rspamd")
	out := filepath.Join(t.TempDir(), "mxaudit.map")
	pe.expect(ExitOK, "written to", "tanaka", "exception", "export", "--format", "rspamd", "--output", out)
	if data, err := os.ReadFile(out); err != nil || !strings.Contains(string(data), `orders@supplier\.example\.com`) {
		t.Errorf("export --output: %q, %v", data, err)
	}
	pe.expect(ExitUsage, "unknown map format", "tanaka", "exception", "export", "--format", "exim")

	pe.expect(ExitOK, "exception 1 revoked", "mallory", "exception", "revoke", "1", "--reason", "partner moved to a file share")
	pe.expect(ExitFailed, "already revoked", "sato", "exception", "revoke", "1")
	revoked := pe.expect(ExitOK, "revoked", "tanaka", "exception", "list", "--status", "revoked")
	if strings.Contains(revoked, "supplier") {
		t.Errorf("list --status revoked:\n%s", revoked)
	}
	if strings.Contains(pe.expect(ExitOK, "", "tanaka", "exception", "export", "--format", "postfix"), "partner.example.co.jp\t") {
		t.Error("a revoked exception was exported")
	}

	// Every change and every refused change is in the audit log, chained.
	entries, err := store.ReadAuditLog(pe.auditPath)
	if err != nil {
		t.Fatal(err)
	}
	var summary []string
	for _, e := range entries {
		ok := "ok"
		if e.Outcome != model.OutcomeOK {
			ok = "failed"
		}
		summary = append(summary, string(e.Action)+":"+e.Operator+":"+ok)
		if e.SSHClient != "192.0.2.7" {
			t.Errorf("record %d: ssh client %q", e.Seq, e.SSHClient)
		}
	}
	want := []string{
		"exception-add:tanaka:ok", "exception-add:tanaka:ok", "exception-add:tanaka:failed",
		"exception-approve:tanaka:failed", "exception-approve:mallory:failed", "exception-approve:sato:failed",
		"exception-approve:sato:ok", "exception-approve:suzuki:ok",
		"exception-revoke:mallory:ok", "exception-revoke:sato:failed",
	}
	if strings.Join(summary, " ") != strings.Join(want, " ") {
		t.Errorf("audit records:\n got %v\nwant %v", summary, want)
	}
	if r, err := store.VerifyAuditLog(pe.auditPath); err != nil || !r.OK() || r.Records != len(want) {
		t.Errorf("verify: %+v, %v", r, err)
	}
}

func TestExceptionFailsClosed(t *testing.T) {
	pe := newPolicyTestEnv(t)
	// An audit log that cannot be created: nothing may change.
	blocker := filepath.Join(t.TempDir(), "file")
	os.WriteFile(blocker, nil, 0o600)
	pe.expect(ExitFailed, "audit log", "tanaka", "exception", "add", "--domain", "a.example.com", "--kind", "risky-type",
		"--reason", "r", "--audit-log", filepath.Join(blocker, "audit.jsonl"))
	if _, err := os.Stat(pe.policyPath); !os.IsNotExist(err) {
		t.Errorf("the policy was written without an audit record: %v", err)
	}
	// A malformed policy is reported with its line and left alone.
	os.MkdirAll(filepath.Dir(pe.policyPath), 0o700)
	bad := "next_id = 1\nnext_id = 2\n"
	os.WriteFile(pe.policyPath, []byte(bad), 0o600)
	pe.expect(ExitFailed, "line 2", "tanaka", "exception", "list")
	pe.expect(ExitFailed, "line 2", "tanaka", "exception", "add", "--domain", "a.example.com", "--kind", "risky-type", "--reason", "r")
	if data, _ := os.ReadFile(pe.policyPath); string(data) != bad {
		t.Errorf("malformed policy overwritten:\n%s", data)
	}
}
