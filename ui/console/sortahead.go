package console

import (
	tea "charm.land/bubbletea/v2"

	"mxaudit/model"
)

// Sorting ahead: once the scan has ended, the console sorts the list by
// the keys one keystroke away (s and > the next column, < the previous,
// S the other direction) on a goroutine of its own, so that the key
// re-sorts 100,000 messages by taking an order ready (about a
// millisecond) rather than sorting them in Update (20–70 ms). Sorting
// ahead waits for the scan's end: the orders would go stale with every
// batch, and the scan has the processor's time to use.
//
// The table takes each job (a pass over its rows, in Update), the job
// sorts away from it, and the table adopts the order unless rows changed
// meanwhile (model.SortJob). A key pressed before its order is ready
// sorts in Update, as it did before.

// sortAheadMsg asks Update to take the jobs due, on the turn after the
// one that found them due, so that a key's frame is not kept waiting by
// the jobs it leads to.
type sortAheadMsg struct{}

// sortedMsg brings back a job that has sorted, with the jobs still to
// run after it.
type sortedMsg struct {
	job  *model.SortJob
	rest []*model.SortJob
}

// sortAheadKeys are the keys one keystroke away from k.
func sortAheadKeys(k model.SortKey) []model.SortKey {
	return []model.SortKey{
		{Column: k.Column.Next(), Desc: k.Desc},
		k.Flip(),
		{Column: k.Column.Prev(), Desc: k.Desc},
	}
}

// sortAheadDue returns the command that asks for the jobs when the scan
// has ended, there is something to sort, and a key one keystroke away
// has no order, nor a job out; nil otherwise. Update calls it after
// every message: it is cheap.
func (m *Model) sortAheadDue() tea.Cmd {
	if m.scan.running || m.sortAheadAsked || m.table.Total() < 2 || !m.table.LacksOrder(sortAheadKeys(m.table.Sort())...) {
		return nil
	}
	m.sortAheadAsked = true
	return func() tea.Msg { return sortAheadMsg{} }
}

// handleSortAhead takes the jobs due and runs them one after the other
// (a core is left to the operator), nearest key first.
func (m *Model) handleSortAhead() tea.Cmd {
	m.sortAheadAsked = false
	if m.scan.running {
		return nil
	}
	return runSortJobs(m.table.SortJobs(sortAheadKeys(m.table.Sort())...))
}

// handleSorted adopts a job's order and runs the next job.
func (m *Model) handleSorted(msg sortedMsg) tea.Cmd {
	m.table.AdoptSort(msg.job)
	return runSortJobs(msg.rest)
}

// runSortJobs returns the command that runs the first job, nil for
// none.
func runSortJobs(jobs []*model.SortJob) tea.Cmd {
	if len(jobs) == 0 {
		return nil
	}
	return func() tea.Msg {
		jobs[0].Run()
		return sortedMsg{job: jobs[0], rest: jobs[1:]}
	}
}
