package console

import (
	"encoding/json"
	"os"
	"slices"
	"strings"
	"testing"

	tea "charm.land/bubbletea/v2"
	"github.com/charmbracelet/x/ansi"

	"mxaudit/model"
	"mxaudit/model/store"
	"mxaudit/ui/console/dialog"
)

// markedIDs returns the marked message IDs in list order.
func markedIDs(m *Model) []model.MessageID {
	var out []model.MessageID
	for i := range m.table.Len() {
		if id := m.table.RowAt(i).ID(); m.marks.has(id) {
			out = append(out, id)
		}
	}
	return out
}

func rowIDs(m *Model, rows ...int) []model.MessageID {
	out := make([]model.MessageID, len(rows))
	for i, r := range rows {
		out[i] = m.table.RowAt(r).ID()
	}
	return out
}

func TestMarking(t *testing.T) {
	tests := []struct {
		name string
		keys []string
		want []int // rows marked, in the default date order
	}{
		{"space marks and moves down", []string{"space"}, []int{0}},
		{"space twice marks two rows", []string{"space", "space"}, []int{0, 1}},
		{"space on a marked row unmarks it", []string{"space", "k", "space"}, nil},
		{"V marks from the last mark to the cursor", []string{"space", "j", "j", "V"}, []int{0, 1, 2, 3}},
		{"V upwards", []string{"G", "space", "k", "k", "k", "V"}, []int{3, 4, 5, 6}},
		{"V without a mark marks the cursor row", []string{"j", "j", "V"}, []int{2}},
		{"star marks all shown", []string{"*"}, []int{0, 1, 2, 3, 4, 5, 6}},
		{"star respects the filter", []string{"3", "*", "3"}, []int{3}},
		{"u clears the marks", []string{"*", "u"}, nil},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			m := loaded(t, 120, 24)
			pressAll(m, tt.keys...)
			got := markedIDs(m)
			want := rowIDs(m, tt.want...)
			if !slices.Equal(got, want) {
				t.Fatalf("marked %v, want %v", got, want)
			}
		})
	}
}

func TestMarksShowAndTarget(t *testing.T) {
	m := loaded(t, 120, 24)
	pressAll(m, "space", "space")
	frame := ansi.Strip(m.View().Content)
	lines := strings.Split(frame, "\n")
	if !strings.HasPrefix(lines[2], "*") || !strings.HasPrefix(lines[3], "*") || strings.HasPrefix(lines[4], "*") {
		t.Fatalf("marked rows not drawn with *:\n%s", frame)
	}
	if !strings.Contains(lines[0], "2 marked") {
		t.Fatalf("top bar does not count the marks: %q", lines[0])
	}
	if got := len(m.targets()); got != 2 {
		t.Fatalf("an action would apply to %d messages, want the 2 marked", got)
	}
	pressAll(m, "u")
	if got := m.targets(); len(got) != 1 || got[0].ID() != m.table.SelectedRow().ID() {
		t.Fatal("without marks an action does not apply to the selected message alone")
	}
}

// strayKeys are keys an operator may hit by accident in a confirmation.
var strayKeys = []string{"enter", "y", "space", "q", "r", "d", "x", "1"}

func TestStrayKeysNeverAct(t *testing.T) {
	f := newActionFixture(t)
	m := loadedFixture(t, f, "tanaka", 120, 40)
	// In the list, none of them may act without a dialog.
	runCmd(t, m, pressAll(m, "y", "enter", "esc"), nil)
	if m.dialogs.Len() != 0 || m.action.running {
		t.Fatal("a stray key in the list opened or ran something")
	}
	pressAll(m, "*")
	runCmd(t, m, pressAll(m, "d"), isPlan)
	d, ok := m.dialogs.Top().(*dialog.Action)
	if !ok {
		t.Fatalf("d did not open the delete confirmation, top is %T", m.dialogs.Top())
	}
	for _, k := range strayKeys {
		runCmd(t, m, pressAll(m, k), nil)
		if m.dialogs.Top() != d || m.action.running {
			t.Fatalf("stray key %q closed the dialog or started the action", k)
		}
	}
	// A confirmation word that is not the one asked for does nothing
	// either: three messages need "delete", not "y".
	pressAll(m, "tab")
	for m.dialogs.Top() == d && !focused(m, "Type") {
		pressAll(m, "tab")
	}
	typeText(m, "y")
	runCmd(t, m, pressAll(m, "enter"), nil)
	if m.dialogs.Top() != d || m.action.running || m.table.Total() != len(fixtureMails) {
		t.Fatal("y confirmed a bulk delete that asks for the word delete")
	}
	if !strings.Contains(ansi.Strip(m.View().Content), "type delete, then press enter") {
		t.Fatal("the dialog does not say what to type")
	}
	pressAll(m, "esc")
	if m.dialogs.Len() != 0 {
		t.Fatal("esc did not cancel")
	}
	for i := range fixtureMails {
		if !present(t, f, idOf(i)) {
			t.Fatalf("message %d left the quarantine", i)
		}
	}
}

// focused reports whether the dialog's focused field is the one whose
// title starts with title: the focused label is drawn "› Title".
func focused(m *Model, title string) bool {
	return strings.Contains(ansi.Strip(m.View().Content), "› "+title)
}

// readAudit returns the audit log's records after checking its chain.
func readAudit(t *testing.T, path string) []model.AuditEntry {
	t.Helper()
	rep, err := store.VerifyAuditLog(path)
	if err != nil || rep.Problem != "" {
		t.Fatalf("audit log: %v %s", err, rep.Problem)
	}
	data, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	var out []model.AuditEntry
	for _, line := range strings.Split(strings.TrimSpace(string(data)), "\n") {
		var e model.AuditEntry
		if err := json.Unmarshal([]byte(line), &e); err != nil {
			t.Fatal(err)
		}
		out = append(out, e)
	}
	return out
}

func isPlan(msg tea.Msg) bool { _, ok := msg.(planMsg); return ok }

// isDetailOf matches the detail pane's read-back of message id.
func isDetailOf(id model.MessageID) func(tea.Msg) bool {
	return func(msg tea.Msg) bool { r, ok := msg.(detailReadMsg); return ok && r.id == id }
}
func isActionDone(msg tea.Msg) bool {
	_, ok := msg.(actionDoneMsg)
	return ok
}

// typeText presses each character of s.
func typeText(m *Model, s string) {
	for _, r := range s {
		k := string(r)
		if r == ' ' {
			k = "space"
		}
		pressAll(m, k)
	}
}

// selectID moves the cursor to message id.
func selectID(t *testing.T, m *Model, id model.MessageID) {
	t.Helper()
	pos := m.table.Find(id)
	if pos < 0 {
		t.Fatalf("message %s not shown", id)
	}
	m.table.SetCursor(pos)
}

func present(t *testing.T, f *actionFixture, id model.MessageID) bool {
	t.Helper()
	rc, err := f.src.Open(t.Context(), id)
	if err != nil {
		return false
	}
	rc.Close()
	return true
}

func TestNonApproverCannotOverride(t *testing.T) {
	f := newActionFixture(t)
	m := loadedFixture(t, f, "tanaka", 120, 40)
	selectID(t, m, idOf(2)) // the executable attachment
	runCmd(t, m, pressAll(m, "r"), isPlan)
	d := m.dialogs.Top().(*dialog.Action)
	frame := ansi.Strip(m.View().Content)
	for _, want := range []string{"1 blocked by policy", "risky-type", "ask for an exception"} {
		if !strings.Contains(frame, want) {
			t.Errorf("dialog lacks %q:\n%s", want, frame)
		}
	}
	if strings.Contains(frame, "Override reason") {
		t.Fatal("a non-approver is offered an override")
	}
	for !focused(m, "Type") {
		pressAll(m, "tab")
	}
	typeText(m, "y")
	runCmd(t, m, pressAll(m, "enter"), nil)
	if m.action.running || m.dialogs.Top() != d {
		t.Fatal("a blocked release went ahead")
	}
	if !strings.Contains(ansi.Strip(m.View().Content), "nothing to release") {
		t.Fatal("the dialog does not say that nothing can be released")
	}
	if len(f.sink.Deliveries()) != 0 {
		t.Fatal("mail was delivered")
	}
}

func TestApproverOverride(t *testing.T) {
	f := newActionFixture(t)
	m := loadedFixture(t, f, "sato", 120, 40)
	selectID(t, m, idOf(2))
	runCmd(t, m, pressAll(m, "r"), isPlan)
	if _, ok := m.dialogs.Top().(*dialog.Action); !ok {
		t.Fatal("r did not open the release confirmation")
	}
	if !focused(m, "Override reason") {
		t.Fatalf("the override reason is not asked for first:\n%s", ansi.Strip(m.View().Content))
	}
	// Confirming without a reason is refused.
	for !focused(m, "Type") {
		runCmd(t, m, pressAll(m, "tab"), isPlan)
	}
	typeText(m, "y")
	runCmd(t, m, pressAll(m, "enter"), nil)
	if m.action.running {
		t.Fatal("an override without a reason went ahead")
	}
	if !focused(m, "Override reason") {
		t.Fatal("the dialog did not go back to the reason")
	}
	typeText(m, "TICKET-42 supplier confirmed by phone")
	// Leaving the field plans again with the reason.
	runCmd(t, m, pressAll(m, "tab"), isPlan)
	frame := ansi.Strip(m.View().Content)
	if !strings.Contains(frame, "release 1 message to 1 recipient") || strings.Contains(frame, "blocked by policy") {
		t.Fatalf("the new dry run does not release the message:\n%s", frame)
	}
	for !focused(m, "Type") {
		pressAll(m, "tab")
	}
	runCmd(t, m, pressAll(m, "enter"), isActionDone)
	if m.table.RowByID(idOf(2)) != nil {
		t.Fatal("the released message is still listed")
	}
	if got := f.sink.Deliveries(); len(got) != 1 || !slices.Equal(got[0].Rcpts, []string{"taro@example.co.jp"}) {
		t.Fatalf("deliveries %+v", got)
	}
	records := readAudit(t, f.auditPath)
	last := records[len(records)-1]
	if last.Action != model.ActionRelease || last.OverrideReason != "TICKET-42 supplier confirmed by phone" || last.Operator != "sato" {
		t.Fatalf("audit record %+v", last)
	}
}
