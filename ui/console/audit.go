package console

import (
	"charm.land/bubbles/v2/key"
	tea "charm.land/bubbletea/v2"

	"mxaudit/ui/app"
	"mxaudit/ui/console/auditview"
)

// auditStatusMsg carries the audit log's status read for the audit view.
type auditStatusMsg struct {
	seq    int
	status app.AuditStatus
	err    error
}

// openAudit opens the audit view and starts reading the log.
func (m *Model) openAudit() tea.Cmd {
	if m.cfg.Audit == nil {
		m.setNotice("no audit log is configured", true)
		return nil
	}
	m.show(screenAudit)
	m.auditView = auditview.New(m.com)
	m.relayout()
	return m.readAudit()
}

// readAudit returns the command that verifies the log and reads its last
// anchor: it reads the whole log, so it never runs in Update.
func (m *Model) readAudit() tea.Cmd {
	m.auditSeq++
	seq, read := m.auditSeq, m.cfg.Audit.AuditStatus
	return func() tea.Msg {
		st, err := read()
		return auditStatusMsg{seq: seq, status: st, err: err}
	}
}

// auditLoaded shows a reading, unless the view closed or a newer reading
// was asked for since.
func (m *Model) auditLoaded(msg auditStatusMsg) {
	if m.screen != screenAudit || msg.seq != m.auditSeq {
		return
	}
	m.auditView.SetStatus(msg.status, msg.err)
}

// handleAuditKey handles a key while the audit view is open.
func (m *Model) handleAuditKey(msg tea.KeyPressMsg) tea.Cmd {
	k := &m.com.Keys
	switch {
	case key.Matches(msg, k.Close, k.Audit):
		m.closeScreen()
	case key.Matches(msg, k.Help):
		m.openHelp()
	case key.Matches(msg, k.Rescan):
		return m.readAudit()
	}
	return nil
}
