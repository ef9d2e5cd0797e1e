package console

import (
	"strings"
	"testing"

	tea "charm.land/bubbletea/v2"
)

func isRestored(msg tea.Msg) bool { _, ok := msg.(restoredMsg); return ok }

// TestUndoDelete: U after a delete brings the message back from the
// trash into the list, audited.
func TestUndoDelete(t *testing.T) {
	f := newActionFixture(t)
	m := loadedFixture(t, f, "tanaka", 120, 40)
	id := m.table.SelectedRow().ID()
	runCmd(t, m, pressAll(m, "d"), isPlan)
	for !focused(m, "Type") {
		pressAll(m, "tab")
	}
	typeText(m, "y")
	runCmd(t, m, pressAll(m, "enter"), isActionDone)
	if m.table.RowByID(id) != nil || !strings.Contains(m.notice.text, "U undoes") {
		t.Fatalf("after the delete: notice %q", m.notice.text)
	}
	runCmd(t, m, pressAll(m, "U"), isRestored)
	if m.table.RowByID(id) == nil || !strings.Contains(m.notice.text, "restored 1 message") {
		t.Fatalf("after U: notice %q, listed %v", m.notice.text, m.table.RowByID(id) != nil)
	}
}
