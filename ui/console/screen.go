package console

import (
	"mxaudit/ui/console/common"
)

// screen names what fills the body: the message list (with its detail
// pane) or one full-screen view. Exactly one is active; the help screen
// and dialogs are drawn over it. The components of the views live in
// their own fields while their screen is active and are dropped when it
// closes (closeScreen), so a view never lingers behind another.
type screen int

const (
	screenList screen = iota
	screenViewer
	screenStats
	screenExceptions
	screenReports
	screenCheck
	screenPartners
	screenAudit
)

// String names the screen for tests and the help title.
func (s screen) String() string {
	switch s {
	case screenViewer:
		return "viewer"
	case screenStats:
		return "statistics"
	case screenExceptions:
		return "exceptions"
	case screenReports:
		return "DMARC reports"
	case screenCheck:
		return "domain check"
	case screenPartners:
		return "partners"
	case screenAudit:
		return "audit log"
	}
	return "list"
}

// active is the component of the active full-screen view, or nil on the
// list.
func (m *Model) active() common.Component {
	switch m.screen {
	case screenViewer:
		return m.viewer
	case screenStats:
		return m.statsView
	case screenExceptions:
		return m.excView
	case screenReports:
		return m.reportsView
	case screenCheck:
		return m.checkView
	case screenPartners:
		return m.partnerView
	case screenAudit:
		return m.auditView
	}
	return nil
}

// show makes s the active screen; its component must already be set.
func (m *Model) show(s screen) {
	m.closeScreen()
	m.screen = s
}

// closeScreen goes back to the list, dropping the view that was active
// and stopping what it had running.
func (m *Model) closeScreen() {
	switch m.screen {
	case screenReports:
		if m.reportsCancel != nil {
			m.reportsCancel()
			m.reportsCancel = nil
		}
		m.reportsSeq++ // drop a read still running
	case screenCheck:
		m.checkSeq++
	case screenAudit:
		m.auditSeq++ // drop a reading still running
	}
	m.screen = screenList
	m.viewer, m.statsView, m.excView, m.reportsView, m.checkView = nil, nil, nil, nil, nil
	m.partnerView, m.auditView = nil, nil
	m.relayout()
}

// fullScreen reports whether a full-screen view covers the list.
func (m *Model) fullScreen() bool { return m.screen != screenList }
