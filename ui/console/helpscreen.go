package console

import (
	"strings"
	"unicode"

	"charm.land/bubbles/v2/key"
	tea "charm.land/bubbletea/v2"
	"github.com/charmbracelet/x/ansi"

	"mxaudit/ui/console/auditview"
	"mxaudit/ui/console/excview"
	"mxaudit/ui/console/list"
	"mxaudit/ui/termtext"
)

// helpState is the help screen's scroll position and search: like less,
// "/" types a word and only the lines holding it are shown.
type helpState struct {
	offset int
	query  []rune
	typing bool
}

// openHelp shows the help of the active screen from its top.
func (m *Model) openHelp() {
	m.showHelp = true
	m.helpState = helpState{}
}

// handleHelpKey scrolls and searches the help screen; ? or esc closes it
// (esc first ends a search).
func (m *Model) handleHelpKey(msg tea.KeyPressMsg) tea.Cmd {
	k := &m.com.Keys
	hs := &m.helpState
	if hs.typing {
		switch {
		case key.Matches(msg, k.Apply):
			hs.typing = false
		case key.Matches(msg, k.Cancel):
			hs.typing, hs.query = false, nil
		case key.Matches(msg, k.DeleteChar):
			if n := len(hs.query); n > 0 {
				hs.query = hs.query[:n-1]
			}
		case key.Matches(msg, k.DeleteLine):
			hs.query = nil
		default:
			for _, r := range msg.Text {
				if unicode.IsPrint(r) {
					hs.query = append(hs.query, r)
				}
			}
		}
		hs.offset = 0
		return nil
	}
	page := max(1, m.bodyHeight-1)
	switch {
	case key.Matches(msg, k.Back) && len(hs.query) > 0:
		hs.query, hs.offset = nil, 0
	case key.Matches(msg, k.Help, k.Close):
		m.showHelp = false
	case key.Matches(msg, k.Filter):
		hs.typing, hs.query = true, nil
	case key.Matches(msg, k.Down):
		hs.offset++
	case key.Matches(msg, k.Up):
		hs.offset--
	case key.Matches(msg, k.PageDown):
		hs.offset += page
	case key.Matches(msg, k.PageUp):
		hs.offset -= page
	case key.Matches(msg, k.Home):
		hs.offset = 0
	case key.Matches(msg, k.End):
		hs.offset = 1 << 30
	}
	hs.offset = max(0, min(hs.offset, len(m.helpLines(m.com.Width))-m.bodyHeight))
	return nil
}

// helpBody draws the help screen's visible lines in w×h cells.
func (m *Model) helpBody(w, h int) []string {
	lines := m.helpLines(w)
	off := max(0, min(m.helpState.offset, len(lines)-h))
	return fitLines(strings.Join(lines[off:], "\n"), w, h)
}

// helpLines is the whole help of the active screen, narrowed to the
// lines that hold the search word when there is one.
func (m *Model) helpLines(w int) []string {
	h := m.help
	h.ShowAll = true
	st := &m.com.Styles
	var groups [][]key.Binding
	title := "Keys: " + m.screen.String()
	if c := m.active(); c != nil {
		groups = c.FullHelp()
	} else {
		groups = m.list.FullHelp()
	}
	var lines []string
	lines = append(lines, st.Section.Render(title))
	for start := 0; start < len(groups); {
		// Three groups side by side fit in 80 columns; the rest go under.
		end := len(groups)
		if w < 120 {
			end = min(end, start+3)
		}
		lines = append(lines, strings.Split(h.FullHelpView(groups[start:end]), "\n")...)
		start = end
	}
	if m.active() == nil {
		lines = append(lines, "", st.Section.Render("Columns"),
			" "+list.MarkerLegend,
			" "+list.DateLegend,
			" Att: ENC encrypted archive, RSK risky file, ERR unreadable, ok clean, - none",
			" SPF/DKIM: P pass, F fail, S softfail, N neutral, T/E temp/perm error, - none,",
			"   . not checked; p (pass~): DKIM pass for a domain not aligned with From",
			" DMARC: result/policy, e.g. F/r = fail under p=reject",
			" X (Exc): Y (#12) allowed by an exception, ~ (#12~) partly covered, - none",
			" PPAP: "+list.PPAPLegend,
			" * in the first column: marked for release, delete (space, V, *; u clears)",
			" Exceptions (E): "+excview.Legend,
			" Audit log (A): "+auditview.Legend)
	}
	lines = append(lines, "", st.Muted.Render(" ↑↓ pgup/pgdn scroll, / search, ? or esc close."))
	q := strings.ToLower(string(m.helpState.query))
	if q == "" {
		return lines
	}
	out := []string{st.Section.Render(title + " — lines with \"" + termtext.Sanitize(string(m.helpState.query)) + "\"")}
	for _, l := range lines[1:] {
		if strings.Contains(strings.ToLower(ansi.Strip(l)), q) {
			out = append(out, l)
		}
	}
	if len(out) == 1 {
		out = append(out, st.Muted.Render(" no help line holds it; esc shows all"))
	}
	return out
}

// helpSearchLine is the footer while a help search is typed.
func (m *Model) helpSearchLine(w int) string {
	k := &m.com.Keys
	st := &m.com.Styles
	hint := "  " + m.help.ShortHelpView([]key.Binding{k.Apply, k.Cancel})
	text := "search help: " + termtext.Sanitize(string(m.helpState.query))
	return st.FilterOn.Render(termtext.Truncate(text, max(0, w-termtext.Width(hint)-1))) + st.Selected.Render(" ") + hint
}
