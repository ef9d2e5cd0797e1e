// Package checkview is the console's domain check view: the audit of a
// domain's SPF record (with its include tree and DNS lookup counts) and
// DMARC record, with every finding graded, in a scrollable full-screen
// view. The root model runs domaincheck.Check in a command and hands the
// report over; everything in it was published in DNS by whoever controls
// the domain and is sanitised before drawing.
package checkview

import (
	"errors"
	"fmt"
	"strings"

	"charm.land/bubbles/v2/key"
	"charm.land/bubbles/v2/viewport"
	tea "charm.land/bubbletea/v2"
	"charm.land/lipgloss/v2"

	"mxaudit/analysis/domaincheck"
	"mxaudit/ui/console/common"
	"mxaudit/ui/termtext"
)

// Model is the domain check view.
type Model struct {
	com     *common.Common
	vp      viewport.Model
	domain  string
	loading bool
	rep     *domaincheck.Report
	err     error
}

// New returns a view of the check of domain, still running.
func New(com *common.Common, domain string) *Model {
	vp := viewport.New()
	vp.FillHeight = true
	return &Model{com: com, vp: vp, domain: domain, loading: true}
}

// Domain returns the domain the view checks.
func (m *Model) Domain() string { return m.domain }

// SetReport shows the check's result: the report, the error that stopped
// it, or both (a report as far as DNS answered).
func (m *Model) SetReport(rep *domaincheck.Report, err error) {
	m.loading, m.rep, m.err = false, rep, err
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
	m.com.ScrollViewport(&m.vp, msg, true)
}

// ShortHelp implements help.KeyMap.
func (m *Model) ShortHelp() []key.Binding {
	k := &m.com.Keys
	return []key.Binding{k.Down, k.PageDown, k.Home, k.End, k.Right, k.Close}
}

// FullHelp implements help.KeyMap.
func (m *Model) FullHelp() [][]key.Binding {
	k := &m.com.Keys
	return [][]key.Binding{{k.Up, k.Down, k.PageUp, k.PageDown}, {k.Home, k.End, k.Left, k.Right, k.Close}}
}

// View implements common.Component.
func (m *Model) View() string { return m.vp.View() }

func (m *Model) refresh() {
	w := m.vp.Width()
	if w <= 0 {
		return
	}
	st := &m.com.Styles
	head := " Domain check: " + termtext.Sanitize(m.domain)
	if m.loading {
		head += " — querying DNS"
	}
	lines := []string{st.Title.Render(termtext.Fit(head, w))}
	if m.err != nil {
		lines = append(lines, st.ErrorText.Render(" "+termtext.Sanitize(m.err.Error())))
	}
	// After a DNS failure the report is partial: drawing it would say "no
	// record" where nobody could tell (issue 13).
	if m.rep != nil && !errors.Is(m.err, domaincheck.ErrUnavailable) {
		lines = append(lines, m.report(w)...)
	}
	m.vp.SetContentLines(lines)
}

// report draws the SPF section, the DMARC section, the DKIM keys and the
// totals.
func (m *Model) report(w int) []string {
	st := &m.com.Styles
	rep := m.rep
	var lines []string
	add := func(format string, args ...any) { lines = append(lines, fmt.Sprintf(format, args...)) }
	section := func(s string) { lines = append(lines, "", st.Section.Render(s)) }

	spf := rep.SPF
	section(" SPF")
	if spf.Record == "" {
		add("   (no record)")
	} else {
		add("   %s", termtext.Sanitize(spf.Record))
		add("   %d of %d DNS lookups, %d of %d void lookups",
			spf.Lookups, domaincheck.MaxLookups, spf.VoidLookups, domaincheck.MaxVoidLookups)
		if spf.Tree != nil {
			lines = spfTree(lines, spf.Tree, "   ", "", true)
		}
	}
	lines = m.findings(lines, spf.Findings, w)

	d := rep.DMARC
	section(" DMARC")
	if d.Record == "" {
		add("   (no record)")
	} else {
		add("   %s", termtext.Sanitize(d.Record))
		add("   at %s: p=%s sp=%s pct=%d adkim=%s aspf=%s fo=%s", termtext.Sanitize(d.From),
			termtext.Sanitize(orDash(d.P)), termtext.Sanitize(orDash(d.SP)), d.Pct,
			termtext.Sanitize(d.ADKIM), termtext.Sanitize(d.ASPF), termtext.Sanitize(d.FO))
		for _, u := range d.RUA {
			add("   rua %s", termtext.Sanitize(u))
		}
		for _, u := range d.RUF {
			add("   ruf %s", termtext.Sanitize(u))
		}
	}
	lines = m.findings(lines, d.Findings, w)

	if len(rep.DKIM) > 0 {
		section(" DKIM")
	}
	for _, k := range rep.DKIM {
		switch {
		case k.Record == "":
			add("   %s: no key", termtext.Sanitize(k.Name))
		case k.Revoked:
			add("   %s: revoked", termtext.Sanitize(k.Name))
		default:
			add("   %s: %s, %d bits", termtext.Sanitize(k.Name), termtext.Sanitize(k.KeyType), k.Bits)
		}
		lines = m.findings(lines, k.Findings, w)
	}
	errs, warns := rep.Count(domaincheck.SeverityError), rep.Count(domaincheck.SeverityWarning)
	total := fmt.Sprintf(" %d error(s), %d warning(s)", errs, warns)
	switch {
	case errs > 0:
		total = st.Bad.Render(total)
	case warns > 0:
		total = st.Warn.Render(total)
	default:
		total = st.Good.Render(total)
	}
	return append(lines, "", total)
}

// spfTree draws the include tree, each record with its own lookups and,
// when it has children, the lookups of its whole branch.
func spfTree(lines []string, n *domaincheck.SPFNode, indent, branch string, last bool) []string {
	name := n.Domain
	if n.Via != "" {
		name = n.Via + ":" + n.Domain
	}
	line := fmt.Sprintf("%s%s%s  %d", indent, branch, termtext.Sanitize(name), n.Lookups)
	if len(n.Children) > 0 {
		line += fmt.Sprintf(" (branch %d)", n.BranchLookups)
	}
	if n.VoidLookups > 0 {
		line += fmt.Sprintf(", %d void", n.VoidLookups)
	}
	if n.Error != "" {
		line += "  [" + termtext.Sanitize(n.Error) + "]"
	}
	lines = append(lines, line)
	childIndent := indent
	switch {
	case branch == "":
	case last:
		childIndent += "   "
	default:
		childIndent += "│  "
	}
	for i, c := range n.Children {
		lastChild := i == len(n.Children)-1
		mark := "├─ "
		if lastChild {
			mark = "└─ "
		}
		lines = spfTree(lines, c, childIndent, mark, lastChild)
	}
	return lines
}

// findings draws each finding with its severity, wrapped to the width
// with the text's left edge kept.
func (m *Model) findings(lines []string, fs []domaincheck.Finding, w int) []string {
	const indent = "           "
	st := &m.com.Styles
	for _, f := range fs {
		var sev lipgloss.Style
		switch f.Severity {
		case domaincheck.SeverityError:
			sev = st.Bad
		case domaincheck.SeverityWarning:
			sev = st.Warn
		default:
			sev = st.Info
		}
		text := termtext.WrapWords(termtext.Sanitize(f.Message), max(20, w-len(indent)))
		lines = append(lines, "   "+sev.Render(termtext.Fit(strings.ToUpper(string(f.Severity)), 7))+" "+text[0])
		for _, l := range text[1:] {
			lines = append(lines, indent+l)
		}
	}
	return lines
}

func orDash(s string) string {
	if s == "" {
		return "-"
	}
	return s
}
