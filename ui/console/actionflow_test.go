package console

import (
	"strings"
	"testing"

	tea "charm.land/bubbletea/v2"
	"github.com/charmbracelet/x/ansi"

	"mxaudit/model"
)

// TestReleaseFlow releases two marked messages through the real
// action.Service over a Maildir and a real SMTP server: the dry run in
// the dialog, the typed confirmation, the messages leaving the list and
// the status line; then a second operator, whose plan went stale, is told
// who released first.
func TestReleaseFlow(t *testing.T) {
	f := newActionFixture(t)
	sato := loadedFixture(t, f, "sato", 120, 40)
	suzuki := loadedFixture(t, f, "suzuki", 120, 40)

	// suzuki plans a release of the first message and leaves the dialog
	// open, reading it.
	selectID(t, suzuki, idOf(0))
	runCmd(t, suzuki, pressAll(suzuki, "r"), isPlan)

	// sato marks the two clean messages and releases them.
	selectID(t, sato, idOf(0))
	pressAll(sato, "space", "space")
	runCmd(t, sato, pressAll(sato, "r"), isPlan)
	frame := ansi.Strip(sato.View().Content)
	if !strings.Contains(frame, "release 2 messages to 3 recipients (1 outside example.co.jp)") {
		t.Fatalf("no dry-run summary:\n%s", frame)
	}
	if strings.Contains(frame, "Recipients") {
		t.Fatal("a bulk release offers the recipient checklist of one message")
	}
	for !focused(sato, "Type") {
		runCmd(t, sato, pressAll(sato, "tab"), isPlan)
	}
	typeText(sato, "release")
	cmd := pressAll(sato, "enter")
	if sato.dialogs.Len() != 0 {
		t.Fatal("the dialog stayed open after the confirmation")
	}
	// While it runs, quitting asks first.
	runCmd(t, sato, cmd, func(msg tea.Msg) bool { _, ok := msg.(actionResultMsg); return ok })
	if !sato.action.running || sato.inFlight != 1 {
		t.Fatal("the action is not shown as running")
	}
	if q := pressAll(sato, "q"); q != nil || !strings.Contains(ansi.Strip(sato.View().Content), "Quit anyway?") {
		t.Fatal("q during an action did not ask for confirmation")
	}
	pressAll(sato, "n")
	runCmd(t, sato, waitForResultCmd(sato), isActionDone)
	if sato.inFlight != 0 || sato.action.running {
		t.Fatal("the action is still counted as running")
	}
	for _, i := range []int{0, 1} {
		if sato.table.RowByID(idOf(i)) != nil {
			t.Errorf("released message %d is still listed", i)
		}
	}
	if sato.table.Total() != 1 || sato.marks.len() != 0 {
		t.Fatalf("%d messages and %d marks left", sato.table.Total(), sato.marks.len())
	}
	status := ansi.Strip(strings.Split(sato.View().Content, "\n")[38])
	if !strings.Contains(status, "released 2") || strings.Contains(status, "failed") {
		t.Fatalf("status line %q", status)
	}
	rcpts := map[string]bool{}
	for _, d := range f.sink.Deliveries() {
		for _, r := range d.Rcpts {
			rcpts[r] = true
		}
	}
	if len(rcpts) != 3 || !rcpts["ext@other.example"] {
		t.Fatalf("delivered to %v", rcpts)
	}

	// suzuki confirms the stale plan: the service refuses, and says who
	// was first.
	for !focused(suzuki, "Type") {
		runCmd(t, suzuki, pressAll(suzuki, "tab"), isPlan)
	}
	typeText(suzuki, "y")
	runCmd(t, suzuki, pressAll(suzuki, "enter"), isActionDone)
	status = ansi.Strip(strings.Split(suzuki.View().Content, "\n")[38])
	if !strings.Contains(status, "released 0, 1 failed: ") || !strings.Contains(status, "sato") {
		t.Fatalf("status line %q", status)
	}
	if suzuki.table.RowByID(idOf(0)) == nil {
		t.Fatal("a message that failed left the list")
	}
	var released []model.MessageID
	for _, e := range readAudit(t, f.auditPath) {
		if e.Action == model.ActionRelease && e.Outcome == model.OutcomeOK {
			released = append(released, e.MessageID)
		}
	}
	if len(released) != 2 {
		t.Fatalf("audit log records %d releases, want 2", len(released))
	}
}

// waitForResultCmd is the command that reads the running action's next
// result, as the program would have it queued.
func waitForResultCmd(m *Model) tea.Cmd {
	return waitForResult(m.action.seq, m.action.events)
}
