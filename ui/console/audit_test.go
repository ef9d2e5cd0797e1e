package console

import (
	"bytes"
	"fmt"
	"os"
	"strings"
	"testing"

	tea "charm.land/bubbletea/v2"
	"github.com/charmbracelet/x/ansi"

	"mxaudit/model"
	"mxaudit/model/store"
)

// TestAuditViewShowsTheAnchor: A opens the audit view, which reads the
// log in a command (Update only shows "verifying"), then shows the last
// anchor SEQ:HASH and that the chain verified; after the log is edited,
// ^r reads it again and the view says where the chain broke. Every frame
// fits the terminal.
func TestAuditViewShowsTheAnchor(t *testing.T) {
	f := newActionFixture(t)
	log, err := store.OpenAuditLog(f.auditPath)
	if err != nil {
		t.Fatal(err)
	}
	for i := range 3 {
		e := model.NewAuditEntry(model.ActionExceptionAdd, model.Operator{User: "tanaka"}, testNow)
		e.Detail = fmt.Sprintf("record %d", i+1)
		e.SetOutcome(nil)
		if _, err := log.Append(e); err != nil {
			t.Fatal(err)
		}
	}
	anchor, err := store.LastAnchor(f.auditPath)
	if err != nil || anchor.Seq != 3 {
		t.Fatalf("LastAnchor = %v, %v", anchor, err)
	}
	m := loadedFixture(t, f, "sato", 120, 30)
	frame := func() string { return ansi.Strip(m.View().Content) }

	cmd := pressAll(m, "A")
	if m.screen != screenAudit || cmd == nil || !strings.Contains(frame(), "verifying the audit log") {
		t.Fatalf("A: screen %s, command %v:\n%s", m.screen, cmd != nil, frame())
	}
	isStatus := func(msg tea.Msg) bool { _, ok := msg.(auditStatusMsg); return ok }
	runCmd(t, m, cmd, isStatus)
	for _, want := range []string{"Anchor:  " + anchor.String(), "verified, 3 records", f.auditPath} {
		if !strings.Contains(frame(), want) {
			t.Errorf("audit view lacks %q:\n%s", want, frame())
		}
	}
	checkFrame(t, m.View().Content, 120, 30)

	// Record 2 edited by hand: the chain breaks there; the last record
	// is still whole, so its anchor still shows.
	data, _ := os.ReadFile(f.auditPath)
	os.WriteFile(f.auditPath, bytes.Replace(data, []byte("record 2"), []byte("record X"), 1), 0o600)
	runCmd(t, m, pressAll(m, "ctrl+r"), isStatus)
	for _, want := range []string{"BROKEN at line 2 after 1 intact records", "it was edited", "Anchor:  " + anchor.String()} {
		if !strings.Contains(frame(), want) {
			t.Errorf("audit view of an edited log lacks %q:\n%s", want, frame())
		}
	}

	// Help names the view; esc goes back to the list.
	pressAll(m, "?")
	if !strings.Contains(frame(), "Keys: audit log") {
		t.Errorf("help over the audit view:\n%s", frame())
	}
	pressAll(m, "esc", "esc")
	if m.screen != screenList || m.auditView != nil {
		t.Errorf("esc left screen %s", m.screen)
	}
	pressAll(m, "?")
	if help := ansi.Strip(strings.Join(m.helpLines(100), "\n")); !strings.Contains(help, "Audit log (A)") || !strings.Contains(help, "audit log anchor") {
		t.Errorf("the list's help does not name the audit view:\n%s", help)
	}
}
