package app

import (
	"context"
	"time"

	"mxaudit/mailsrc"
	"mxaudit/model"
	"mxaudit/model/store/prefault"
)

// heldEntries is a listing held whole, as a scan replaying its snapshot
// needs it: the snapshot applies only once every entry is listed, and
// the replay then lists them again in order.
//
// Most entries of a Maildir are an ID and a stamp alone (the folder gave
// the inode number: no size, no time, no error, no warning), yet a
// mailsrc.Entry has room for all of them, 96 bytes: at 1,000,000
// messages the held listing took 92 MB of a warm scan's heap. Such an
// entry is held as its two strings (briefEntry, 32 bytes); any other is
// held whole beside them (more). A listing whose first entry is not
// brief (a directory of files, an mbox: their entries carry a size and a
// time), or whose entries that are not brief are not few, is held as
// entries after all (whole), as before.
type heldEntries struct {
	room  int // the entries to make room for, once their kind is known
	brief []briefEntry
	more  map[int]mailsrc.Entry // by index; each one's ID is in brief too
	whole []mailsrc.Entry       // the listing, once more would not be few
}

// briefEntry is an entry that is its ID and stamp alone.
type briefEntry struct {
	id    model.MessageID
	stamp string
}

// isBrief reports whether e is its ID and stamp alone.
func isBrief(e mailsrc.Entry) bool {
	return e.Size == 0 && e.Received == (time.Time{}) && e.Err == nil && e.Warning == ""
}

// moreAtMost is how many entries that are not brief a held listing keeps
// beside its brief ones, for n entries held: past it, a map entry each
// costs more than the brief form saves.
func moreAtMost(n int) int { return 64 + n/16 }

// newHeldEntries returns an empty listing that makes room for n entries
// at the first: brief ones, or whole ones when the first is not brief.
// The room is mapped in at once (package prefault): page by page, the
// 9.6 MB of 100,000 whole entries were faulted in as a listing was taken.
func newHeldEntries(n int) *heldEntries { return &heldEntries{room: max(n, 0)} }

// add appends e.
func (h *heldEntries) add(e mailsrc.Entry) {
	switch {
	case h.brief == nil && h.whole == nil && isBrief(e):
		h.brief = make([]briefEntry, 0, h.room)
		prefault.Slice(h.brief)
	case h.brief == nil && h.whole == nil:
		h.whole = make([]mailsrc.Entry, 0, h.room)
		prefault.Slice(h.whole)
	}
	if h.whole != nil {
		h.whole = append(h.whole, e)
		return
	}
	if !isBrief(e) {
		if len(h.more) >= moreAtMost(len(h.brief)) {
			h.makeWhole()
			h.whole = append(h.whole, e)
			return
		}
		if h.more == nil {
			h.more = map[int]mailsrc.Entry{}
		}
		h.more[len(h.brief)] = e
	}
	h.brief = append(h.brief, briefEntry{id: e.ID, stamp: e.Stamp})
}

// makeWhole turns the held listing into entries, with room for as many
// as the brief ones had, mapped in at once (see newHeldEntries).
func (h *heldEntries) makeWhole() {
	whole := make([]mailsrc.Entry, h.len(), max(cap(h.brief), h.len()+1))
	prefault.Slice(whole[len(whole):cap(whole)])
	for i := range whole {
		whole[i] = h.at(i)
	}
	h.whole, h.brief, h.more = whole, nil, nil
}

// len returns how many entries are held.
func (h *heldEntries) len() int {
	if h.whole != nil {
		return len(h.whole)
	}
	return len(h.brief)
}

// at returns entry i, 0 <= i < len.
func (h *heldEntries) at(i int) mailsrc.Entry {
	if h.whole != nil {
		return h.whole[i]
	}
	if e, ok := h.more[i]; ok {
		return e
	}
	return mailsrc.Entry{ID: h.brief[i].id, Stamp: h.brief[i].stamp}
}

// id returns the ID of entry i, 0 <= i < len.
func (h *heldEntries) id(i int) model.MessageID {
	if h.whole != nil {
		return h.whole[i].ID
	}
	return h.brief[i].id
}

// list calls fn with the entries from from on, in order, and stops at
// fn's first error or when ctx is done.
func (h *heldEntries) list(ctx context.Context, from int, fn func(mailsrc.Entry) error) error {
	for i := from; i < h.len(); i++ {
		if err := ctx.Err(); err != nil {
			return err
		}
		if err := fn(h.at(i)); err != nil {
			return err
		}
	}
	return nil
}

// all returns every entry held, in order, for a loop that cannot fail.
func (h *heldEntries) all(yield func(mailsrc.Entry) bool) {
	for i := range h.len() {
		if !yield(h.at(i)) {
			return
		}
	}
}

// heldSource is a source whose listing was already read and held: its
// listing is the held entries from from on.
type heldSource struct {
	mailsrc.Source
	entries *heldEntries
	from    int
}

func (s heldSource) List(ctx context.Context, fn func(mailsrc.Entry) error) error {
	return s.entries.list(ctx, s.from, fn)
}
