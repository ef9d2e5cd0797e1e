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
	var out []int32
	t.order = slices.DeleteFunc(t.order, func(i int32) bool {
		if gone(i) {
			out = append(out, i)
			return true
		}
		return false
	})
	n := len(out)
	if n == 0 {
		return 0
	}
	t.removed += n
	t.view = slices.DeleteFunc(t.view, gone)
	for _, i := range out {
		// Out of the table for good: a row of its own gives back its
		// search text.
		if !isSet(t.sharedLine, i) {
			*t.line(i) = Row{ID: t.line(i).ID, RowVerdicts: t.line(i).RowVerdicts}
		}
	}
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
//
// A message the table owns (Append) is overwritten in its slot, so
// repeated policy changes leave no dead copies behind; a shared one
// (AppendShared) is replaced by a new copy, never written.
func (t *Table) Update(change func(*Message) bool) {
	changed := false
	scratch := new(Message)
	for _, i := range t.order {
		*scratch = *t.msg(i)
		if !change(scratch) {
			continue
		}
		changed = true
		if isSet(t.inOwned, i) {
			*t.msg(i) = t.intern.message(*scratch)
		} else {
			t.setRow(i, scratch)
			scratch = new(Message)
		}
		t.setLine(i, newRow(t.msg(i), &t.intern))
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

// setLine makes r the row of arrival index i: in its slot when the
// table owns the row, else (a shared row, which is never written) in a
// new slot of the table's own.
func (t *Table) setLine(i int32, r Row) {
	if !isSet(t.sharedLine, i) {
		*t.line(i) = r
		return
	}
	t.lines[i>>chunkBits][i&(1<<chunkBits-1)] = t.ownLine(r)
	t.sharedLine[i>>6] &^= 1 << (i & 63)
}

// EachRow calls fn on the row of every message still in the table,
// shown or not, in the current sort order: what a count over every
// message needs, without the full messages.
func (t *Table) EachRow(fn func(*Row)) {
	for _, i := range t.order {
		fn(t.line(i))
	}
}

// RowByID returns the row of the message with the given ID, shown or
// not, or nil when the table has none (or it was removed).
func (t *Table) RowByID(id MessageID) *Row {
	for _, i := range t.order {
		if r := t.line(i); r.ID == id {
			return r
		}
	}
	return nil
}

// Replace puts msg in the place of the listed message with its ID (a
// verification's fresh analysis), with a row built from it, re-sorting
// and re-filtering; it reports false when the table lists no such
// message.
func (t *Table) Replace(msg Message) bool {
	replaced := false
	t.Update(func(m *Message) bool {
		if m.ID != msg.ID || replaced {
			return false
		}
		*m, replaced = msg, true
		return true
	})
	return replaced
}
