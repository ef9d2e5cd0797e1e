package console

import (
	"strings"
	"unicode"

	"charm.land/bubbles/v2/key"
	tea "charm.land/bubbletea/v2"

	"mxaudit/model"
	"mxaudit/ui/console/keys"
	"mxaudit/ui/termtext"
)

// filterInput is the one-line editor of the text filter. It is kept
// minimal and deterministic (no blinking cursor) on purpose: the list
// re-filters on every keystroke, and golden tests must not depend on a
// blink timer.
type filterInput struct {
	active bool
	text   []rune
	before model.Filter // restored when the operator cancels
	// err says why the text is not a valid query (the list keeps the
	// last valid one meanwhile).
	err string
}

// startFilter opens the editor on the current text filter.
func (m *Model) startFilter() {
	f := m.table.Filter()
	m.filter = filterInput{active: true, text: []rune(f.Text), before: f}
}

// handleFilterKey edits the filter text and re-filters the list on every
// change, so the list narrows while the operator types.
func (m *Model) handleFilterKey(msg tea.KeyPressMsg) tea.Cmd {
	k := &m.com.Keys
	switch {
	case key.Matches(msg, k.Apply):
		m.filter.active = false
		return nil
	case key.Matches(msg, k.Cancel):
		m.filter.active = false
		m.table.SetFilter(m.filter.before)
		return m.selectionChanged()
	}
	switch {
	case key.Matches(msg, k.DeleteChar):
		if n := len(m.filter.text); n > 0 {
			m.filter.text = m.filter.text[:n-1]
		}
	case key.Matches(msg, k.DeleteLine):
		m.filter.text = m.filter.text[:0]
	case key.Matches(msg, k.DeleteWord):
		t := strings.TrimRightFunc(string(m.filter.text), unicode.IsSpace)
		i := strings.LastIndexFunc(t, unicode.IsSpace)
		m.filter.text = []rune(t[:i+1])
	default:
		if msg.Text == "" {
			return nil
		}
		// Pasted or typed text: only printable characters go in.
		for _, r := range msg.Text {
			if unicode.IsPrint(r) {
				m.filter.text = append(m.filter.text, r)
			}
		}
	}
	text := string(m.filter.text)
	m.filter.err = ""
	if model.IsQuery(text) {
		if _, err := model.ParseQuery(text); err != nil {
			m.filter.err = err.Error()
			return nil
		}
	}
	f := m.table.Filter()
	f.Text = text
	m.table.SetFilter(f)
	return m.selectionChanged()
}

// filterLine draws the editor for the footer.
func (m *Model) filterLine(width int) string {
	st := &m.com.Styles
	prompt := "filter: "
	text := termtext.Sanitize(string(m.filter.text))
	// The keys that end the editing, on the right while there is room.
	hint := "  " + m.help.ShortHelpView(keys.FilterHelp{KeyMap: &m.com.Keys}.ShortHelp())
	if m.filter.err != "" {
		hint = "  " + st.ErrorText.Render(termtext.Sanitize(m.filter.err))
	}
	if termtext.Width(prompt)+termtext.Width(hint)+20 > width {
		hint = ""
	}
	// Keep the end of the text, where the operator is typing, in view.
	room := max(0, width-termtext.Width(prompt)-termtext.Width(hint)-1)
	for termtext.Width(text) > room {
		_, size := firstRune(text)
		text = text[size:]
	}
	line := st.FilterOn.Render(prompt) + text + st.Selected.Render(" ")
	if hint != "" {
		line += strings.Repeat(" ", max(0, width-termtext.Width(line)-termtext.Width(hint))) + hint
	}
	return line
}

func firstRune(s string) (rune, int) {
	for i, r := range s {
		if i > 0 {
			return r, i
		}
	}
	return 0, len(s)
}
