package console

import (
	"strings"
	"testing"

	tea "charm.land/bubbletea/v2"
	"github.com/charmbracelet/x/ansi"

	"mxaudit/model"
	"mxaudit/ui/console/dialog"
)

// The smaller defects of issue 15 (item 8), one Update test each.

func TestMarkedCountSaysHowManyAreShown(t *testing.T) {
	m := loaded(t, 80, 24)
	pressAll(m, "*", "1") // mark all seven, then only the encrypted one
	top := strings.Split(ansi.Strip(m.View().Content), "\n")[0]
	if !strings.Contains(top, "7 marked (1 shown)") {
		t.Errorf("top bar %q", top)
	}
}

func TestOneLetterSortColumnKeepsItsLabel(t *testing.T) {
	m := loaded(t, 80, 24)
	m.table.SetSort(model.SortKey{Column: model.ColumnSPF})
	head := strings.Split(ansi.Strip(m.View().Content), "\n")[1]
	if !strings.Contains(head, " S K ") {
		t.Errorf("header %q lost the S label", head)
	}
}

func TestCtrlCInsideDialogsAndQuitWithMarks(t *testing.T) {
	m := loaded(t, 80, 24)
	pressAll(m, "space", "enter") // a mark, the detail pane open
	if cmd := pressAll(m, "q"); cmd != nil || m.dialogs.TopIs(dialog.IDQuit) == nil {
		t.Fatal("q with a mark quit without asking")
	}
	cmd := pressAll(m, "ctrl+c")
	if cmd == nil {
		t.Fatal("ctrl+c inside the dialog did nothing")
	}
	if _, ok := cmd().(tea.QuitMsg); !ok {
		t.Fatal("ctrl+c inside the quit dialog did not quit")
	}
}

func TestBidiOverrideInFromIsFlagged(t *testing.T) {
	msgs := []model.Message{{ID: "x", Subject: "invoice", From: "Accounts Payable Department of the Company \u202eexe.pdf <a@b.example>",
		FromAddr: "a@b.example", FromDomain: "b.example", Date: at(20, 9, 0)}}
	m := newModel(t.Context(), testConfig(nil), true)
	m.Update(tea.WindowSizeMsg{Width: 80, Height: 24})
	deliver(m, scanBatchMsg{id: m.scan.id, msgs: msgs, done: true})
	row := strings.Split(ansi.Strip(m.View().Content), "\n")[2]
	if !strings.Contains(row, "<RLO>") {
		t.Errorf("row %q hides the override", row)
	}
}

// TestCursorStaysOnTopWhileScanning: the cursor does not follow the first
// arrival down the list (it used to end on row 14).
func TestCursorStaysOnTopWhileScanning(t *testing.T) {
	m := newModel(t.Context(), testConfig(nil), true)
	m.Update(tea.WindowSizeMsg{Width: 80, Height: 24})
	deliver(m, scanBatchMsg{id: m.scan.id, msgs: []model.Message{{ID: "late", Date: at(27, 0, 0)}}})
	var early []model.Message
	for i := range 13 {
		early = append(early, model.Message{ID: model.MessageID(rune('a' + i)), Date: at(1+i, 0, 0)})
	}
	deliver(m, scanBatchMsg{id: m.scan.id, msgs: early, done: true})
	if c := m.table.Cursor(); c != 0 {
		t.Fatalf("cursor on row %d after the scan", c)
	}
	pressAll(m, "j")
	deliver(m, scanBatchMsg{id: m.scan.id, msgs: []model.Message{{ID: "earliest", Date: at(1, 0, 0).Add(-1)}}})
	if got := m.table.SelectedRow().ID(); got != "b" {
		t.Fatalf("once moved, the selection changed to %s", got)
	}
}

// TestPositionAndCounts: the top bar says where the cursor is among the
// shown messages, and the total when a filter hides some.
func TestPositionAndCounts(t *testing.T) {
	m := loaded(t, 80, 24)
	pressAll(m, "j", "j")
	if top := strings.Split(ansi.Strip(m.View().Content), "\n")[0]; !strings.Contains(top, " 3/7 ") {
		t.Errorf("top bar %q", top)
	}
	pressAll(m, "1")
	if top := strings.Split(ansi.Strip(m.View().Content), "\n")[0]; !strings.Contains(top, " 1/1 of 7 ") {
		t.Errorf("top bar %q", top)
	}
}
