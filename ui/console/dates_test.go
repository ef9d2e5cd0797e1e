package console

import (
	"strings"
	"testing"
	"time"

	tea "charm.land/bubbletea/v2"
	"github.com/charmbracelet/x/ansi"

	"mxaudit/model"
)

// TestDatesSayWhereTheyCameFrom is defect 5 of issue 15: a message
// without a Date header shows "(no date)", one dated by its delivery is
// marked "~" in the list and named as such in the detail pane, and an
// absurd date (year 3609) is flagged "!" and kept out of the chart.
func TestDatesSayWhereTheyCameFrom(t *testing.T) {
	msgs := []model.Message{
		{ID: "a", Subject: "no date at all"},
		{ID: "b", Subject: "delivered only", Date: at(20, 9, 30), DateSource: model.DateDelivered},
		{ID: "c", Subject: "far future", Date: time.Date(3609, 1, 1, 0, 0, 0, 0, time.UTC)},
	}
	m := newModel(t.Context(), testConfig(nil), true)
	m.Update(tea.WindowSizeMsg{Width: 80, Height: 24})
	deliver(m, scanBatchMsg{id: m.scan.id, msgs: msgs, done: true})
	frame := ansi.Strip(m.View().Content)
	for _, want := range []string{"(none)", "~Nov 20", "!3609"} {
		if !strings.Contains(frame, want) {
			t.Errorf("the list lacks %q:\n%s", want, frame)
		}
	}
	pressAll(m, "g", "j", "enter") // "delivered only" sorts second by date
	frame = ansi.Strip(m.View().Content)
	if !strings.Contains(frame, "(no Date header) delivered") {
		t.Errorf("the detail pane does not say the date is the delivery time:\n%s", frame)
	}
	pressAll(m, "esc", "T")
	frame = ansi.Strip(m.View().Content)
	if !strings.Contains(frame, "1 implausible") || strings.Contains(frame, "3609") {
		t.Errorf("the statistics chart the year 3609:\n%s", frame)
	}
}
