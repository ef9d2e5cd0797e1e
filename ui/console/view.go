package console

import (
	"fmt"
	"strings"

	"charm.land/bubbles/v2/key"
	tea "charm.land/bubbletea/v2"

	"mxaudit/ui/console/styles"
	"mxaudit/ui/termtext"
)

// bodyTop is the screen line where the body starts, below the top bar.
const bodyTop = 1

// relayout recomputes the geometry after a resize or a change of panes,
// and tells every component its size.
func (m *Model) relayout() {
	w, h := m.com.Width, m.com.Height
	m.statusHeight = m.statusLinesWanted()
	m.bodyHeight = max(0, h-2-m.statusHeight) // top bar, status lines, footer
	m.listWidth, m.listHeight = w, m.bodyHeight
	m.help.SetWidth(w)
	if c := m.active(); c != nil {
		c.SetSize(w, m.bodyHeight)
	}
	if m.detailOpen {
		if m.detailSide {
			dw := w * m.detailShare / 100
			m.listWidth = max(0, w-dw-1) // one column for the divider
			m.detail.SetSize(dw, m.bodyHeight)
		} else {
			dh := m.bodyHeight * m.detailShare / 100
			m.listHeight = max(0, m.bodyHeight-dh-1) // one line for the divider
			m.detail.SetSize(w, dh)
		}
	}
	m.list.SetSize(m.listWidth, m.listHeight)
}

// View implements tea.Model. It only reads the model.
func (m *Model) View() tea.View {
	var v tea.View
	v.AltScreen = true
	v.WindowTitle = "mxaudit " + termtext.Sanitize(m.cfg.Title)
	if m.com.Mouse {
		v.MouseMode = tea.MouseModeCellMotion
	}
	w, h := m.com.Width, m.com.Height
	if w <= 0 || h <= 0 {
		return v
	}
	if h < 4 || w < 10 {
		v.SetContent(termtext.Truncate("mxaudit: terminal too small", w))
		return v
	}
	lines := make([]string, 0, h)
	lines = append(lines, m.topBar(w))
	lines = append(lines, m.body(w)...)
	lines = append(lines, m.statusBlock(w)...)
	lines = append(lines, fitLines(m.footer(w), w, 1)[0])
	frame := strings.Join(lines, "\n")
	if m.dialogs.Len() > 0 {
		frame = strings.Join(fitLines(m.dialogs.Render(frame, w, h), w, h), "\n")
	}
	v.SetContent(frame)
	return v
}

func (m *Model) body(w int) []string {
	bh := m.bodyHeight
	switch {
	case m.showHelp:
		return m.helpBody(w, bh)
	case m.fullScreen():
		return fitLines(m.active().View(), w, bh)
	case m.scan.err != nil && m.table.Total() == 0:
		return fitLines(m.errorScreen(w), w, bh)
	}
	listLines := fitLines(m.list.View(), m.listWidth, m.listHeight)
	if !m.detailOpen {
		return listLines
	}
	st := &m.com.Styles
	if m.detailSide {
		dw := w - m.listWidth - 1
		detailLines := fitLines(m.detail.View(), dw, bh)
		out := make([]string, bh)
		bar := st.Divider.Render("│")
		for i := range out {
			out[i] = listLines[i] + bar + detailLines[i]
		}
		return out
	}
	dh := bh - m.listHeight - 1
	title := "─ details "
	if sel := m.detail.Message(); sel != nil && sel.Subject != "" {
		title += "─ " + termtext.Sanitize(sel.Subject) + " "
	}
	title = termtext.Truncate(title, w)
	divider := st.Divider.Render(title + strings.Repeat("─", max(0, w-termtext.Width(title))))
	out := append(listLines, divider)
	return append(out, fitLines(m.detail.View(), w, dh)...)
}

// topBar shows the source, the shown/total counts, the sort and the
// active filter.
func (m *Model) topBar(w int) string {
	st := &m.com.Styles
	left := " mxaudit " + termtext.Sanitize(m.cfg.Title)
	right := fmt.Sprintf("%s  sort %s ", m.position(), m.table.Sort())
	if n := m.marks.len(); n > 0 {
		shown := m.marksShown()
		if shown == n {
			right = fmt.Sprintf("%s marked  ", thousands(n)) + right
		} else {
			right = fmt.Sprintf("%s marked (%s shown)  ", thousands(n), thousands(shown)) + right
		}
	}
	if f := m.table.Filter(); !f.IsZero() {
		right = "filter " + termtext.Sanitize(f.String()) + "  " + right
	}
	room := w - termtext.Width(right)
	if room < 10 {
		right = termtext.Truncate(right, max(0, w-10))
		room = w - termtext.Width(right)
	}
	return st.Title.Render(termtext.Fit(left, room-1) + " " + right)
}

// position is the cursor's row among the shown messages and, when a
// filter hides some, the total: "12/65", "3/14 of 65".
func (m *Model) position() string {
	n, total := m.table.Len(), m.table.Total()
	cur := 0
	if n > 0 {
		cur = m.table.Cursor() + 1
	}
	pos := thousands(cur) + "/" + thousands(n)
	if n != total {
		pos += " of " + thousands(total)
	}
	return pos
}

// statusLine shows a running action's progress, the outcome of the last
// action, the scan's progress, or its outcome.
func (m *Model) statusLine(w int) string {
	st := &m.com.Styles
	p := m.scan.progress
	var text string
	switch {
	case m.action.running:
		text = " " + m.action.progressText()
		if barW := w - termtext.Width(text) - 2; barW >= 10 {
			return st.Status.Render(text+" ") + progressBar(st, m.action.done, m.action.total, min(barW, 40))
		}
		return st.Status.Render(termtext.Fit(text, w))
	case m.notice.text != "":
		style := st.Status
		if m.notice.bad {
			style = st.ErrorText
		}
		return style.Render(termtext.Fit(" "+termtext.Sanitize(m.notice.text), w))
	case m.scan.err != nil:
		return st.ErrorText.Render(termtext.Fit(" scan stopped: "+termtext.Sanitize(m.scan.err.Error()), w))
	case m.scan.ahead != nil && !m.scan.aheadStale:
		text = " the list of the last start: checking it against the quarantine…"
	case m.scan.ahead != nil:
		text = fmt.Sprintf(" the list of the last start, out of date: listing the quarantine again; analysed %s / %s",
			thousands(p.Analysed), thousands(p.Listed))
	case m.scan.running:
		total := thousands(p.Listed)
		if !p.Done {
			total += "+"
		}
		text = fmt.Sprintf(" analysed %s / %s ", thousands(p.Analysed), total)
		if barW := w - termtext.Width(text) - 2; barW >= 10 {
			return st.Status.Render(text) + progressBar(st, p.Analysed, p.Listed, min(barW, 40))
		}
	case m.tempErrorBanner() != "":
		return st.Warn.Render(termtext.Fit(m.tempErrorBanner(), w))
	case m.cfg.Source == nil:
		text = " no scan"
	default:
		text = fmt.Sprintf(" scan complete: %s messages", thousands(m.table.Total()))
		if p.Skipped > 0 {
			text += fmt.Sprintf(", %s files skipped (not mail)", thousands(p.Skipped))
		}
	}
	return st.Status.Render(termtext.Fit(text, w))
}

// progressBar draws done/total as a bar of width cells, in characters
// that read without colour: "[#####.....]".
func progressBar(st *styles.Styles, done, total, width int) string {
	inner := width - 2
	filled := 0
	if total > 0 {
		filled = min(inner, inner*done/total)
	}
	return "[" + st.ProgressFull.Render(strings.Repeat("#", filled)) +
		st.ProgressEmpty.Render(strings.Repeat(".", inner-filled)) + "]"
}

// detailHints mixes the list's and the detail pane's hints for the footer
// while the pane is open.
type detailHints struct{ m *Model }

// ShortHelp implements help.KeyMap.
func (d detailHints) ShortHelp() []key.Binding {
	k := &d.m.com.Keys
	return []key.Binding{k.Down, k.DetailDown, k.Detail, k.DetailGrow, k.DetailSide, k.Headers, k.Raw, k.DomainCheck, k.Help}
}

// FullHelp implements help.KeyMap.
func (d detailHints) FullHelp() [][]key.Binding { return d.m.list.FullHelp() }

func (m *Model) errorScreen(w int) string {
	st := &m.com.Styles
	return strings.Join([]string{
		"",
		st.ErrorText.Render(" The source could not be read."),
		"",
		" " + termtext.Sanitize(m.scan.err.Error()),
		"",
		st.Muted.Render(" Check the path or the connection settings and start mxaudit again. Press q to quit."),
	}, "\n")
}

// fitLines splits s into exactly height lines of exactly width cells,
// cutting or padding as needed, so that no component can break the frame.
func fitLines(s string, width, height int) []string {
	lines := strings.Split(s, "\n")
	out := make([]string, height)
	for i := range out {
		line := ""
		if i < len(lines) {
			line = lines[i]
		}
		lw := termtext.Width(line)
		switch {
		case lw > width:
			line = termtext.Truncate(line, width)
			lw = termtext.Width(line)
		}
		if lw < width {
			line += strings.Repeat(" ", width-lw)
		}
		out[i] = line
	}
	return out
}

// thousands formats n with comma separators: 20,000.
func thousands(n int) string {
	s := fmt.Sprint(n)
	if n < 0 {
		return "-" + thousands(-n)
	}
	for i := len(s) - 3; i > 0; i -= 3 {
		s = s[:i] + "," + s[i:]
	}
	return s
}
