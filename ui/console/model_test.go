package console

import (
	"errors"
	"fmt"
	"strings"
	"testing"

	tea "charm.land/bubbletea/v2"
	"github.com/charmbracelet/x/ansi"

	"mxaudit/analysis/scan"
	"mxaudit/model"
)

// loaded returns a console with the sample messages delivered, sized
// width×height, without a running program: Update is called directly.
func loaded(t *testing.T, width, height int) *Model {
	t.Helper()
	m := newModel(t.Context(), testConfig(nil), true)
	m.Update(tea.WindowSizeMsg{Width: width, Height: height})
	deliver(m, scanBatchMsg{id: m.scan.id, msgs: sampleMessages(), done: true})
	return m
}

// pressAll presses keys ks in turn, letting the detail pane's read-back
// of the selected message complete before each (settle), as it would
// between an operator's keys; it returns the last key's command.
func pressAll(m *Model, ks ...string) tea.Cmd {
	var cmd tea.Cmd
	for _, k := range ks {
		settle(m)
		_, cmd = m.Update(press(k))
	}
	settle(m)
	return cmd
}

// deliver hands a scan batch to m as waitForBatch does: its messages
// are put in the console's kept messages first, then the batch goes to
// Update; the detail pane's read-back then completes (settle).
func deliver(m *Model, b scanBatchMsg) tea.Cmd {
	if len(b.msgs) > 0 && b.id == m.scan.id {
		m.kept.Put(b.msgs...)
	}
	_, cmd := m.Update(b)
	settle(m)
	return cmd
}

// settle completes the detail pane's read-back of the selected message
// (readback.go) through the real kept messages, as the program does
// between keys; a selection moved behind Update's back (selectID) is
// followed first.
func settle(m *Model) {
	m.syncDetail()
	row := m.table.SelectedRow()
	if row == nil || m.detail.Message() != nil || m.detail.Pending() != row.ID() || m.read.detailWant != row.ID() {
		return
	}
	msg, err := readRow(m.ctx, m.reader(), row.ID(), row.Exception)
	m.Update(detailReadMsg{seq: m.read.detailSeq, id: row.ID(), msg: msg, err: err})
}

// TestFrameAlwaysFits draws every view at many sizes and checks that the
// frame is exactly the terminal's size: no line wraps, no line is short.
func TestFrameAlwaysFits(t *testing.T) {
	views := map[string][]string{
		"list":   nil,
		"detail": {"G", "enter"},
		"beside": {"|"},
		"help":   {"?"},
		"raw":    {"R"},
		"filter": {"/", "山"},
		"dialog": {"q"}, // with an action in flight: the quit confirmation
		"stats":  {"T"},
		"marked": {"*", "u", "space", "V"},
	}
	for name, ks := range views {
		for _, w := range []int{10, 20, 33, 40, 59, 60, 79, 80, 81, 100, 120, 159, 160, 200} {
			for _, h := range []int{4, 5, 10, 24, 48} {
				t.Run(fmt.Sprintf("%s/%dx%d", name, w, h), func(t *testing.T) {
					m := loaded(t, w, h)
					if name == "dialog" {
						m.inFlight = 1
					}
					pressAll(m, ks...)
					checkFrame(t, m.View().Content, w, h)
				})
			}
		}
	}
}

func TestSelectionSurvivesArrivalsAndSorts(t *testing.T) {
	m := loaded(t, 80, 24)
	pressAll(m, "G") // the last row by date: the injection message
	want := m.table.SelectedRow().ID()
	// An earlier message arrives: it sorts above the selection.
	deliver(m, scanBatchMsg{id: m.scan.id, msgs: []model.Message{{ID: "late", Subject: "late", Date: at(1, 0, 0)}}})
	if got := m.table.SelectedRow().ID(); got != want {
		t.Fatalf("after an arrival the selection is %s, want %s", got, want)
	}
	pressAll(m, "s", "s", "S", "<")
	if got := m.table.SelectedRow().ID(); got != want {
		t.Fatalf("after sorting the selection is %s, want %s", got, want)
	}
	if got := m.table.Sort(); got != (model.SortKey{Column: model.ColumnFrom, Desc: true}) {
		t.Fatalf("sort is %v", got)
	}
}

func TestStaleScanBatchIsDropped(t *testing.T) {
	m := loaded(t, 80, 24)
	before := m.table.Total()
	_, cmd := m.Update(scanBatchMsg{id: m.scan.id + 1, msgs: sampleMessages()})
	if m.table.Total() != before || cmd != nil {
		t.Fatalf("a batch of another scan was used: %d messages, cmd %v", m.table.Total(), cmd != nil)
	}
}

func TestQuickFiltersAndCounts(t *testing.T) {
	tests := []struct {
		keys []string
		want string // the counts in the top bar
		tag  string
	}{
		// The counts after the cursor's row: shown, and the total when a
		// filter hides some.
		{[]string{"1"}, "/1 of 7", "encrypted"},
		{[]string{"2"}, "/1 of 7", "dmarc-fail"},
		{[]string{"3"}, "/1 of 7", "risky"},
		{[]string{"4"}, "/6 of 7", "no-exception"},
		{[]string{"1", "1"}, "/7", ""},
		{[]string{"1", "3", "0"}, "/7", ""},
		{[]string{"/", "z", "z", "esc"}, "/7", ""},
		{[]string{"/", "s", "h", "o", "p", "enter"}, "/1 of 7", `"shop"`},
	}
	for _, tt := range tests {
		t.Run(strings.Join(tt.keys, ""), func(t *testing.T) {
			m := loaded(t, 120, 24)
			pressAll(m, tt.keys...)
			top := ansi.Strip(strings.SplitN(m.View().Content, "\n", 2)[0])
			if !strings.Contains(top, tt.want+"  sort") {
				t.Errorf("top bar %q lacks %q", top, tt.want)
			}
			if tt.tag != "" && !strings.Contains(top, tt.tag) {
				t.Errorf("top bar %q lacks the filter %q", top, tt.tag)
			}
			if tt.tag == "" && strings.Contains(top, "filter") {
				t.Errorf("top bar %q shows a filter", top)
			}
		})
	}
}

func TestMouse(t *testing.T) {
	m := newModel(t.Context(), testConfig(nil), true)
	m.cfg.Mouse, m.com.Mouse = true, true
	m.Update(tea.WindowSizeMsg{Width: 80, Height: 24})
	deliver(m, scanBatchMsg{id: m.scan.id, msgs: sampleMessages(), done: true})
	if m.View().MouseMode != tea.MouseModeCellMotion {
		t.Fatal("mouse mode not requested")
	}
	// Column titles are on screen line 1; "Size" starts at x=60 in this layout.
	m.Update(tea.MouseClickMsg{X: 61, Y: 1, Button: tea.MouseLeft})
	if got := m.table.Sort(); got != (model.SortKey{Column: model.ColumnSize}) {
		t.Fatalf("click on Size sorted by %v", got)
	}
	m.Update(tea.MouseClickMsg{X: 61, Y: 1, Button: tea.MouseLeft})
	if got := m.table.Sort(); !got.Desc {
		t.Fatal("second click did not reverse the order")
	}
	m.Update(tea.MouseClickMsg{X: 20, Y: 4, Button: tea.MouseLeft})
	if m.table.Cursor() != 2 {
		t.Fatalf("click on the third row selected row %d", m.table.Cursor())
	}
	m.Update(tea.MouseWheelMsg{X: 20, Y: 4, Button: tea.MouseWheelDown})
	if m.table.Cursor() != 5 {
		t.Fatalf("wheel moved to row %d", m.table.Cursor())
	}
}

func TestQuitConfirmsOnlyWithActionInFlight(t *testing.T) {
	m := loaded(t, 80, 24)
	if cmd := pressAll(m, "q"); cmd == nil || cmd() != tea.Quit() {
		t.Fatal("q did not quit at once with nothing in flight")
	}
	m = loaded(t, 80, 24)
	m.inFlight = 1
	if cmd := pressAll(m, "q"); cmd != nil {
		t.Fatal("q quit with an action in flight")
	}
	if !strings.Contains(ansi.Strip(m.View().Content), "Quit anyway?") {
		t.Fatal("no confirmation drawn")
	}
	if cmd := pressAll(m, "n"); cmd != nil || m.dialogs.Len() != 0 {
		t.Fatal("n did not just close the dialog")
	}
	pressAll(m, "ctrl+c")
	cmd := pressAll(m, "y")
	if cmd == nil {
		t.Fatal("y did nothing")
	}
	if _, ok := cmd().(tea.QuitMsg); !ok {
		t.Fatal("y did not quit")
	}
}

func TestSourceFailureShowsErrorScreen(t *testing.T) {
	m := newModel(t.Context(), testConfig(nil), true)
	m.Update(tea.WindowSizeMsg{Width: 80, Height: 24})
	deliver(m, scanBatchMsg{id: m.scan.id, done: true, err: errors.New("open /var/quarantine: permission denied")})
	frame := ansi.Strip(m.View().Content)
	for _, want := range []string{"The source could not be read", "permission denied", "scan stopped"} {
		if !strings.Contains(frame, want) {
			t.Errorf("error screen lacks %q:\n%s", want, frame)
		}
	}
	if cmd := pressAll(m, "q"); cmd == nil {
		t.Fatal("q does not leave the error screen")
	}
}

func TestProgressLine(t *testing.T) {
	m := newModel(t.Context(), testConfig(nil), true)
	m.scan.running = true
	m.Update(tea.WindowSizeMsg{Width: 80, Height: 24})
	deliver(m, scanBatchMsg{id: m.scan.id, msgs: sampleMessages()[:2], hasProg: true,
		progress: scan.Progress{Listed: 20000, Analysed: 3412, Done: true}})
	frame := ansi.Strip(m.View().Content)
	if !strings.Contains(frame, "analysed 3,412 / 20,000 [######") {
		t.Fatalf("no progress line:\n%s", frame)
	}
	if m.table.Total() != 2 {
		t.Fatal("messages not usable during the scan")
	}
}
