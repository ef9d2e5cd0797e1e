// Package auditview is the console's audit view (A): the audit log's last
// anchor (SEQ:HASH), which operators ship off the host so that a log
// rewritten or cut short shows, and whether the hash chain behind it
// verified. The log is read and verified in a command of the root model;
// this view only draws what it is given.
package auditview

import (
	"fmt"
	"strings"

	"charm.land/bubbles/v2/key"

	"mxaudit/ui/app"
	"mxaudit/ui/console/common"
	"mxaudit/ui/termtext"
)

// Model is the audit view.
type Model struct {
	com    *common.Common
	status *app.AuditStatus // nil while it loads
	err    error
	width  int
	height int
}

// New returns the view, reading until SetStatus.
func New(com *common.Common) *Model { return &Model{com: com} }

// SetStatus shows the log's status, or why it could not be read.
func (m *Model) SetStatus(st app.AuditStatus, err error) {
	m.status, m.err = &st, err
}

// Loaded reports whether a status (or an error) is shown.
func (m *Model) Loaded() bool { return m.status != nil }

// SetSize implements common.Component.
func (m *Model) SetSize(width, height int) { m.width, m.height = width, height }

// ShortHelp implements help.KeyMap.
func (m *Model) ShortHelp() []key.Binding {
	k := &m.com.Keys
	return []key.Binding{k.Rescan, k.Close}
}

// FullHelp implements help.KeyMap.
func (m *Model) FullHelp() [][]key.Binding { return [][]key.Binding{m.ShortHelp()} }

// Legend is the help screen's line on the view.
const Legend = "the last anchor (SEQ:HASH) and whether the chain verified; ^r reads the log again"

// View draws the status.
func (m *Model) View() string {
	st := &m.com.Styles
	lines := []string{st.Section.Render(" Audit log")}
	if m.status == nil {
		return strings.Join(append(lines, st.Muted.Render(" verifying the audit log…")), "\n")
	}
	s := m.status
	lines = append(lines, " File:    "+termtext.Sanitize(s.Path))
	if m.err != nil {
		lines = append(lines, st.ErrorText.Render(" cannot be read: "+termtext.Sanitize(m.err.Error())))
		return m.fit(lines)
	}
	switch {
	case s.LastErr != "":
		lines = append(lines, st.ErrorText.Render(" Anchor:  none: "+termtext.Sanitize(s.LastErr)))
	case s.Last == "":
		lines = append(lines, " Anchor:  none (the log is empty)")
	default:
		lines = append(lines, " Anchor:  "+s.Last)
	}
	if s.Verified {
		lines = append(lines, st.Good.Render(fmt.Sprintf(" Chain:   verified, %d records from the first", s.Records)))
	} else {
		lines = append(lines, st.ErrorText.Render(fmt.Sprintf(" Chain:   BROKEN at line %d after %d intact records:", s.Line, s.Records)))
		// The problem is the one thing to read in full: wrapped, not cut.
		for _, l := range termtext.WrapWords(termtext.Sanitize(s.Problem), max(10, m.width-10)) {
			lines = append(lines, st.ErrorText.Render("          "+l))
		}
	}
	lines = append(lines, "",
		st.Muted.Render(" Copy the anchor off this host (a ticket, syslog) every day:"),
		st.Muted.Render(" \"mxaudit audit verify --anchor SEQ:HASH\" then shows a log cut short or rewritten."))
	return m.fit(lines)
}

// fit cuts the lines to the view's size.
func (m *Model) fit(lines []string) string {
	if m.height > 0 && len(lines) > m.height {
		lines = lines[:m.height]
	}
	for i, l := range lines {
		lines[i] = termtext.Truncate(l, m.width)
	}
	return strings.Join(lines, "\n")
}
