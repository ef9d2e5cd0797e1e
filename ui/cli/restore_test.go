package cli

import (
	"bytes"
	"context"
	"strings"
	"testing"

	"mxaudit/model"
)

// TestRestoreCommand: "mxaudit restore SOURCE ID" brings a deleted
// message back, audited; an ID not in the trash fails with exit 1.
func TestRestoreCommand(t *testing.T) {
	ae := newActionTestEnv(t, pickSamples(2, cleanOrEncrypted))
	ids := ae.scanIDs()
	all := append(ids[model.AttachmentClean], ids[model.AttachmentEncrypted]...)
	ae.expect(ExitOK, "delete 2 messages", "tanaka", "", append([]string{"delete", ae.quar, "--yes"}, all...)...)
	lookupOSUser = func() string { return "sato" }
	var out bytes.Buffer
	env := Env{Stdin: strings.NewReader(""), Stdout: &out, Stderr: &out, Getenv: func(k string) string { return ae.vars[k] }}
	if code := runRestore(context.Background(), []string{ae.quar, all[0]}, env); code != ExitOK || !strings.Contains(out.String(), all[0]+": restored") {
		t.Fatalf("restore: exit %d\n%s", code, out.String())
	}
	restored := ae.scanIDs()
	if n := len(restored[model.AttachmentClean]) + len(restored[model.AttachmentEncrypted]); n != 1 {
		t.Errorf("%d messages listed after the restore, want 1", n)
	}
	records := ae.audit()
	if last := records[len(records)-1]; last.Action != model.ActionRestore || last.MessageID != model.MessageID(all[0]) || last.Operator != "sato" {
		t.Errorf("restore record: %+v", last)
	}
	out.Reset()
	if code := runRestore(context.Background(), []string{ae.quar, all[0]}, env); code != ExitFailed || !strings.Contains(out.String(), "not in the trash") {
		t.Errorf("second restore: exit %d\n%s", code, out.String())
	}
}
