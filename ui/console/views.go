package console

import (
	"fmt"
	"time"

	"charm.land/bubbles/v2/key"
	tea "charm.land/bubbletea/v2"

	"mxaudit/model"
	"mxaudit/ui/console/dialog"
	"mxaudit/ui/console/excview"
	"mxaudit/ui/console/statsview"
	"mxaudit/ui/termtext"
)

// The full-screen statistics and exception views. Each is opened by its
// key, gets the keys while open, and closes with esc or q.

// statsInterval bounds how often the statistics are recomputed while the
// scan adds messages: counting 100,000 messages on every batch would
// starve the list.
const statsInterval = 250 * time.Millisecond

// statsTickMsg asks for the deferred recomputation of the statistics.
type statsTickMsg struct{}

// openStats opens the statistics view over the shown messages.
func (m *Model) openStats() {
	v := statsview.New(m.com)
	m.show(screenStats)
	m.statsView = v
	m.relayout()
	m.recomputeStats()
}

// recomputeStats counts the messages the filter shows. It runs in Update
// and is cheap enough (a pass over the shown rows) at the rate
// statsChanged allows.
func (m *Model) recomputeStats() {
	if m.screen != screenStats {
		return
	}
	c := model.NewStatsCounter()
	c.Now = m.com.Now()
	for i := range m.table.Len() {
		c.AddRow(m.table.RowAt(i))
	}
	m.statsView.SetStats(c.Stats(), m.table.Filter().String(), m.scan.running)
	m.statsAt = m.com.Now()
	m.statsDirty = false
}

// statsChanged notes that the messages changed: the view is recomputed at
// once when the last count is old enough, else after a short delay.
func (m *Model) statsChanged() tea.Cmd {
	if m.screen != screenStats {
		return nil
	}
	if !m.scan.running || m.com.Now().Sub(m.statsAt) >= statsInterval {
		m.recomputeStats()
		return nil
	}
	if m.statsDirty {
		return nil // a tick is already on its way
	}
	m.statsDirty = true
	return tea.Tick(statsInterval, func(time.Time) tea.Msg { return statsTickMsg{} })
}

// handleStatsKey handles a key while the statistics view is open: it
// scrolls, the quick filters narrow what is counted, esc or q closes.
func (m *Model) handleStatsKey(msg tea.KeyPressMsg) tea.Cmd {
	k := &m.com.Keys
	f := m.table.Filter()
	switch {
	case key.Matches(msg, k.Close, k.Stats):
		m.closeScreen()
		return nil
	case key.Matches(msg, k.Help):
		m.openHelp()
		return nil
	case key.Matches(msg, k.QuickEncrypted):
		f.EncryptedOnly = !f.EncryptedOnly
	case key.Matches(msg, k.QuickDMARC):
		f.DMARCFailOnly = !f.DMARCFailOnly
	case key.Matches(msg, k.QuickRisky):
		f.RiskyOnly = !f.RiskyOnly
	case key.Matches(msg, k.QuickNoExc):
		f.NoException = !f.NoException
	case key.Matches(msg, k.ClearFilter):
		f = model.Filter{}
	default:
		m.statsView.Update(msg)
		return nil
	}
	m.table.SetFilter(f)
	m.recomputeStats()
	return m.selectionChanged()
}

// openExceptions opens the exception view and re-reads the policy, so
// that what another operator approved meanwhile shows.
func (m *Model) openExceptions() tea.Cmd {
	if m.cfg.Policy == nil {
		m.setNotice("no exception policy is configured", true)
		return nil
	}
	v := excview.New(m.com, m.policy, m.cfg.Operator)
	m.show(screenExceptions)
	m.excView = v
	m.relayout()
	return m.loadPolicy()
}

// handleExceptionKey handles a key while the exception view is open.
func (m *Model) handleExceptionKey(msg tea.KeyPressMsg) tea.Cmd {
	k := &m.com.Keys
	v := m.excView
	switch {
	case key.Matches(msg, k.Close, k.Exceptions):
		m.closeScreen()
	case key.Matches(msg, k.Help):
		m.openHelp()
	case key.Matches(msg, k.Approve):
		return m.confirmApprove()
	case key.Matches(msg, k.Revoke):
		return m.confirmRevoke()
	default:
		v.Update(msg)
	}
	return nil
}

// confirmApprove asks before approving the selected exception. Whether
// the operator may is decided by model.Policy.Approve (approvers only,
// never the requester); the view only spares a pointless dialog.
func (m *Model) confirmApprove() tea.Cmd {
	e := m.excView.Selected()
	if e == nil {
		return nil
	}
	if !m.excView.CanApprove() {
		m.setNotice(fmt.Sprintf("%s is not an approver: ask one of the approvers to approve exception %d",
			termtext.Sanitize(m.cfg.Operator.User), e.ID), true)
		return nil
	}
	body := []string{exceptionLine(e), "requested by " + termtext.Sanitize(e.RequestedBy) + ": " + termtext.Sanitize(e.Reason)}
	m.dialogs.Push(dialog.NewTyped(m.com, dialog.IDApprove, e.ID, fmt.Sprintf("Approve exception %d", e.ID), body, "", "y"))
	return nil
}

// approve approves exception id: the operator confirmed.
func (m *Model) approve(id int) tea.Cmd {
	return m.changePolicy(model.ActionExceptionApprove, id, "",
		func(p *model.Policy, op model.Operator, now time.Time) (model.Exception, error) {
			return p.Approve(id, op, now)
		},
		func(e model.Exception) string {
			return fmt.Sprintf("exception %d approved: %s, expires %s", e.ID, e.Describe(), e.Expires.UTC().Format(time.DateOnly))
		})
}

// confirmRevoke asks before revoking the selected exception, with an
// optional reason. Any operator may revoke: it only makes the policy
// stricter.
func (m *Model) confirmRevoke() tea.Cmd {
	e := m.excView.Selected()
	if e == nil {
		return nil
	}
	body := []string{exceptionLine(e), "Messages it covers will be held again."}
	m.dialogs.Push(dialog.NewTyped(m.com, dialog.IDRevoke, e.ID, fmt.Sprintf("Revoke exception %d", e.ID), body, "Reason", "y"))
	return nil
}

// revoke revokes exception id for reason: the operator confirmed.
func (m *Model) revoke(id int, reason string) tea.Cmd {
	return m.changePolicy(model.ActionExceptionRevoke, id, "reason: "+reason,
		func(p *model.Policy, op model.Operator, now time.Time) (model.Exception, error) {
			return p.Revoke(id, op, reason, now)
		},
		func(e model.Exception) string { return fmt.Sprintf("exception %d revoked: %s", e.ID, e.Describe()) })
}

func exceptionLine(e *model.Exception) string {
	return termtext.Sanitize(e.Describe()) + ", expires " + e.Expires.UTC().Format(time.DateOnly)
}

// openWhitelist opens the exception request dialog for the selected
// message's sender.
func (m *Model) openWhitelist() tea.Cmd {
	if m.cfg.Policy == nil {
		m.setNotice("no exception policy is configured", true)
		return nil
	}
	return m.withSelected("request an exception", func(sel *model.Message) tea.Cmd {
		m.dialogs.Push(dialog.NewWhitelist(m.com, sel, m.cfg.Operator.String()))
		return nil
	})
}

// requestException files an exception request: the operator confirmed
// the whitelist form.
func (m *Model) requestException(req model.ExceptionRequest) tea.Cmd {
	detail := fmt.Sprintf("%s %s: %v; reason: %s", req.Scope, req.Value, req.Kinds, req.Reason)
	return m.changePolicy(model.ActionExceptionAdd, 0, detail,
		func(p *model.Policy, op model.Operator, now time.Time) (model.Exception, error) {
			return p.Add(req, op, now)
		},
		func(e model.Exception) string {
			return fmt.Sprintf("exception %d requested (pending until another approver approves it): %s, expires %s",
				e.ID, e.Describe(), e.Expires.UTC().Format(time.DateOnly))
		})
}
