package console

import (
	"context"
	"strings"

	"charm.land/bubbles/v2/key"
	tea "charm.land/bubbletea/v2"

	"mxaudit/analysis/dmarcreport"
	"mxaudit/analysis/domaincheck"
	"mxaudit/model"
	"mxaudit/ui/console/checkview"
	"mxaudit/ui/console/reportsview"
	"mxaudit/ui/termtext"
)

// The DMARC aggregate report view (D) and the domain check view (c).
// Both read in a command — report mails through Config.Open, DNS through
// Config.Check — and answer with a numbered message, so that the answer
// to a view the operator has closed meanwhile is dropped.

// reportsLoadedMsg carries the summary of the reports found in the
// messages of the source.
type reportsLoadedMsg struct {
	seq            int
	sum            dmarcreport.Summary
	read, problems int
}

// reportNamesMsg carries the reverse names of failing sources the report
// view showed.
type reportNamesMsg struct {
	seq   int
	names map[string]string
}

// checkDoneMsg carries a domain check's report.
type checkDoneMsg struct {
	seq int
	rep *domaincheck.Report
	err error
}

// openReports opens the report view and starts reading the messages that
// may carry a report. Which ones is decided from what the scan found
// (model.MayCarryReport, dmarcreport's rule, which each row carries as
// RowMayCarryReport), in Update, over every row the table holds
// whatever the filter; the reading itself runs in the command, by
// message ID through the source.
func (m *Model) openReports() tea.Cmd {
	v := reportsview.New(m.com)
	m.show(screenReports)
	m.reportsView = v
	m.relayout()
	m.reportsSeq++
	if m.cfg.Reports == nil {
		m.setNotice("DMARC reports are not available in this console", true)
		return nil
	}
	var ids []model.MessageID
	m.table.EachRow(func(r *model.Row) {
		if r.Has(model.RowMayCarryReport) {
			ids = append(ids, r.ID())
		}
	})
	// Closing the view stops the read: a quarantine may hold many ZIP
	// attachments that each have to be read to be ruled out.
	ctx, cancel := context.WithCancel(m.ctx)
	m.reportsCancel = cancel
	seq, read := m.reportsSeq, m.cfg.Reports.ReadReports
	return func() tea.Msg {
		r := read(ctx, ids)
		return reportsLoadedMsg{seq: seq, sum: r.Summary, read: r.Read, problems: r.Problems}
	}
}

// handleReportsLoaded shows the summary the command read, unless the view
// was closed or reopened meanwhile, and starts looking up the reverse
// names of the sources on screen.
func (m *Model) handleReportsLoaded(msg reportsLoadedMsg) tea.Cmd {
	if m.screen != screenReports || msg.seq != m.reportsSeq {
		return nil
	}
	m.reportsCancel = nil
	m.reportsView.SetSummary(msg.sum, msg.read, msg.problems)
	return m.lookupShownNames()
}

// lookupShownNames looks up, in a command, the reverse names of the
// failing sources the report view now shows and has not asked for; the
// answers fill the rows in as they arrive. Offline, the core answers with
// no name at once.
func (m *Model) lookupShownNames() tea.Cmd {
	if m.screen != screenReports || m.cfg.Reports == nil {
		return nil
	}
	ips := m.reportsView.NamesToLookUp()
	if len(ips) == 0 {
		return nil
	}
	seq, lookup, ctx := m.reportsSeq, m.cfg.Reports.LookupNames, m.ctx
	return func() tea.Msg {
		return reportNamesMsg{seq: seq, names: lookup(ctx, ips)}
	}
}

// handleReportNames fills in names unless the view is gone.
func (m *Model) handleReportNames(msg reportNamesMsg) {
	if m.screen != screenReports || msg.seq != m.reportsSeq {
		return
	}
	m.reportsView.SetNames(msg.names)
}

// handleReportsKey handles a key while the report view is open: the
// cursor moves over the failing sources, enter filters the list to the
// messages of the selected one and closes the view, esc or q closes it.
func (m *Model) handleReportsKey(msg tea.KeyPressMsg) tea.Cmd {
	k := &m.com.Keys
	switch {
	case key.Matches(msg, k.Close, k.Reports):
		m.closeScreen()
	case key.Matches(msg, k.Help):
		m.openHelp()
	case key.Matches(msg, k.FilterSource):
		src := m.reportsView.Selected()
		if src == nil {
			return nil
		}
		f := m.table.Filter()
		f.Source = src.Filter()
		m.closeScreen()
		m.table.SetFilter(f)
		if m.table.Len() == 0 {
			m.setNotice("no message here comes from "+termtext.Sanitize(f.Source.String()), false)
		}
		return tea.Batch(m.selectionChanged(), m.statsChanged())
	default:
		m.reportsView.Update(msg)
		return m.lookupShownNames()
	}
	return nil
}

// openCheck opens the domain check view for the selected message's From
// domain and starts the check.
func (m *Model) openCheck() tea.Cmd {
	sel := m.table.SelectedRow()
	switch {
	case m.cfg.Checker == nil:
		m.setNotice("domain checks are off for this source", true)
		return nil
	case sel == nil:
		return nil
	}
	domain := strings.ToLower(strings.TrimSpace(sel.Domain()))
	if domain == "" {
		m.setNotice("the selected message has no From domain to check", true)
		return nil
	}
	return m.checkDomain(domain)
}

// checkDomain opens the domain check view for domain and starts the
// check (the list's c, and the partner inventory's).
func (m *Model) checkDomain(domain string) tea.Cmd {
	if m.cfg.Checker == nil {
		m.setNotice("domain checks are off for this source", true)
		return nil
	}
	v := checkview.New(m.com, domain)
	m.show(screenCheck)
	m.checkView = v
	m.relayout()
	m.checkSeq++
	seq, check, ctx := m.checkSeq, m.cfg.Checker.CheckDomain, m.ctx
	return func() tea.Msg {
		rep, err := check(ctx, domain)
		return checkDoneMsg{seq: seq, rep: rep, err: err}
	}
}

// handleCheckDone shows a check's report unless its view is gone.
func (m *Model) handleCheckDone(msg checkDoneMsg) {
	if m.screen != screenCheck || msg.seq != m.checkSeq {
		return
	}
	m.checkView.SetReport(msg.rep, msg.err)
}

// handleCheckKey handles a key while the domain check view is open.
func (m *Model) handleCheckKey(msg tea.KeyPressMsg) tea.Cmd {
	k := &m.com.Keys
	switch {
	case key.Matches(msg, k.Close):
		m.closeScreen()
	case key.Matches(msg, k.Help):
		m.openHelp()
	default:
		m.checkView.Update(msg)
	}
	return nil
}
