package console

import (
	"slices"

	"charm.land/bubbles/v2/help"
	"charm.land/bubbles/v2/key"

	"mxaudit/ui/console/keys"
	"mxaudit/ui/termtext"
)

// footer shows the filter editor while it is open, else the key hints of
// whatever has the keys, always ending with "? help" (defect 3 of issue
// 15).
func (m *Model) footer(w int) string {
	if m.filter.active {
		return m.filterLine(w)
	}
	if m.showHelp && m.helpState.typing {
		return m.helpSearchLine(w)
	}
	var km help.KeyMap = keys.ListHelp{KeyMap: &m.com.Keys}
	switch {
	case m.dialogs.Len() > 0:
		return m.help.ShortHelpView(m.dialogs.Top().ShortHelp())
	case m.showHelp:
		km = keys.HelpScreenHelp{KeyMap: &m.com.Keys}
	case m.fullScreen():
		km = m.active()
	case m.detailOpen:
		km = detailHints{m}
	}
	return m.fitHints(km.ShortHelp(), w)
}

// fitHints draws hints in w cells, ending with quit or close (where the
// hints have them) and help: the other hints are dropped from the end until the line
// fits, so the way to the help is never cut off.
func (m *Model) fitHints(hints []key.Binding, w int) string {
	k := &m.com.Keys
	var others, tail []key.Binding
	for _, b := range hints {
		switch {
		case sameBinding(b, k.Help):
		case sameBinding(b, k.Quit), sameBinding(b, k.Close):
			tail = append(tail, b) // the way out stays beside the help
		default:
			others = append(others, b)
		}
	}
	tail = append(tail, k.Help)
	h := m.help
	h.SetWidth(0) // measure, never cut
	for n := len(others); n >= 0; n-- {
		line := h.ShortHelpView(append(slices.Clone(others[:n]), tail...))
		if termtext.Width(line) <= w {
			return line
		}
	}
	return h.ShortHelpView([]key.Binding{k.Help})
}

// sameBinding reports whether a and b are bound to the same keys.
func sameBinding(a, b key.Binding) bool { return slices.Equal(a.Keys(), b.Keys()) }
