package console

import (
	"charm.land/bubbles/v2/key"
	tea "charm.land/bubbletea/v2"

	"mxaudit/model"
)

// marks is the set of messages marked for a bulk action, by ID so that
// marks survive sorting, filtering and new arrivals.
type marks struct {
	set map[model.MessageID]bool
	// last is the message marked or unmarked last: V marks from it to the
	// cursor.
	last model.MessageID
}

func (s *marks) has(id model.MessageID) bool { return s.set[id] }

func (s *marks) len() int { return len(s.set) }

func (s *marks) put(id model.MessageID, on bool) {
	if s.set == nil {
		s.set = make(map[model.MessageID]bool)
	}
	if on {
		s.set[id] = true
	} else {
		delete(s.set, id)
	}
}

// forget drops the marks of messages that left the table.
func (s *marks) forget(ids map[model.MessageID]bool) {
	for id := range ids {
		delete(s.set, id)
	}
	if ids[s.last] {
		s.last = ""
	}
}

// handleMarkKey handles the marking keys and reports whether msg was one.
func (m *Model) handleMarkKey(msg tea.KeyPressMsg) (tea.Cmd, bool) {
	k := &m.com.Keys
	t := m.table
	switch {
	case key.Matches(msg, k.Mark):
		sel := t.SelectedRow()
		if sel == nil {
			return nil, true
		}
		m.marks.put(sel.ID(), !m.marks.has(sel.ID()))
		m.marks.last = sel.ID()
		// Move on, so that a run of rows is marked by holding space.
		t.MoveCursor(1)
	case key.Matches(msg, k.MarkRange):
		cur := t.Cursor()
		if cur < 0 {
			return nil, true
		}
		from := cur
		if m.marks.last != "" {
			if pos := t.Find(m.marks.last); pos >= 0 {
				from = pos
			}
		}
		for i := min(from, cur); i <= max(from, cur); i++ {
			m.marks.put(t.RowAt(i).ID(), true)
		}
		m.marks.last = t.RowAt(cur).ID()
	case key.Matches(msg, k.MarkAll):
		for i := range t.Len() {
			m.marks.put(t.RowAt(i).ID(), true)
		}
	case key.Matches(msg, k.ClearMarks):
		m.marks = marks{}
	default:
		return nil, false
	}
	return m.selectionChanged(), true
}

// targets returns the rows of the messages an action applies to: the
// marked ones that are shown, in list order, or else the selected one.
// Marked messages the filter hides are left out on purpose: an operator
// confirms what is on screen. The dry run reads the messages back whole
// (planCmd).
func (m *Model) targets() []*model.Row {
	var out []*model.Row
	if m.marks.len() > 0 {
		for i := range m.table.Len() {
			if r := m.table.RowAt(i); m.marks.has(r.ID()) {
				out = append(out, r)
			}
		}
		return out
	}
	if sel := m.table.SelectedRow(); sel != nil {
		out = append(out, sel)
	}
	return out
}

// marksShown counts the marked messages the filter shows ("65 marked (14
// shown)", defect 8 of issue 15): one map lookup per shown row, and
// none without a filter.
func (m *Model) marksShown() int {
	if m.table.Filter().IsZero() {
		return m.marks.len()
	}
	n := 0
	for i := range m.table.Len() {
		if m.marks.has(m.table.RowAt(i).ID()) {
			n++
		}
	}
	return n
}
