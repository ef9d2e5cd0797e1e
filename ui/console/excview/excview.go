// Package excview is the console's exception view: every exception of the
// policy with its status, the ones expiring within two weeks highlighted,
// and the keys to approve (approvers only) and revoke. The changes
// themselves run in the root model, through the policy store and with an
// audit record; this view only draws and moves its cursor.
package excview

import (
	"fmt"
	"slices"
	"strings"
	"time"

	"charm.land/bubbles/v2/key"
	tea "charm.land/bubbletea/v2"
	"charm.land/lipgloss/v2"

	"mxaudit/model"
	"mxaudit/ui/console/common"
	"mxaudit/ui/termtext"
)

// Model is the exception view.
type Model struct {
	com    *common.Common
	policy *model.Policy
	op     model.Operator
	rows   []model.Exception // newest first
	cursor int
	offset int
	width  int
	height int
}

// New returns the view of policy (nil while it loads) for operator op.
func New(com *common.Common, policy *model.Policy, op model.Operator) *Model {
	m := &Model{com: com}
	m.SetPolicy(policy, op)
	return m
}

// SetPolicy shows policy, keeping the cursor on the same exception.
func (m *Model) SetPolicy(policy *model.Policy, op model.Operator) {
	var keep int
	if sel := m.Selected(); sel != nil {
		keep = sel.ID
	}
	m.policy, m.op = policy, op
	m.rows = nil
	if policy != nil {
		m.rows = slices.Clone(policy.Exceptions)
		slices.SortFunc(m.rows, func(a, b model.Exception) int { return b.ID - a.ID })
	}
	m.cursor = 0
	for i := range m.rows {
		if m.rows[i].ID == keep {
			m.cursor = i
		}
	}
	m.sync()
}

// CanApprove reports whether the operator may approve exceptions at all.
func (m *Model) CanApprove() bool {
	return m.policy != nil && m.op.CanApprove(m.policy.Approvers)
}

// Selected returns the exception under the cursor, or nil.
func (m *Model) Selected() *model.Exception {
	if m.cursor < 0 || m.cursor >= len(m.rows) {
		return nil
	}
	return &m.rows[m.cursor]
}

// Status returns the status of e now.
func (m *Model) Status(e *model.Exception) model.ExceptionStatus {
	return m.policy.Status(e, m.com.Now())
}

// SetSize implements common.Component.
func (m *Model) SetSize(width, height int) {
	m.width, m.height = width, height
	m.sync()
}

func (m *Model) rowsShown() int { return max(0, m.height-3) } // title, header, detail line

func (m *Model) sync() {
	n := m.rowsShown()
	if m.cursor < m.offset {
		m.offset = m.cursor
	}
	if n > 0 && m.cursor >= m.offset+n {
		m.offset = m.cursor - n + 1
	}
	m.offset = max(0, min(m.offset, len(m.rows)-n))
}

// Update moves the cursor; it reports whether the key was a movement.
func (m *Model) Update(msg tea.KeyPressMsg) bool {
	k := &m.com.Keys
	switch {
	case key.Matches(msg, k.Up):
		m.cursor--
	case key.Matches(msg, k.Down):
		m.cursor++
	case key.Matches(msg, k.Home):
		m.cursor = 0
	case key.Matches(msg, k.End):
		m.cursor = len(m.rows) - 1
	case key.Matches(msg, k.PageUp):
		m.cursor -= max(1, m.rowsShown()-1)
	case key.Matches(msg, k.PageDown):
		m.cursor += max(1, m.rowsShown()-1)
	default:
		return false
	}
	m.cursor = max(0, min(m.cursor, len(m.rows)-1))
	m.sync()
	return true
}

// ShortHelp implements help.KeyMap.
func (m *Model) ShortHelp() []key.Binding {
	k := &m.com.Keys
	return []key.Binding{k.Down, k.Approve, k.Revoke, k.Close}
}

// FullHelp implements help.KeyMap.
func (m *Model) FullHelp() [][]key.Binding { return [][]key.Binding{m.ShortHelp()} }

// View draws the table and, under it, the selected exception's reason.
func (m *Model) View() string {
	st := &m.com.Styles
	if m.policy == nil {
		return st.Muted.Render(" reading the exception policy…")
	}
	now := m.com.Now()
	title := fmt.Sprintf(" Exceptions: %d", len(m.rows))
	if exp := len(m.policy.Expiring(now)); exp > 0 {
		title += fmt.Sprintf(", %d expiring within 14 days", exp)
	}
	if m.CanApprove() {
		title += "   (you are an approver)"
	}
	lines := []string{st.Section.Render(title)}
	cols := m.columns()
	lines = append(lines, st.Header.Render(termtext.Fit(header(cols), m.width)))
	if len(m.rows) == 0 {
		lines = append(lines, st.Muted.Render(" no exceptions yet: press w on a message to request one"))
	}
	end := min(len(m.rows), m.offset+m.rowsShown())
	for i := m.offset; i < end; i++ {
		lines = append(lines, m.row(&m.rows[i], cols, i == m.cursor, now))
	}
	for len(lines) < m.height-1 {
		lines = append(lines, "")
	}
	if sel := m.Selected(); sel != nil {
		lines = append(lines, termtext.Truncate(st.Muted.Render(" reason: "+termtext.Sanitize(sel.Reason)+describeEnd(sel)), m.width))
	}
	return strings.Join(lines, "\n")
}

func describeEnd(e *model.Exception) string {
	if e.RevokedBy != "" {
		s := fmt.Sprintf("; revoked by %s %s", e.RevokedBy, e.Revoked.UTC().Format(time.DateOnly))
		if e.RevokeReason != "" {
			s += ": " + e.RevokeReason
		}
		return s
	}
	return ""
}

type column struct {
	title string
	width int
}

// columns fits the table to the width: the sender and reason columns
// take what the fixed ones leave.
func (m *Model) columns() []column {
	cols := []column{{"ID", 4}, {"Status", 8}, {"Sender", 0}, {"Kinds", 0}, {"By", 9}, {"Approved", 9}, {"Expires", 10}, {"Hits", 4}}
	if m.width < 100 {
		// Narrow terminals: who approved it and the hits are left out.
		cols = slices.DeleteFunc(cols, func(c column) bool { return c.title == "Approved" || c.title == "Hits" })
	}
	used := 0
	for _, c := range cols {
		used += c.width + 1
	}
	spare := max(0, m.width-used)
	cols[2].width = max(8, spare*3/5)
	cols[3].width = max(5, spare-cols[2].width)
	return cols
}

func header(cols []column) string {
	var parts []string
	for _, c := range cols {
		parts = append(parts, termtext.Fit(c.title, c.width))
	}
	return strings.Join(parts, " ")
}

func (m *Model) row(e *model.Exception, cols []column, selected bool, now time.Time) string {
	st := &m.com.Styles
	status := m.policy.Status(e, now)
	expiring := status == model.StatusActive && e.Expires.Sub(now) <= model.ExpiringWindow
	kinds := make([]string, len(e.Kinds))
	for i, k := range e.Kinds {
		kinds[i] = shortKind(k)
	}
	expires := e.Expires.UTC().Format(time.DateOnly)
	if expiring {
		expires = fmt.Sprintf("in %dd!", max(0, int(e.Expires.Sub(now).Hours()/24)))
	}
	approved := e.ApprovedBy
	if approved == "" {
		approved = "-"
	}
	values := map[string]string{
		"ID": fmt.Sprint(e.ID), "Status": string(status), "Sender": string(e.Scope[:1]) + " " + e.Value,
		"Kinds": strings.Join(kinds, ","), "By": e.RequestedBy, "Approved": approved,
		"Expires": expires, "Hits": fmt.Sprint(e.Hits),
	}
	var parts []string
	for _, c := range cols {
		text := termtext.Fit(termtext.Sanitize(values[c.title]), c.width)
		if !selected {
			text = m.cellStyle(c.title, status, expiring).Render(text)
		}
		parts = append(parts, text)
	}
	line := termtext.Fit(strings.Join(parts, " "), m.width)
	if selected {
		return st.Selected.Render(line)
	}
	return line
}

func (m *Model) cellStyle(col string, status model.ExceptionStatus, expiring bool) lipgloss.Style {
	st := &m.com.Styles
	switch {
	case col == "Status":
		switch status {
		case model.StatusActive:
			return st.Good
		case model.StatusPending:
			return st.Warn
		case model.StatusInvalid:
			return st.Bad
		}
		return st.Muted
	case col == "Expires" && expiring:
		return st.Warn.Bold(true)
	}
	return st.Text
}

// shortKind abbreviates a kind for the table: enc, dmarc, risky.
func shortKind(k model.ExceptionKind) string {
	switch k {
	case model.KindEncryptedArchive:
		return "enc"
	case model.KindDMARCFail:
		return "dmarc"
	case model.KindRiskyType:
		return "risky"
	}
	return string(k)
}

// Legend explains the kind abbreviations.
const Legend = "kinds: enc encrypted-archive, dmarc dmarc-fail, risky risky-type; sender: a address, d domain"
