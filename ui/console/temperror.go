package console

import (
	"fmt"

	tea "charm.land/bubbletea/v2"

	"mxaudit/model"
)

// DNS outages (issue 13's console side): a message whose authentication
// could not be checked because DNS was unreachable has the verdict
// temperror, shown as T, selectable with its own quick filter (6) and
// the filter language (auth:temperror), counted in a banner on the
// status line, and retried with ctrl+r.

// isTempError reports whether a row's authentication hit a DNS
// temperror (the quick filter TempErrOnly).
func isTempError(r *model.Row) bool { return r.Has(model.RowAnyTempError) }

// countTempErrors recounts the messages with a temperror; it runs when a
// scan ends, not per frame.
func (m *Model) countTempErrors() {
	n := 0
	m.table.EachRow(func(r *model.Row) {
		if isTempError(r) {
			n++
		}
	})
	m.tempErrors = n
}

// tempErrorBanner is the status line's warning while some messages could
// not be checked, "" when none.
func (m *Model) tempErrorBanner() string {
	if m.tempErrors == 0 {
		return ""
	}
	return fmt.Sprintf(" DNS unreachable: %s could not be checked; ctrl+r to retry", plural(m.tempErrors, "message"))
}

// rescanAll analyses every message again, keeping the marks of the
// messages that come back.
func (m *Model) rescanAll() tea.Cmd {
	if m.scan.running {
		m.setNotice("a scan is running: wait for it to finish, then ctrl+r", true)
		return nil
	}
	if m.cfg.scanner() == nil {
		m.setNotice("this console cannot scan again", true)
		return nil
	}
	kept := m.marks
	cmd := m.rescan()
	m.marks = kept
	m.list.SetMarked(m.marks.has)
	m.tempErrors = 0
	m.setNotice("analysing every message again…", false)
	return cmd
}
