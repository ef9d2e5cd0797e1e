package console

import (
	"fmt"

	"charm.land/bubbles/v2/key"
	tea "charm.land/bubbletea/v2"

	"mxaudit/mailsrc/action"
	"mxaudit/model"
	"mxaudit/ui/app"
	"mxaudit/ui/console/dialog"
	"mxaudit/ui/console/rawview"
)

// handleKey routes a key press: dialogs first, then the help screen, the
// viewer, the filter editor and finally the list.
func (m *Model) handleKey(msg tea.KeyPressMsg) tea.Cmd {
	m.operatorActed()
	k := &m.com.Keys
	if key.Matches(msg, k.Interrupt) {
		// Before the dialogs, which would take it as text: ctrl+c quits
		// from anywhere, and a second one while asked quits at once.
		if m.dialogs.TopIs(dialog.IDQuit) != nil {
			return m.quit()
		}
		return m.requestQuit()
	}
	if res, ok := m.dialogs.Update(msg); ok {
		return m.handleDialogResult(res)
	}
	if m.showHelp {
		return m.handleHelpKey(msg)
	}
	switch m.screen {
	case screenViewer:
		return m.handleViewerKey(msg)
	case screenStats:
		return m.handleStatsKey(msg)
	case screenExceptions:
		return m.handleExceptionKey(msg)
	case screenReports:
		return m.handleReportsKey(msg)
	case screenCheck:
		return m.handleCheckKey(msg)
	case screenPartners:
		return m.handlePartnersKey(msg)
	case screenAudit:
		return m.handleAuditKey(msg)
	}
	if m.filter.active {
		return m.handleFilterKey(msg)
	}
	if m.scan.err != nil && m.table.Total() == 0 {
		// The error screen: nothing to do but read it and leave.
		if key.Matches(msg, k.Quit, k.Close) {
			return m.requestQuit()
		}
		return nil
	}
	return m.handleListKey(msg)
}

// handleViewerKey handles a key while the header or raw viewer is open.
func (m *Model) handleViewerKey(msg tea.KeyPressMsg) tea.Cmd {
	k := &m.com.Keys
	if m.viewer.Searching() {
		m.viewer.Update(msg) // the search word takes every key
		return nil
	}
	switch {
	case key.Matches(msg, k.Close):
		m.closeScreen()
	case key.Matches(msg, k.Help):
		m.openHelp()
	case key.Matches(msg, k.Headers) && m.viewer.Kind() == rawview.Headers:
		m.viewer.ToggleDecoded(app.DecodeHeaders)
	default:
		m.viewer.Update(msg)
	}
	return nil
}

func (m *Model) handleListKey(msg tea.KeyPressMsg) tea.Cmd {
	k := &m.com.Keys
	if m.list.Update(msg) {
		m.scan.moved = true
		return m.selectionChanged()
	}
	if m.scan.ahead != nil && !m.aheadKey(msg) {
		m.setNotice(m.aheadRefusal(), true)
		return nil
	}
	if cmd, ok := m.handleMarkKey(msg); ok {
		return cmd
	}
	sort := m.table.Sort()
	filter := m.table.Filter()
	switch {
	case key.Matches(msg, k.Quit):
		return m.requestQuit()
	case key.Matches(msg, k.Help):
		m.openHelp()
	case key.Matches(msg, k.Log):
		m.openLog()
		return nil
	case key.Matches(msg, k.SortNext):
		m.table.SetSort(model.SortKey{Column: sort.Column.Next(), Desc: sort.Desc})
	case key.Matches(msg, k.SortPrev):
		m.table.SetSort(model.SortKey{Column: sort.Column.Prev(), Desc: sort.Desc})
	case key.Matches(msg, k.SortFlip):
		m.table.SetSort(sort.Flip())
	case key.Matches(msg, k.Filter):
		m.startFilter()
	case key.Matches(msg, k.QuickEncrypted):
		filter.EncryptedOnly = !filter.EncryptedOnly
		m.table.SetFilter(filter)
	case key.Matches(msg, k.QuickDMARC):
		filter.DMARCFailOnly = !filter.DMARCFailOnly
		m.table.SetFilter(filter)
	case key.Matches(msg, k.QuickRisky):
		filter.RiskyOnly = !filter.RiskyOnly
		m.table.SetFilter(filter)
	case key.Matches(msg, k.QuickNoExc):
		filter.NoException = !filter.NoException
		m.table.SetFilter(filter)
	case key.Matches(msg, k.QuickError):
		filter.ErrorOnly = !filter.ErrorOnly
		m.table.SetFilter(filter)
	case key.Matches(msg, k.QuickTempError):
		filter.TempErrOnly = !filter.TempErrOnly
		m.table.SetFilter(filter)
	case key.Matches(msg, k.Rescan):
		return m.rescanAll()
	case key.Matches(msg, k.CopyMsgID):
		return m.copyField("Message-ID")
	case key.Matches(msg, k.CopySender):
		return m.copyField("sender")
	case key.Matches(msg, k.CopyID):
		return m.copyField("ID")
	case key.Matches(msg, k.Save):
		return m.startSave()
	case key.Matches(msg, k.Pipe):
		return m.startPipe()
	case key.Matches(msg, k.ClearFilter):
		m.table.SetFilter(model.Filter{})
	case key.Matches(msg, k.Back):
		// esc steps back: it closes the detail pane, then clears filters.
		if m.detailOpen {
			m.detailOpen = false
			m.relayout()
		} else {
			m.table.SetFilter(model.Filter{})
		}
	case key.Matches(msg, k.Detail):
		m.detailOpen = !m.detailOpen
		m.relayout()
	case key.Matches(msg, k.DetailGrow):
		m.resizeDetail(10)
	case key.Matches(msg, k.DetailShrink):
		m.resizeDetail(-10)
	case key.Matches(msg, k.DetailSide):
		m.detailSide = !m.detailSide
		m.detailOpen = true
		m.relayout()
	case key.Matches(msg, k.DetailDown):
		m.detail.ScrollDown(1)
	case key.Matches(msg, k.DetailUp):
		m.detail.ScrollDown(-1)
	case key.Matches(msg, k.Headers):
		return m.openViewer(rawview.Headers)
	case key.Matches(msg, k.Raw):
		return m.openViewer(rawview.Source)
	case key.Matches(msg, k.Body):
		return m.openViewer(rawview.Body)
	case key.Matches(msg, k.Release):
		return m.startAction(action.Release)
	case key.Matches(msg, k.Delete):
		return m.startAction(action.Delete)
	case key.Matches(msg, k.Undo):
		return m.undoDelete()
	case key.Matches(msg, k.Whitelist):
		return m.openWhitelist()
	case key.Matches(msg, k.PairJump):
		return m.jumpToPair()
	case key.Matches(msg, k.ShowPassword):
		return m.showPassword()
	case key.Matches(msg, k.Verify):
		return m.reanalyseSelected()
	case key.Matches(msg, k.Partners):
		m.openPartners()
		return nil
	case key.Matches(msg, k.Stats):
		m.openStats()
		return nil
	case key.Matches(msg, k.Exceptions):
		return m.openExceptions()
	case key.Matches(msg, k.Reports):
		return m.openReports()
	case key.Matches(msg, k.DomainCheck):
		return m.openCheck()
	case key.Matches(msg, k.Audit):
		return m.openAudit()
	default:
		return nil
	}
	return m.selectionChanged()
}

// resizeDetail grows (or shrinks) the detail pane by delta percent of the
// body, opening it if needed.
func (m *Model) resizeDetail(delta int) {
	m.detailOpen = true
	m.detailShare = max(20, min(80, m.detailShare+delta))
	m.relayout()
}

// requestQuit quits at once unless an action is still running or
// messages are marked, in which case it asks first.
func (m *Model) requestQuit() tea.Cmd {
	switch {
	case m.inFlight > 0:
		m.dialogs.Push(dialog.NewConfirm(m.com, dialog.IDQuit, "An action is still running. Quit anyway?"))
	case m.marks.len() > 0:
		m.dialogs.Push(dialog.NewConfirm(m.com, dialog.IDQuit,
			fmt.Sprintf("%s marked: the marks are lost. Quit anyway?", plural(m.marks.len(), "message"))))
	default:
		return m.quit()
	}
	return nil
}

// handleClick sorts on a click on a column title and selects a clicked
// row.
func (m *Model) handleClick(mouse tea.Mouse) tea.Cmd {
	if mouse.Button != tea.MouseLeft || m.fullScreen() || m.showHelp || m.dialogs.Len() > 0 {
		return nil
	}
	x, y := mouse.X, mouse.Y-bodyTop
	if y < 0 || y >= m.listHeight || x >= m.listWidth {
		return nil
	}
	m.operatorActed()
	if col, ok := m.list.Click(x, y); ok {
		sort := m.table.Sort()
		if sort.Column == col {
			m.table.SetSort(sort.Flip())
		} else {
			m.table.SetSort(model.SortKey{Column: col})
		}
	} else {
		m.scan.moved = true // a row picked: streaming rows leave it be
	}
	return m.selectionChanged()
}

// handleWheel scrolls whatever is under the pointer.
func (m *Model) handleWheel(mouse tea.Mouse) tea.Cmd {
	m.operatorActed()
	delta := 3
	switch mouse.Button {
	case tea.MouseWheelUp:
		delta = -3
	case tea.MouseWheelDown:
	default:
		return nil
	}
	switch {
	case m.showHelp:
		return nil
	case m.screen == screenViewer:
		m.viewer.Scroll(delta)
	case m.fullScreen():
		return nil
	case m.detailOpen && (mouse.Y-bodyTop >= m.listHeight || mouse.X >= m.listWidth):
		m.detail.ScrollDown(delta)
	default:
		m.list.Scroll(delta)
		return m.selectionChanged()
	}
	return nil
}
