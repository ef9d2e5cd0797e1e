// Package reportsview is the console's DMARC aggregate report view: the
// reports found among the messages of the source, summed up per reported
// domain (messages, DMARC pass ratio, SPF- and DKIM-aligned ratios, the
// dispositions receivers applied, the reporters) with the ranking of the
// sources that fail DMARC most. A cursor moves over the failing sources;
// the root model turns the selected one into a message-list filter.
//
// The root model reads the reports in a command and hands the summary
// over; the view only draws it and moves its cursor. Every string in a
// report comes from whoever sent it and is sanitised before drawing.
package reportsview

import (
	"fmt"
	"slices"
	"strconv"
	"strings"
	"time"

	"charm.land/bubbles/v2/key"
	"charm.land/bubbles/v2/viewport"
	tea "charm.land/bubbletea/v2"

	"mxaudit/analysis/dmarcreport"
	"mxaudit/ui/console/common"
	"mxaudit/ui/termtext"
)

// Empty is what the view says when no message of the source carries a
// report.
const Empty = "no DMARC aggregate reports among these messages"

// Model is the report view.
type Model struct {
	com *common.Common
	vp  viewport.Model

	loading bool
	sum     dmarcreport.Summary
	// read counts the messages read whole; problems the report parts that
	// could not be read.
	read, problems int

	// sources are the failing sources of every domain, in drawing order;
	// lineOf is the content line each one is drawn on.
	sources []*dmarcreport.FailingSource
	lineOf  []int
	cursor  int
	// asked are the addresses whose reverse names were asked for since
	// the summary was set (names.go).
	asked map[string]bool
}

// New returns a view that shows the reports are being read.
func New(com *common.Common) *Model {
	vp := viewport.New()
	vp.FillHeight = true
	return &Model{com: com, vp: vp, loading: true}
}

// SetSummary shows sum, summed from the reports found in read messages;
// problems counts report parts that could not be read.
func (m *Model) SetSummary(sum dmarcreport.Summary, read, problems int) {
	m.loading = false
	m.sum, m.read, m.problems = sum, read, problems
	m.sources = m.sources[:0]
	for i := range m.sum.Domains {
		d := &m.sum.Domains[i]
		for j := range d.FailingSources {
			m.sources = append(m.sources, &d.FailingSources[j])
		}
	}
	m.cursor = 0
	m.asked = nil
	m.refresh()
}

// Totals returns the distinct reports shown, the messages read whole
// and the report parts that could not be read.
func (m *Model) Totals() (reports, read, problems int) { return m.sum.Reports, m.read, m.problems }

// Loading reports whether the reports are still being read.
func (m *Model) Loading() bool { return m.loading }

// Selected returns the failing source under the cursor, or nil when there
// is none.
func (m *Model) Selected() *dmarcreport.FailingSource {
	if m.cursor < 0 || m.cursor >= len(m.sources) {
		return nil
	}
	return m.sources[m.cursor]
}

// SetSize implements common.Component.
func (m *Model) SetSize(width, height int) {
	m.vp.SetWidth(width)
	m.vp.SetHeight(height)
	m.refresh()
}

// Update moves the cursor over the failing sources on up and down, and
// scrolls on the other scrolling keys.
func (m *Model) Update(msg tea.KeyPressMsg) {
	k := &m.com.Keys
	switch {
	case key.Matches(msg, k.Up):
		m.moveCursor(-1)
	case key.Matches(msg, k.Down):
		m.moveCursor(1)
	default:
		m.com.ScrollViewport(&m.vp, msg, false)
	}
}

func (m *Model) moveCursor(delta int) {
	if len(m.sources) == 0 {
		m.vp.ScrollDown(delta)
		return
	}
	m.cursor = max(0, min(len(m.sources)-1, m.cursor+delta))
	m.refresh()
}

// ShortHelp implements help.KeyMap.
func (m *Model) ShortHelp() []key.Binding {
	k := &m.com.Keys
	return []key.Binding{k.Down, k.PageDown, k.FilterSource, k.Close}
}

// FullHelp implements help.KeyMap.
func (m *Model) FullHelp() [][]key.Binding {
	k := &m.com.Keys
	return [][]key.Binding{{k.Up, k.Down, k.PageUp, k.PageDown, k.Home, k.End}, {k.FilterSource, k.Close}}
}

// View implements common.Component.
func (m *Model) View() string { return m.vp.View() }

func (m *Model) refresh() {
	w := m.vp.Width()
	if w <= 0 {
		return
	}
	st := &m.com.Styles
	var lines []string
	add := func(s string) { lines = append(lines, termtext.Truncate(s, w)) }
	head := " DMARC reports"
	switch {
	case m.loading:
		head += " — reading the report mails"
	default:
		head += ": " + termtext.Count(m.sum.Reports, "report") + ", " + termtext.Count(int(m.sum.Messages), "message") +
			", in " + termtext.Count(m.read, "mail") + " read"
	}
	lines = append(lines, st.Title.Render(termtext.Fit(head, w)))
	if m.problems > 0 {
		add(st.Warn.Render(fmt.Sprintf(" %d report attachment(s) could not be read", m.problems)))
	}
	if !m.loading && m.sum.Reports == 0 {
		add("")
		add(" " + Empty)
	}
	m.lineOf = m.lineOf[:0]
	for i := range m.sum.Domains {
		lines = append(lines, "")
		lines = m.domain(lines, &m.sum.Domains[i], w)
	}
	for i := range lines {
		lines[i] = termtext.Truncate(lines[i], w)
	}
	m.vp.SetContentLines(lines)
	m.keepCursorShown()
}

// keepCursorShown scrolls so that the cursor's line is on screen.
func (m *Model) keepCursorShown() {
	if m.cursor >= len(m.lineOf) {
		return
	}
	line, h := m.lineOf[m.cursor], m.vp.Height()
	switch {
	case line < m.vp.YOffset():
		m.vp.SetYOffset(line)
	case h > 0 && line >= m.vp.YOffset()+h:
		m.vp.SetYOffset(line - h + 1)
	}
}

// domain draws one reported domain and records where its failing sources
// are drawn.
func (m *Model) domain(lines []string, d *dmarcreport.DomainSummary, w int) []string {
	st := &m.com.Styles
	lines = append(lines, st.Section.Render(fmt.Sprintf(" %s", termtext.Sanitize(d.Domain)))+
		fmt.Sprintf("  %s – %s  p=%s  %s, %s",
			date(d.Begin), date(d.End), termtext.Sanitize(orDash(d.Policy)), termtext.Count(d.Reports, "report"), termtext.Count(int(d.Messages), "message")))
	lines = append(lines,
		fmt.Sprintf("   DMARC pass %s   SPF aligned %s   DKIM aligned %s",
			ratio(d.DMARCPass, d.Messages), ratio(d.SPFAligned, d.Messages), ratio(d.DKIMAligned, d.Messages)),
		"   Dispositions applied:"+dispositions(d.Dispositions))
	var reps []string
	for _, r := range d.Reporters {
		reps = append(reps, fmt.Sprintf("%s %d/%d", termtext.Sanitize(orDash(r.OrgName)), r.Reports, r.Messages))
	}
	lines = append(lines, "   Reporters (reports/messages): "+strings.Join(reps, ", "))
	if len(d.FailingSources) == 0 {
		return append(lines, "   No failing source.")
	}
	lines = append(lines, fmt.Sprintf("   Failing sources (top %d of %d)", len(d.FailingSources), d.FailingSourcesTotal))
	ipW := len("SOURCE IP")
	for _, f := range d.FailingSources {
		ipW = max(ipW, min(termtext.Width(termtext.Sanitize(f.IP)), 39))
	}
	const msgW = 8
	lines = append(lines, st.Header.Render(termtext.Fit(fmt.Sprintf("     %s %s  %s", termtext.Fit("SOURCE IP", ipW),
		termtext.FitRight("MESSAGES", msgW), "REVERSE DNS / FROM / ENVELOPE FROM / DKIM"), w)))
	for i := range d.FailingSources {
		f := &d.FailingSources[i]
		idx := len(m.lineOf)
		who := []string{orDash(f.ReverseDNS), orDash(strings.Join(f.HeaderFrom, ",")),
			orDash(strings.Join(f.EnvelopeFrom, ",")), orDash(strings.Join(f.DKIMDomains, ","))}
		marker := "   "
		if idx == m.cursor {
			marker = " ▸ "
		}
		line := fmt.Sprintf("%s  %s %s  %s", marker, termtext.Fit(termtext.Sanitize(f.IP), ipW),
			termtext.FitRight(strconv.FormatInt(f.Messages, 10), msgW), termtext.Sanitize(strings.Join(who, " / ")))
		if idx == m.cursor {
			line = st.Selected.Render(termtext.Fit(line, w))
		}
		m.lineOf = append(m.lineOf, len(lines))
		lines = append(lines, line)
	}
	return lines
}

// ratio is part of whole as a percentage with the counts.
func ratio(part, whole int64) string {
	if whole <= 0 {
		return "-"
	}
	return fmt.Sprintf("%.1f%% (%d)", 100*float64(part)/float64(whole), part)
}

// dispositions lists the standard dispositions in a fixed order, then any
// other a reporter made up.
func dispositions(m map[string]int64) string {
	var b strings.Builder
	std := []string{"none", "quarantine", "reject"}
	for _, k := range std {
		fmt.Fprintf(&b, " %s %d", k, m[k])
	}
	var other []string
	for k := range m {
		if k != "none" && k != "quarantine" && k != "reject" {
			other = append(other, k)
		}
	}
	slices.Sort(other)
	for _, k := range other {
		fmt.Fprintf(&b, " %s %d", termtext.Sanitize(k), m[k])
	}
	return b.String()
}

func date(t time.Time) string {
	if t.IsZero() {
		return "?"
	}
	return t.UTC().Format(time.DateOnly)
}

func orDash(s string) string {
	if s == "" {
		return "-"
	}
	return s
}
