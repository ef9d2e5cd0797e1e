// Package statsview is the console's statistics view: authentication
// results, the dispositions DMARC policies ask for, encrypted, risky and
// PPAP-paired mail over time, and the From domains failing DMARC most,
// over the messages the active filter shows. The root model computes the
// model.Stats (while the scan runs, too) and hands them over; the view
// only draws them, in two columns when the terminal is wide.
package statsview

import (
	"fmt"
	"strings"

	"charm.land/bubbles/v2/key"
	"charm.land/bubbles/v2/viewport"
	tea "charm.land/bubbletea/v2"
	"charm.land/lipgloss/v2"

	"mxaudit/model"
	"mxaudit/ui/console/common"
	"mxaudit/ui/termtext"
)

// twoColumns is the width from which the charts sit side by side.
const twoColumns = 120

// Model is the statistics view.
type Model struct {
	com     *common.Common
	vp      viewport.Model
	stats   model.Stats
	filter  string
	running bool
}

// New returns an empty statistics view.
func New(com *common.Common) *Model {
	vp := viewport.New()
	vp.FillHeight = true
	return &Model{com: com, vp: vp}
}

// SetStats shows s, computed over the messages filter (its description,
// "" for none) shows; running says the scan is still adding messages.
func (m *Model) SetStats(s model.Stats, filter string, running bool) {
	m.stats, m.filter, m.running = s, filter, running
	m.refresh()
}

// SetSize implements common.Component.
func (m *Model) SetSize(width, height int) {
	m.vp.SetWidth(width)
	m.vp.SetHeight(height)
	m.refresh()
}

// Update scrolls the view.
func (m *Model) Update(msg tea.KeyPressMsg) {
	m.com.ScrollViewport(&m.vp, msg, false)
}

// ShortHelp implements help.KeyMap.
func (m *Model) ShortHelp() []key.Binding {
	k := &m.com.Keys
	return []key.Binding{k.Down, k.PageDown, k.QuickEncrypted, k.QuickDMARC, k.ClearFilter, k.Close}
}

// FullHelp implements help.KeyMap.
func (m *Model) FullHelp() [][]key.Binding { return [][]key.Binding{m.ShortHelp()} }

// View implements common.Component.
func (m *Model) View() string { return m.vp.View() }

func (m *Model) refresh() {
	w := m.vp.Width()
	if w <= 0 {
		return
	}
	st := &m.com.Styles
	s := &m.stats
	head := fmt.Sprintf(" Statistics over %d messages", s.Messages)
	if m.filter != "" {
		head += " (filter " + termtext.Sanitize(m.filter) + ")"
	}
	if m.running {
		head += " — scan running, updating"
	}
	totals := fmt.Sprintf(" encrypted %d, risky %d, PPAP pairs %d, undated %d", s.Encrypted, s.Risky, s.PPAPPairs, s.Undated)
	if s.SuspectDates > 0 || s.Delivered > 0 {
		// Implausible dates are not charted; say so, with the count.
		totals += fmt.Sprintf(", %d implausible (not charted), %d by delivery time", s.SuspectDates, s.Delivered)
	}
	lines := []string{st.Title.Render(termtext.Fit(head, w)), totals, ""}
	colour := resultColour(st)
	colW := w - 1
	if w >= twoColumns {
		colW = (w - 3) / 2
	}
	var left, right []string
	left = append(left, barChart(st, "SPF", s.SPF.Bars(), colW, true, colour)...)
	left = append(left, "")
	left = append(left, barChart(st, "DKIM", s.DKIM.Bars(), colW, true, colour)...)
	left = append(left, "")
	left = append(left, barChart(st, "DMARC", s.DMARC.Bars(), colW, true, colour)...)
	left = append(left, "")
	left = append(left, barChart(st, "DMARC disposition requested", s.Dispositions.Bars(), colW, true, colour)...)
	right = append(right, series(st, s.Series, colW)...)
	right = append(right, "")
	var domains []model.Bar
	for _, d := range s.FailingDomains {
		label := d.Domain
		if label == "" {
			label = "(no From domain)"
		}
		domains = append(domains, model.Bar{Label: label, Count: d.Messages})
	}
	right = append(right, barChart(st, fmt.Sprintf("Top %d From domains failing DMARC", model.TopFailingDomains),
		domains, colW, false, func(string) lipgloss.Style { return st.Bad })...)
	if w >= twoColumns {
		lines = append(lines, sideBySide(left, right, colW)...)
	} else {
		lines = append(lines, left...)
		lines = append(lines, "")
		lines = append(lines, right...)
	}
	for i := range lines {
		lines[i] = termtext.Truncate(lines[i], w)
	}
	m.vp.SetContentLines(lines)
}

// sideBySide joins two columns of lines, the left one padded to width.
func sideBySide(left, right []string, width int) []string {
	n := max(len(left), len(right))
	out := make([]string, n)
	for i := range n {
		l, r := "", ""
		if i < len(left) {
			l = termtext.Truncate(left[i], width)
		}
		if i < len(right) {
			r = right[i]
		}
		out[i] = l + strings.Repeat(" ", max(0, width-termtext.Width(l))) + " │ " + r
	}
	return out
}
