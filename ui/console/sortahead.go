package console

import (
	"slices"

	tea "charm.land/bubbletea/v2"

	"mxaudit/model"
)

// Sorting ahead: once the scan has ended, the console sorts the list by
// the keys one keystroke away (s and > the next column, S the other
// direction, < the previous column) on a goroutine of its own, so that
// the key re-sorts 100,000 messages by taking an order ready (about a
// millisecond) rather than sorting them in Update (20–70 ms). S flips
// the order the table has by its ties, under a millisecond, and is
// sorted ahead only when the order has none (model.Table.SetSort; an
// order merged with a scan's arrivals). Sorting ahead waits for the
// scan's end: the orders would go stale with every batch, and the scan
// has the processor's time to use.
//
// The table takes each job (a pass over its rows, in Update, into room
// the command asking for it made: model.SortRoom), the job sorts away
// from it, and the table adopts the order unless rows changed meanwhile
// (model.SortJob). A key pressed before its order is ready waits for
// the job sorting it, runs it in Update if it has not begun, or, with no
// job for it, sorts in Update as it did before. Orders kept cost 4
// bytes a message and a bit each (model.maxKeptOrders bounds them).

// sortAheadState is where sorting ahead is: idle, asked for (a
// sortAheadMsg on its way), or running a job.
type sortAheadState uint8

const (
	sortAheadIdle sortAheadState = iota
	sortAheadAsked
	sortAheadRunning
)

// sortAheadMsg asks Update to take the job due, on the turn after the
// one that found it due, so that a key's frame is not kept waiting by
// the jobs it leads to. It brings the room the job is taken into, made
// by the command that sends it rather than in Update (model.SortRoom),
// sized for the key found due.
type sortAheadMsg struct{ room *model.SortRoom }

// sortedMsg brings back a job that has sorted.
type sortedMsg struct{ job *model.SortJob }

// handleSorted adopts a job's order; Update then finds the next key due.
func (m *Model) handleSorted(msg sortedMsg) {
	m.sortAhead = sortAheadIdle
	m.table.AdoptSort(msg.job)
}

// sortAheadKeys are the keys one keystroke away from k, most asked for
// first: s, S, then <. The table asks for no job for S when it can flip
// its order by the order's ties (model.Table.LacksOrder): each job taken
// is a pass over every row in Update (2–22 ms at 100,000 messages), in
// front of a key pressed meanwhile.
func sortAheadKeys(k model.SortKey) []model.SortKey {
	return []model.SortKey{
		{Column: k.Column.Next(), Desc: k.Desc},
		k.Flip(),
		{Column: k.Column.Prev(), Desc: k.Desc},
	}
}

// sortAheadDue returns the command that asks for the job when the scan
// has ended, there is something to sort, and a key one keystroke away
// has no order, nor a job out; nil otherwise. Update calls it after
// every message: it is cheap.
func (m *Model) sortAheadDue() tea.Cmd {
	if m.scan.running || m.sortAhead != sortAheadIdle || m.table.Total() < 2 {
		return nil
	}
	keys := sortAheadKeys(m.table.Sort())
	i := slices.IndexFunc(keys, func(k model.SortKey) bool { return m.table.LacksOrder(k) })
	if i < 0 {
		return nil
	}
	size := m.table.SortRoomFor(keys[i])
	m.sortAhead = sortAheadAsked
	return func() tea.Msg { return sortAheadMsg{room: model.NewSortRoom(size)} }
}

// handleSortAhead takes the job for the nearest key without an order
// and runs it. One job at a time: each holds a copy of every message's
// sort key (1.6–3.2 MB at 100,000 messages as it runs), and a core is
// left to the operator. Its answer makes Update find the next key due.
func (m *Model) handleSortAhead(msg sortAheadMsg) tea.Cmd {
	m.sortAhead = sortAheadIdle
	if m.scan.running {
		return nil
	}
	for _, k := range sortAheadKeys(m.table.Sort()) {
		// The room serves whichever key is due now: its entries are the
		// same for every key, and arrays that do not fit are not used.
		if j := m.table.SortJobIn(msg.room, k); j != nil {
			m.sortAhead = sortAheadRunning
			return func() tea.Msg {
				j.Run()
				return sortedMsg{j}
			}
		}
	}
	return nil
}
