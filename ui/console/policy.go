package console

import (
	"fmt"
	"time"

	tea "charm.land/bubbletea/v2"

	"mxaudit/model"
)

type (
	// policyLoadedMsg carries the exception policy as read from its file
	// at the start, or after a change made elsewhere.
	policyLoadedMsg struct {
		policy model.Policy
		err    error
	}
	// policyChangedMsg reports a change the operator made to the policy
	// (an exception requested, approved or revoked): the policy as now
	// written, and the sentence for the status line.
	policyChangedMsg struct {
		policy model.Policy
		notice string
		err    error
	}
)

// loadPolicy returns the command that reads the policy file.
func (m *Model) loadPolicy() tea.Cmd {
	if m.cfg.Policy == nil {
		return nil
	}
	load := m.cfg.Policy.Load
	return func() tea.Msg {
		p, err := load()
		return policyLoadedMsg{policy: p, err: err}
	}
}

// setPolicy makes p the policy the console judges by and re-annotates
// every listed message: an exception that was approved, revoked or that
// expired changes what the Exc column and the detail pane say.
func (m *Model) setPolicy(p model.Policy) {
	m.policy = &p
	now := m.com.Now()
	m.table.UpdateRows(func(r *model.Row) (model.Row, bool) { return p.AnnotateRow(r, now) })
	if m.screen == screenExceptions {
		m.excView.SetPolicy(m.policy, m.cfg.Operator)
	}
	// The detail pane's copy of the selected message takes the row's
	// new exception in selectionChanged, which every caller runs next.
}

// annotate sets the exception of messages arriving from the scan.
func (m *Model) annotate(msgs []model.Message) {
	if m.policy == nil {
		return
	}
	now := m.com.Now()
	for i := range msgs {
		m.policy.Annotate(&msgs[i], now)
	}
}

// annotateShared is annotate for rows shared with other consoles
// (Policy.AnnotateRow, which decides as Annotate does): a row whose
// exception changes under this console's policy is replaced by an
// annotated copy, and the shared one is left as it is.
func (m *Model) annotateShared(rows []*model.Row) []*model.Row {
	if m.policy == nil {
		return rows
	}
	now := m.com.Now()
	for i, shared := range rows {
		if c, changed := m.policy.AnnotateRow(shared, now); changed {
			rows[i] = &c
		}
	}
	return rows
}

// changePolicy returns the command that applies change to the policy file
// and writes its audit record (Policy.Change, which the exception
// commands share); detail describes the request in the record of a
// change that fails. Everything it needs is copied first.
func (m *Model) changePolicy(action model.AuditAction, exceptionID int, detail string,
	change func(*model.Policy, model.Operator, time.Time) (model.Exception, error),
	notice func(model.Exception) string) tea.Cmd {
	if m.cfg.Policy == nil {
		return nil
	}
	apply, op, now := m.cfg.Policy.Change, m.cfg.Operator, m.com.Now().UTC()
	return func() tea.Msg {
		entry := model.NewAuditEntry(action, op, now)
		entry.ExceptionID, entry.Detail = exceptionID, detail
		var changed model.Exception
		p, err := apply(&entry, func(p *model.Policy) error {
			var err error
			changed, err = change(p, op, now)
			if err == nil {
				entry.ExceptionID = changed.ID
				entry.Detail = describeChange(action, changed)
			}
			return err
		})
		if err != nil {
			return policyChangedMsg{err: err}
		}
		if e := p.Find(exceptionID); changed.ID == 0 && e != nil {
			// An approval recovered from its audit record: change never ran.
			return policyChangedMsg{policy: p, notice: notice(*e) + fmt.Sprintf(" (recovered from audit record %d)", entry.Seq)}
		}
		return policyChangedMsg{policy: p, notice: notice(changed)}
	}
}

// describeChange is the audit record's detail, worded as the exception
// commands word it.
func describeChange(action model.AuditAction, e model.Exception) string {
	switch action {
	case model.ActionExceptionAdd:
		return fmt.Sprintf("%s; reason: %s; expires %s", e.Describe(), e.Reason, e.Expires.UTC().Format(time.DateOnly))
	case model.ActionExceptionRevoke:
		if e.RevokeReason != "" {
			return e.Describe() + "; reason: " + e.RevokeReason
		}
	}
	return e.Describe()
}

func (m *Model) handlePolicyChanged(msg policyChangedMsg) tea.Cmd {
	if msg.err != nil {
		m.setNotice(msg.err.Error(), true)
		return nil
	}
	m.setPolicy(msg.policy)
	m.setNotice(msg.notice, false)
	return m.selectionChanged()
}
