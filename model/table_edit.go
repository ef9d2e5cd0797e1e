package model

import "slices"

// Remove takes the messages with the given IDs out of the table, for
// messages released or deleted at the source, and returns how many it
// removed. The selection stays on its message when it remains, else it
// falls on the row now at its position.
func (t *Table) Remove(ids map[MessageID]bool) int {
	if len(ids) == 0 {
		return 0
	}
	gone := func(i int32) bool { return ids[t.msg(i).ID] }
	before := len(t.order)
	t.order = slices.DeleteFunc(t.order, gone)
	n := before - len(t.order)
	if n == 0 {
		return 0
	}
	t.removed += n
	t.view = slices.DeleteFunc(t.view, gone)
	t.reselect(t.cursor)
	return n
}

// Update calls change on a copy of every message still in the table
// and, where it reports a change, puts the copy in the message's place
// and refreshes what sorting and filtering know of it, then re-sorts and
// re-filters. It is how the console applies a new exception policy
// (Policy.Annotate) to messages already listed. change may set the
// copy's fields but must not write into what they point at (an Auth, an
// attachment), which the original still shares.
func (t *Table) Update(change func(*Message) bool) {
	changed := false
	scratch := new(Message)
	for _, i := range t.order {
		*scratch = *t.msg(i)
		if change(scratch) {
			t.setRow(i, scratch)
			t.keys[i], _ = newSortKeys(scratch, false, nil)
			scratch = new(Message)
			changed = true
		}
	}
	if !changed {
		return
	}
	t.sortAll()
	t.view = t.applyFilter(t.order, t.view[:0])
	t.reselect(t.cursor)
}

// ByID returns the message with the given ID, shown or not, or nil when
// the table has none (or it was removed).
func (t *Table) ByID(id MessageID) *Message {
	for _, i := range t.order {
		if m := t.msg(i); m.ID == id {
			return m
		}
	}
	return nil
}

// Each calls fn on every message still in the table, shown or not, in
// the current sort order. fn must not change the message.
func (t *Table) Each(fn func(*Message)) {
	for _, i := range t.order {
		fn(t.msg(i))
	}
}
