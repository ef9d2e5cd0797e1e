package console

import (
	"strings"
	"testing"

	tea "charm.land/bubbletea/v2"
	"github.com/charmbracelet/x/ansi"

	"mxaudit/model"
)

// TestTempErrorConsole is issue 13's console side: a DNS temperror shows
// as T, has its own quick filter (6) and filter term, a banner counts the
// messages, and ctrl+r analyses again.
func TestTempErrorConsole(t *testing.T) {
	msgs := append(sampleMessages(),
		model.Message{ID: "dns1", Subject: "dns down one", Date: at(21, 9, 0), Verdict: model.Verdict{Auth: model.AuthTempError}},
		model.Message{ID: "dns2", Subject: "dns down two", Date: at(21, 10, 0), Verdict: model.Verdict{Auth: model.AuthTempError}})
	m := newModel(t.Context(), testConfig(msgs), true)
	m.Update(tea.WindowSizeMsg{Width: 80, Height: 24})
	runCmd(t, m, m.Init(), isScanDone)
	frame := ansi.Strip(m.View().Content)
	if !strings.Contains(frame, "DNS unreachable: 2 messages could not be checked; ctrl+r to retry") {
		t.Fatalf("no banner:\n%s", frame)
	}
	pressAll(m, "6")
	if m.table.Len() != 2 {
		t.Fatalf("quick filter 6 shows %d", m.table.Len())
	}
	row := strings.Split(ansi.Strip(m.View().Content), "\n")[2]
	if !strings.Contains(row, " T ") && !strings.Contains(row, " T/") {
		t.Errorf("row %q has no T badge", row)
	}
	pressAll(m, "0", "/")
	for _, r := range "auth:temperror" {
		pressAll(m, string(r))
	}
	if m.table.Len() != 2 {
		t.Fatalf("auth:temperror shows %d", m.table.Len())
	}
	pressAll(m, "enter", "space")
	cmd := pressAll(m, "ctrl+r")
	if cmd == nil || !m.scan.running {
		t.Fatal("ctrl+r did not scan again")
	}
	runCmd(t, m, cmd, isScanDone)
	if m.table.Total() != len(msgs) || m.marks.len() != 1 {
		t.Fatalf("after the rescan: %d messages, %d marks", m.table.Total(), m.marks.len())
	}
}

// TestFilterLanguageInTheConsole: a bad term is explained in the filter
// line and the list keeps its last valid filter.
func TestFilterLanguageInTheConsole(t *testing.T) {
	m := loaded(t, 80, 24)
	pressAll(m, "/")
	for _, r := range "date:2026-13" {
		pressAll(m, string(r))
	}
	if !strings.Contains(lastLine(m), "dates are YYYY-MM-DD") || m.table.Len() == 0 {
		t.Errorf("footer %q, %d shown", lastLine(m), m.table.Len())
	}
	pressAll(m, "ctrl+u")
	for _, r := range "from:bank -is:error" {
		pressAll(m, string(r))
	}
	if m.table.Len() != 1 {
		t.Errorf("from:bank shows %d", m.table.Len())
	}
}
