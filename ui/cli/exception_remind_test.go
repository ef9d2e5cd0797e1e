package cli

import (
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"mxaudit/mailsrc/action/smtptest"
)

// TestExceptionRemind runs the cron command "exception list --expiring
// --notify" against a real SMTP server: the exception approved (which
// runs the exception_approve hook, a real script) and expiring in five
// days is reminded to its requester and the approvers once, the second
// run within the day sends nothing.
func TestExceptionRemind(t *testing.T) {
	pe := newPolicyTestEnv(t)
	sink := smtptest.Start(t)
	dir := t.TempDir()
	hook := filepath.Join(dir, "approved.sh")
	os.WriteFile(hook, []byte("#!/bin/sh\nprintf %s \"$MXAUDIT_ACTION\" > \""+dir+"/approved.json\"\n"), 0o700)
	cfg := filepath.Join(pe.vars["XDG_CONFIG_HOME"], "mxaudit", "config.toml")
	f, _ := os.OpenFile(cfg, os.O_APPEND|os.O_WRONLY, 0)
	fmt.Fprintf(f, "relay = %q\n[notify]\nfrom = \"mxaudit@sakura-shoji.example\"\nuser_domain = \"sakura-shoji.example\"\n"+
		"[notify.users]\nsuzuki = \"suzuki.h@sakura-shoji.example\"\n[hooks]\nexception_approve = [[%q]]\n", sink.Addr, hook)
	f.Close()

	pe.expect(ExitOK, "", "tanaka", "exception", "add", "--domain", "partner.example.co.jp", "--kind", "encrypted-archive",
		"--reason", "until the portal is live", "--expires", "5")
	pe.expect(ExitOK, "approved", "sato", "exception", "approve", "1")
	if js, err := os.ReadFile(filepath.Join(dir, "approved.json")); err != nil ||
		!strings.Contains(string(js), `"event":"exception-approve"`) || !strings.Contains(string(js), `"value":"partner.example.co.jp"`) {
		t.Errorf("approve hook: %s (%v)", js, err)
	}
	pe.expect(ExitUsage, "--notify goes with --expiring", "cron", "exception", "list", "--notify")
	pe.expect(ExitOK, "reminder sent to tanaka@sakura-shoji.example, sato@sakura-shoji.example, suzuki.h@sakura-shoji.example",
		"cron", "exception", "list", "--expiring", "--notify")
	got := sink.Deliveries()
	if len(got) != 1 || len(got[0].Rcpts) != 3 || !strings.Contains(string(got[0].Data), "Subject: mxaudit: exception 1 (domain partner.example.co.jp:") {
		t.Fatalf("deliveries %+v", got)
	}
	pe.expect(ExitOK, "no reminder: reminded on", "cron", "exception", "list", "--expiring", "--notify")
	if len(sink.Deliveries()) != 1 {
		t.Error("reminded twice within a day")
	}
}
