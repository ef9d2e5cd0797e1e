package cli

import (
	"bytes"
	"context"
	"encoding/json"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"mxaudit/mailsrc/action/smtptest"
	"mxaudit/mailsrc/demo"
	"mxaudit/model"
	"mxaudit/model/store"
)

// actionTestEnv is a temporary XDG home whose configuration names the
// approvers, the relay and the home domain, and a demo quarantine.
type actionTestEnv struct {
	t         *testing.T
	vars      map[string]string
	quar      string
	auditPath string
	sink      *smtptest.Sink
	// terminal plays a terminal on stdin when set.
	terminal bool
}

func newActionTestEnv(t *testing.T, samples []demo.Sample) *actionTestEnv {
	home := t.TempDir()
	ae := &actionTestEnv{t: t, sink: smtptest.Start(t), quar: filepath.Join(home, "quarantine"), vars: map[string]string{
		"HOME":            home,
		"XDG_CONFIG_HOME": filepath.Join(home, "config"),
		"XDG_STATE_HOME":  filepath.Join(home, "state"),
	}}
	ae.auditPath = filepath.Join(home, "state", "mxaudit", "audit.jsonl")
	cfg := filepath.Join(home, "config", "mxaudit", "config.toml")
	os.MkdirAll(filepath.Dir(cfg), 0o700)
	conf := "approvers = [\"sato\"]\nrelay = \"" + ae.sink.Addr + "\"\nhome_domains = [\"sakura-shoji.example\"]\noffline = true\n"
	if err := os.WriteFile(cfg, []byte(conf), 0o600); err != nil {
		t.Fatal(err)
	}
	if err := demo.WriteMaildir(ae.quar, samples); err != nil {
		t.Fatal(err)
	}
	savedUser, savedTerm := lookupOSUser, stdinIsTerminal
	t.Cleanup(func() { lookupOSUser, stdinIsTerminal = savedUser, savedTerm })
	return ae
}

// run runs a command as user with stdin and returns its status and output.
func (ae *actionTestEnv) run(user, stdin string, args ...string) (int, string) {
	ae.t.Helper()
	lookupOSUser = func() string { return user }
	stdinIsTerminal = func(Env) bool { return ae.terminal }
	var out bytes.Buffer
	env := Env{Stdin: strings.NewReader(stdin), Stdout: &out, Stderr: &out, Getenv: func(k string) string { return ae.vars[k] }}
	ctx := context.Background()
	var code int
	switch args[0] {
	case "release":
		code = runRelease(ctx, args[1:], env)
	case "delete":
		code = runDelete(ctx, args[1:], env)
	case "purge":
		code = runPurge(ctx, args[1:], env)
	case "scan":
		code = runScan(ctx, args[1:], env)
	default:
		ae.t.Fatalf("command %s", args[0])
	}
	return code, out.String()
}

func (ae *actionTestEnv) expect(wantCode int, want, user, stdin string, args ...string) string {
	ae.t.Helper()
	code, out := ae.run(user, stdin, args...)
	if code != wantCode || !strings.Contains(out, want) {
		ae.t.Errorf("%s %v: exit %d, want %d with %q\n%s", user, args, code, wantCode, want, out)
	}
	return out
}

// scanIDs returns the IDs "mxaudit scan --json" prints, by verdict.
func (ae *actionTestEnv) scanIDs() map[model.AttachmentVerdict][]string {
	code, out := ae.run("tanaka", "", "scan", "--json", "--offline", ae.quar)
	if code != ExitOK {
		ae.t.Fatalf("scan: %d\n%s", code, out)
	}
	ids := map[model.AttachmentVerdict][]string{}
	for line := range strings.SplitSeq(strings.TrimSpace(out), "\n") {
		var m model.Message
		if err := json.Unmarshal([]byte(line), &m); err != nil {
			continue // a warning line
		}
		ids[m.Verdict.Attachment] = append(ids[m.Verdict.Attachment], string(m.ID))
	}
	return ids
}

// audit returns the outcome records of the audit log (without the intent
// records written before each action).
func (ae *actionTestEnv) audit() []model.AuditEntry {
	entries, err := store.ReadAuditLog(ae.auditPath)
	if err != nil {
		ae.t.Fatal(err)
	}
	var out []model.AuditEntry
	for _, e := range entries {
		if e.Outcome != model.OutcomeStarted {
			out = append(out, e)
		}
	}
	return out
}

func cleanOrEncrypted(s demo.Sample) bool {
	return !s.Want.Malformed && s.Want.FromCount == 1 && len(s.Want.Risks) == 0 &&
		(s.Want.Attachment == model.AttachmentClean || s.Want.Attachment == model.AttachmentEncrypted)
}

func pickSamples(n int, keep func(demo.Sample) bool) []demo.Sample {
	var out []demo.Sample
	for _, s := range demo.Samples(demo.Options{}) {
		if len(out) < n && keep(s) {
			out = append(out, s)
		}
	}
	return out
}

func TestReleaseCommand(t *testing.T) {
	ae := newActionTestEnv(t, pickSamples(12, cleanOrEncrypted))
	ids := ae.scanIDs()
	clean, enc := ids[model.AttachmentClean], ids[model.AttachmentEncrypted]
	if len(clean) < 3 || len(enc) < 1 {
		t.Fatalf("demo mix: %d clean, %d encrypted", len(clean), len(enc))
	}
	release := func(args ...string) []string { return append([]string{"release", ae.quar}, args...) }

	// No terminal and no --yes: the plan is shown, nothing is done.
	ae.expect(ExitUsage, "not on a terminal: nothing done", "tanaka", "", release(clean[0], clean[1])...)
	// A terminal, and the operator does not type yes.
	ae.terminal = true
	ae.expect(ExitFailed, "not confirmed", "tanaka", "y\n", release(clean[0], clean[1])...)
	if len(ae.sink.Deliveries()) != 0 || len(ae.audit()) != 0 {
		t.Fatalf("something was done without confirmation")
	}
	// Typed yes.
	out := ae.expect(ExitOK, "release 2 messages to ", "tanaka", "yes\n", release(clean[0], clean[1])...)
	if !strings.Contains(out, "Type yes to release 2 messages") || !strings.Contains(out, clean[0]+": ok") || len(ae.sink.Deliveries()) != 2 {
		t.Errorf("typed yes:\n%s", out)
	}
	ae.terminal = false
	// Scripts: --yes. The same message again is "already released".
	ae.expect(ExitFailed, clean[0]+": already released by tanaka at ", "sato", "", release(clean[0], "--yes")...)
	ae.expect(ExitOK, clean[2]+": ok", "tanaka", "", release(clean[2], "--yes", "--copy-to", "audit@sakura-shoji.example")...)
	if len(ae.sink.Deliveries()) != 3 || !strings.Contains(strings.Join(ae.sink.Deliveries()[2].Rcpts, ","), "audit@sakura-shoji.example") {
		t.Errorf("copy not sent: %v", ae.sink.Deliveries())
	}
	// The rules: an encrypted archive needs an exception or an override.
	ae.expect(ExitFailed, "refused: it needs an exception for encrypted-archive", "tanaka", "", release(enc[0], "--yes", "--override-reason", "ticket 1")...)
	ae.expect(ExitFailed, "need an approver's override", "sato", "", release(enc[0], "--yes")...)
	ae.expect(ExitOK, enc[0]+": ok", "sato", "", release(enc[0], "--yes", "--override-reason", "CEO's order, ticket 4711")...)

	records := ae.audit()
	if len(records) != 7 {
		t.Fatalf("%d audit records, want 7", len(records))
	}
	last := records[len(records)-1]
	if last.Operator != "sato" || last.OverrideReason != "CEO's order, ticket 4711" || last.Outcome != "ok" || last.Source != ae.quar {
		t.Errorf("override record: %+v", last)
	}
	if rep, err := store.VerifyAuditLog(ae.auditPath); err != nil || !rep.OK() {
		t.Errorf("audit log: %v %+v", err, rep)
	}
}

func TestReleaseCommandUsage(t *testing.T) {
	ae := newActionTestEnv(t, pickSamples(1, cleanOrEncrypted))
	for _, tt := range []struct {
		want string
		args []string
	}{
		{"name the messages", []string{"release", ae.quar}},
		{"name the quarantine", []string{"delete"}},
		{"not both", []string{"delete", ae.quar, "x", "--all"}},
		{"exclude each other", []string{"release", ae.quar, "x", "--relay", "a:25", "--deliver-maildir", "/tmp/x"}},
		{"--older-than is required", []string{"purge", ae.quar}},
		{"at least a minute", []string{"purge", ae.quar, "--older-than", "0"}},
		{"want N days", []string{"purge", ae.quar, "--older-than", "soon"}},
	} {
		ae.expect(ExitUsage, tt.want, "tanaka", "", tt.args...)
	}
	// A mistyped ID: nothing to confirm, recorded as failed.
	ae.expect(ExitFailed, "no-such-id: not in the quarantine (any more)", "tanaka", "", "release", ae.quar, "no-such-id")
	// A chosen recipient that is not an address never reaches SMTP.
	ae.expect(ExitFailed, "contains '>'", "tanaka", "", "release", ae.quar, "x", "--yes", "--to", "a@b>\r\nRCPT TO:<evil@x")
}

func TestDeleteAndPurgeCommands(t *testing.T) {
	ae := newActionTestEnv(t, pickSamples(3, cleanOrEncrypted))
	ids := ae.scanIDs()
	all := append(ids[model.AttachmentClean], ids[model.AttachmentEncrypted]...)
	ae.expect(ExitOK, "delete 3 messages (to the trash", "tanaka", "", append([]string{"delete", ae.quar, "--yes"}, all...)...)
	if n := len(ae.scanIDs()); n != 0 {
		t.Errorf("%d verdict groups still listed after delete", n)
	}
	ae.expect(ExitOK, "purged 0 of 0 messages", "tanaka", "", "purge", ae.quar, "--older-than", "30d", "--yes")
	ae.expect(ExitUsage, "not on a terminal", "tanaka", "", "purge", ae.quar, "--older-than", "30d")
	// Forty days pass for the first message.
	ageState(t, ae.quar, model.MessageID(all[0]), 40*24*time.Hour)
	out := ae.expect(ExitOK, "purged 1 of 1 messages", "sato", "", "purge", ae.quar, "--older-than", "30", "--yes")
	if !strings.Contains(out, all[0]+": ok") {
		t.Errorf("purge output:\n%s", out)
	}
	records := ae.audit()
	last := records[len(records)-1]
	if last.Action != model.ActionPurge || last.MessageID != model.MessageID(all[0]) || !strings.Contains(last.Detail, "deleted by tanaka") {
		t.Errorf("purge record: %+v", last)
	}
	if n := countTrash(t, ae.quar); n != 2 {
		t.Errorf("%d messages left in the trash, want 2", n)
	}
}

// ageState moves the time a message went to the trash back by age, as
// if that much time had passed.
func ageState(t *testing.T, quar string, id model.MessageID, age time.Duration) {
	files, _ := filepath.Glob(filepath.Join(quar, ".released", ".state", "*.json"))
	for _, p := range files {
		b, err := os.ReadFile(p)
		if err != nil {
			t.Fatal(err)
		}
		var st map[string]any
		if err := json.Unmarshal(b, &st); err != nil {
			t.Fatal(err)
		}
		if st["id"] != string(id) {
			continue
		}
		st["moved_at"] = time.Now().Add(-age).UTC().Format(time.RFC3339Nano)
		b, _ = json.Marshal(st)
		if err := os.WriteFile(p, b, 0o640); err != nil {
			t.Fatal(err)
		}
		return
	}
	t.Fatalf("no state for %s", id)
}

func countTrash(t *testing.T, quar string) int {
	n := 0
	for _, sub := range []string{"cur", "new"} {
		entries, _ := os.ReadDir(filepath.Join(quar, ".trash", sub))
		n += len(entries)
	}
	return n
}
