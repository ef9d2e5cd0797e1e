// Package list is the message list pane: a header of column titles and
// one row per message, virtualised so that drawing costs the same with
// twenty messages or a hundred thousand.
package list

import (
	"strings"
	"time"

	"charm.land/bubbles/v2/key"
	tea "charm.land/bubbletea/v2"

	"mxaudit/model"
	"mxaudit/ui/console/common"
	"mxaudit/ui/console/keys"
	"mxaudit/ui/termtext"
)

// Model is the list pane. It draws the rows of a model.Table it shares
// with the root model, which owns sorting and filtering.
type Model struct {
	com    *common.Common
	table  *model.Table
	width  int
	height int
	layout layout
	// offset is the index of the first row drawn. It is changed only in
	// Update and Sync, never while drawing.
	offset int
	// marked reports whether a message is marked for a bulk action; the
	// root model owns the marks.
	marked func(model.MessageID) bool
}

// SetMarked tells the list how to know which rows are marked.
func (m *Model) SetMarked(marked func(model.MessageID) bool) { m.marked = marked }

// New returns a list pane drawing table.
func New(com *common.Common, table *model.Table) *Model {
	return &Model{com: com, table: table}
}

// SetSize sets the pane's size in cells, the header line included.
func (m *Model) SetSize(width, height int) {
	m.width, m.height = width, height
	m.layout = newLayout(width)
	m.Sync()
}

// Rows is the number of message rows that fit in the pane.
func (m *Model) Rows() int { return max(0, m.height-1) }

// ShortHelp implements help.KeyMap.
func (m *Model) ShortHelp() []key.Binding { return keys.ListHelp{KeyMap: &m.com.Keys}.ShortHelp() }

// FullHelp implements help.KeyMap.
func (m *Model) FullHelp() [][]key.Binding { return keys.ListHelp{KeyMap: &m.com.Keys}.FullHelp() }

// Sync scrolls so that the selected row is visible. The root model calls
// it after anything that changed the table (new messages, a sort, a
// filter).
func (m *Model) Sync() { m.offset = m.visibleOffset() }

// visibleOffset is the scroll offset that keeps the cursor in view,
// computed without changing the model.
func (m *Model) visibleOffset() int {
	rows := m.Rows()
	n := m.table.Len()
	off := m.offset
	cur := m.table.Cursor()
	if cur >= 0 {
		if cur < off {
			off = cur
		}
		if rows > 0 && cur >= off+rows {
			off = cur - rows + 1
		}
	}
	return max(0, min(off, n-rows))
}

// Update handles the list's movement keys and reports whether the key was
// one of them.
func (m *Model) Update(msg tea.KeyPressMsg) bool {
	k := &m.com.Keys
	page := max(1, m.Rows()-1)
	switch {
	case key.Matches(msg, k.Up):
		m.table.MoveCursor(-1)
	case key.Matches(msg, k.Down):
		m.table.MoveCursor(1)
	case key.Matches(msg, k.PageUp):
		m.table.MoveCursor(-page)
		m.offset -= page
	case key.Matches(msg, k.PageDown):
		m.table.MoveCursor(page)
		m.offset += page
	case key.Matches(msg, k.Home):
		m.table.SetCursor(0)
	case key.Matches(msg, k.End):
		m.table.SetCursor(m.table.Len() - 1)
	default:
		return false
	}
	m.Sync()
	return true
}

// Scroll moves the selection by delta rows, for the mouse wheel.
func (m *Model) Scroll(delta int) {
	m.table.MoveCursor(delta)
	m.Sync()
}

// Click handles a mouse click at (x, y) relative to the pane: on the
// header it returns the column to sort by; on a row it selects that row.
func (m *Model) Click(x, y int) (model.Column, bool) {
	if y == 0 {
		return m.layout.columnAt(x)
	}
	row := m.offset + y - 1
	if y > 0 && row < m.table.Len() {
		m.table.SetCursor(row)
		m.Sync()
	}
	return 0, false
}

// View draws the header and the visible rows.
func (m *Model) View() string {
	if m.width <= 0 || m.height <= 0 {
		return ""
	}
	var b strings.Builder
	b.WriteString(m.header())
	off := m.visibleOffset()
	end := min(m.table.Len(), off+m.Rows())
	cur := m.table.Cursor()
	now := m.com.Now()
	for i := off; i < end; i++ {
		b.WriteByte('\n')
		b.WriteString(m.row(m.table.RowAt(i), i == cur, now))
	}
	for i := end - off; i < m.Rows(); i++ {
		b.WriteByte('\n')
		if i == 0 && m.table.Len() == 0 {
			b.WriteString(m.com.Styles.Muted.Render(termtext.Fit(m.emptyText(), m.width)))
			continue
		}
		b.WriteString(strings.Repeat(" ", m.width))
	}
	return b.String()
}

func (m *Model) emptyText() string {
	if m.table.Total() == 0 {
		return " no messages yet"
	}
	return " no message matches the filter"
}

func (m *Model) header() string {
	st := &m.com.Styles
	sort := m.table.Sort()
	var b strings.Builder
	for i, c := range m.layout.cols {
		if i > 0 {
			b.WriteString(st.Header.Render(" "))
		}
		title := c.title
		if m.layout.compact {
			title = c.short
		}
		style := st.Header
		if c.col == sort.Column && c.width == 1 {
			// No room for an arrow: the letter stays, styled; the top
			// bar says "sort … ↑" in words (defect 8 of issue 15).
			style = st.SortedCol
		} else if c.col == sort.Column {
			style = st.SortedCol
			arrow := "↑"
			if sort.Desc {
				arrow = "↓"
			}
			title = termtext.Truncate(title, c.width-1)
			if c.width > 1 && termtext.Width(title) == c.width-1 && c.width < termtext.Width(c.title)+1 {
				// A cut title: drop the ellipsis for one more letter.
				title = cutPlain(c.title, c.width-1)
			}
			title += arrow
		}
		b.WriteString(style.Render(fit(title, c.width, c.alignRight)))
	}
	return b.String()
}

// CursorMark stands between the first two columns of the selected row:
// the cursor shows without colour or reverse video (TERM=dumb, NO_COLOR),
// as mutt's "->" does (defect 7 of issue 15).
const CursorMark = '>'

// row draws one message. The selected row is drawn as plain text in the
// selection style, so that it reads the same in every palette, and
// carries CursorMark.
func (m *Model) row(msg *model.Row, selected bool, now time.Time) string {
	st := &m.com.Styles
	var b strings.Builder
	for i, c := range m.layout.cols {
		switch {
		case i == 1 && selected:
			b.WriteByte(CursorMark)
		case i > 0:
			b.WriteByte(' ')
		}
		text, style := cell(st, msg, c.col, m.layout.compact, now)
		if c.col == model.ColumnMarker && m.marked != nil && m.marked(msg.ID()) {
			// The mark takes the severity's place: the verdict columns
			// still say why the row is interesting.
			text, style = "*", st.Marked
		}
		text = fit(text, c.width, c.alignRight)
		if selected {
			b.WriteString(text)
		} else {
			b.WriteString(style.Render(text))
		}
	}
	if selected {
		return st.Selected.Render(b.String())
	}
	return b.String()
}

// cutPlain returns the first width cells of s without an ellipsis.
func cutPlain(s string, width int) string {
	out := ""
	for _, r := range s {
		if termtext.Width(out+string(r)) > width {
			break
		}
		out += string(r)
	}
	return out
}

func fit(s string, width int, right bool) string {
	if right {
		return termtext.FitRight(s, width)
	}
	return termtext.Fit(s, width)
}
