package cli

import (
	"bytes"
	"fmt"
	"net/mail"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"mxaudit/mailsrc/action/smtptest"
	"mxaudit/mailsrc/demo"
	"mxaudit/model"
	"mxaudit/model/store"
)

// TestNotifyDemo drafts and sends notices about the demo's PPAP mail
// from partner.example.co.jp through a real SMTP server: a dry run drafts
// one notice per sender and sends nothing; sending sends the first and
// skips the second (one notice per partner per period), as does a second
// run; --force sends again; every sending is in the audit log.
func TestNotifyDemo(t *testing.T) {
	tmp := t.TempDir()
	dir := filepath.Join(tmp, "quarantine")
	samples := demo.Samples(demo.Options{})
	if err := demo.WriteMaildir(dir, samples); err != nil {
		t.Fatal(err)
	}
	var ids []string
	senders := map[string]bool{}
	for _, s := range samples {
		if s.Want.FromDomain == "partner.example.co.jp" && s.Want.Attachment == model.AttachmentEncrypted {
			ids = append(ids, s.Name)
			msg, err := mail.ReadMessage(bytes.NewReader(s.Raw))
			if err != nil {
				t.Fatal(err)
			}
			from := msg.Header.Get("From") // encoded words aside, the address is in <>
			senders[strings.ToLower(from[strings.LastIndexByte(from, '<')+1:])] = true
		}
	}
	n := len(senders)
	if n < 2 {
		t.Fatalf("%d senders of PPAP mail at partner.example.co.jp in the demo", n)
	}
	sink := smtptest.Start(t)
	audit := filepath.Join(tmp, "audit.jsonl")
	cfg := filepath.Join(tmp, "config.toml")
	conf := fmt.Sprintf(`offline = true
trusted_hosts = [%q]
relay = %q
policy_file = %q
audit_log = %q
[notify]
from = "security@sakura-shoji.example"
from_name = "IT Security"
organization = "Sakura Trading"
alternative = "our file transfer service"
[notify.contacts]
"example.co.jp" = "it@example.co.jp"
`, demoTrustedHost, sink.Addr, filepath.Join(tmp, "policy.toml"), audit)
	if err := os.WriteFile(cfg, []byte(conf), 0o600); err != nil {
		t.Fatal(err)
	}
	run := func(extra ...string) (int, string, string) {
		args := append([]string{"--config", cfg, "--no-cache", "--template", "ppap-en", dir}, ids...)
		args = append(args, extra...)
		return runSubcommand(t, runNotify, args...)
	}

	code, out, errOut := run("--dry-run")
	if code != ExitOK || !strings.Contains(out, fmt.Sprintf("--- notice %d of %d: partner example.co.jp, template ppap-en", n, n)) ||
		!strings.Contains(out, "Cc: it@example.co.jp") || strings.Count(out, "  Subject: ") != len(ids) || len(sink.Deliveries()) != 0 {
		t.Fatalf("dry run: exit %d, %d sent\n%s%s", code, len(sink.Deliveries()), out, errOut)
	}
	if code, _, errOut := run(); code != ExitUsage || !strings.Contains(errOut, "add --yes") {
		t.Errorf("no terminal, no --yes: exit %d: %s", code, errOut)
	}
	if code, out, errOut := run("--yes"); code != ExitOK || !strings.Contains(out, "sent to ") ||
		strings.Count(out, "skipped: example.co.jp was notified on") != n-1 || len(sink.Deliveries()) != 1 {
		t.Fatalf("send: exit %d, %d sent\n%s%s", code, len(sink.Deliveries()), out, errOut)
	}
	d := sink.Deliveries()[0]
	if d.From != "security@sakura-shoji.example" || len(d.Rcpts) != 2 || d.Rcpts[1] != "it@example.co.jp" ||
		!strings.Contains(string(d.Data), "We no longer accept password-protected ZIP files") {
		t.Errorf("delivery from %s to %v:\n%s", d.From, d.Rcpts, d.Data)
	}
	if code, out, _ := run("--yes"); code != ExitOK || strings.Count(out, "skipped: example.co.jp was notified on") != n || len(sink.Deliveries()) != 1 {
		t.Errorf("second notice within the period: exit %d, %d sent\n%s", code, len(sink.Deliveries()), out)
	}
	if code, _, errOut := run("--yes", "--force"); code != ExitOK || len(sink.Deliveries()) != 1+n {
		t.Errorf("--force: exit %d, %d sent: %s", code, len(sink.Deliveries()), errOut)
	}
	entries, err := store.ReadAuditLog(audit)
	if err != nil {
		t.Fatal(err)
	}
	notices := 0
	for _, e := range entries {
		if e.Action == model.ActionNotify && e.Outcome == model.OutcomeOK && strings.HasPrefix(e.Detail, "partner example.co.jp;") {
			notices++
		}
	}
	if notices != 1+n {
		t.Errorf("%d notices audited, want %d: %+v", notices, 1+n, entries)
	}
	if code, _, errOut := runSubcommand(t, runNotify, "--config", cfg, "--template", "nope", dir, ids[0]); code != ExitFailed || !strings.Contains(errOut, "not shipped") {
		t.Errorf("unknown template: exit %d: %s", code, errOut)
	}
}
