package console

import (
	"strings"

	"charm.land/bubbles/v2/key"
	tea "charm.land/bubbletea/v2"

	"mxaudit/model"
)

// Rows ahead: a RowSource may give, before its scan has listed the
// source, the first rows of the list it kept at the last start (see
// ui/app's rowsahead.go). The console shows them at once, so that an
// operator reads the quarantine while it is checked, with the status
// line saying so. Until the scan's own rows come they are a picture,
// not the quarantine: no key marks them, acts on them or reads their
// messages back (aheadKey), and the detail pane waits. The scan's first
// rows or messages take their place (the same rows when nothing
// changed), and so does its end. A scan that will not hand out that list
// (most often, the quarantine changed) withdraws them: they stay until
// its own rows come, a fraction of a second later, rather than leave the
// list blank meanwhile, and the status line says they are out of date.

// aheadNotice and aheadStaleNotice are what a refused key says while
// rows ahead are shown, and once the scan withdrew them.
const (
	aheadNotice      = "the list of the last start is being checked against the quarantine: a moment"
	aheadStaleNotice = "the list of the last start is out of date: the quarantine is being listed again"
)

// aheadRefusal is what a key refused on rows ahead says.
func (m *Model) aheadRefusal() string {
	if m.scan.aheadStale {
		return aheadStaleNotice
	}
	return aheadNotice
}

// showAhead shows rows ahead of the scan's check, on a list still empty;
// none (the scan withdrew them) marks those shown as out of date.
func (m *Model) showAhead(rows []model.Row) {
	if len(rows) == 0 {
		m.scan.aheadStale = m.scan.ahead != nil
		return
	}
	if m.scan.ahead != nil || m.table.Total() > 0 {
		return // only ever the first thing a scan shows
	}
	shown := make([]*model.Row, len(rows))
	ids := make(map[model.MessageID]bool, len(rows))
	for i := range rows {
		shown[i] = &rows[i]
		ids[rows[i].ID()] = true
	}
	m.table.AppendSharedRows(m.annotateShared(shown)...)
	m.scan.ahead = ids
	m.table.SetCursor(0)
}

// dropAhead takes the rows ahead off the list. The row under the cursor
// is selected again once the scan's rows bring it back (reselectAhead),
// should the operator have moved to it and not since.
func (m *Model) dropAhead() {
	if sel := m.table.SelectedRow(); sel != nil && m.scan.moved {
		// A copy: the row's ID shares the text of its whole block.
		m.scan.aheadSelected = model.MessageID(strings.Clone(string(sel.ID())))
	}
	m.table.Remove(m.scan.ahead)
	if m.table.Total() == 0 {
		m.table.Clear() // they were all it listed: no arrival left behind
	}
	m.scan.ahead, m.scan.aheadStale = nil, false
	m.forgetDetail() // it waited: read the selected message now
}

// reselectAhead selects again the row the cursor was on when the rows
// ahead were dropped, once the scan's rows hold it.
func (m *Model) reselectAhead() {
	id := m.scan.aheadSelected
	if id == "" {
		return
	}
	if pos := m.table.Find(id); pos >= 0 {
		m.table.SetCursor(pos)
		m.scan.aheadSelected = ""
	}
}

// aheadKey reports whether a key on the list may be taken while rows
// ahead are shown: moving, sorting, filtering, the panes' layout, help
// and the screens that read neither the rows' messages nor their
// domains (partners, statistics, exceptions, the audit log). Everything
// else (marks, actions, exceptions from a row, the viewers, copies,
// saving, a rescan, the DMARC reports and the domain check, which read
// the listed messages or look a row's domain up) waits for the scan's
// own rows.
func (m *Model) aheadKey(msg tea.KeyPressMsg) bool {
	k := &m.com.Keys
	return key.Matches(msg, k.Quit, k.Help, k.Log, k.SortNext, k.SortPrev, k.SortFlip, k.Filter,
		k.QuickEncrypted, k.QuickDMARC, k.QuickRisky, k.QuickNoExc, k.QuickError, k.QuickTempError,
		k.ClearFilter, k.Back, k.Detail, k.DetailGrow, k.DetailShrink, k.DetailSide, k.DetailDown, k.DetailUp,
		k.Partners, k.Stats, k.Exceptions, k.Audit)
}

// operatorActed forgets the row to select again once the rows ahead are
// dropped (reselectAhead): the operator has moved on, and a cursor that
// jumped now would put a later key on a message they did not pick.
func (m *Model) operatorActed() { m.scan.aheadSelected = "" }
