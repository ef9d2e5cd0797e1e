package app

import (
	"context"
	"time"

	"mxaudit/mailsrc"
	"mxaudit/model"
)

// heldEntries is a listing held whole, as a scan replaying its snapshot
// needs it: the snapshot applies only once every entry is listed, and
// the replay then lists them again in order.
//
// Most entries of a Maildir are an ID and a stamp alone (the folder gave
// the inode number: no size, no time, no error, no warning), yet a
// mailsrc.Entry has room for all of them, 96 bytes: at 1,000,000
// messages the held listing took 92 MB of a warm scan's heap. Such an
// entry is held as the text of its two strings and 8 bytes (briefList);
// any other is held whole beside them (more). A listing whose first
// entry is not brief (a directory of files, an mbox: their entries carry
// a size and a time), or whose entries that are not brief are not few,
// or whose text a chunk cannot hold, is held as entries after all
// (whole), as before. Either is held in chunks, so
// that a row replay lets go of the entries it has checked its rows
// against (dropBefore).
type heldEntries struct {
	room  int // the entries to make room for, once their kind is known
	brief *briefList
	more  map[int]mailsrc.Entry     // by index; each one's ID is in brief too
	whole *chunkList[mailsrc.Entry] // the listing, once more would not be few
}

// isBrief reports whether e is its ID and stamp alone.
func isBrief(e mailsrc.Entry) bool {
	return e.Size == 0 && e.Received == (time.Time{}) && e.Err == nil && e.Warning == ""
}

// moreAtMost is how many entries that are not brief a held listing keeps
// beside its brief ones, for n entries held: past it, a map entry each
// costs more than the brief form saves.
func moreAtMost(n int) int { return 64 + n/16 }

// newHeldEntries returns an empty listing that makes room for the
// chunks of n entries (chunkList).
func newHeldEntries(n int) *heldEntries { return &heldEntries{room: max(n, 0)} }

// add appends e.
func (h *heldEntries) add(e mailsrc.Entry) {
	switch {
	case h.brief == nil && h.whole == nil && isBrief(e):
		h.brief = newBriefList(h.room)
	case h.brief == nil && h.whole == nil:
		w := newChunkList[mailsrc.Entry](h.room)
		h.whole = &w
	}
	if h.whole != nil {
		h.whole.add(e)
		return
	}
	if !isBrief(e) {
		if len(h.more) >= moreAtMost(h.brief.len()) {
			h.makeWhole()
			h.whole.add(e)
			return
		}
		if h.more == nil {
			h.more = map[int]mailsrc.Entry{}
		}
		h.more[h.brief.len()] = e
	}
	if !h.brief.add(e.ID, e.Stamp) {
		delete(h.more, h.brief.len())
		h.makeWhole()
		h.whole.add(e)
	}
}

// makeWhole turns the held listing into entries. It is only called
// while the listing is taken, before any entry is let go (dropBefore).
func (h *heldEntries) makeWhole() {
	w := newChunkList[mailsrc.Entry](max(h.room, h.len()+1))
	for i := range h.len() {
		w.add(h.at(i))
	}
	h.whole, h.brief, h.more = &w, nil, nil
}

// len returns how many entries are held, those let go included.
func (h *heldEntries) len() int {
	switch {
	case h.whole != nil:
		return h.whole.len()
	case h.brief != nil:
		return h.brief.len()
	}
	return 0
}

// at returns entry i, 0 <= i < len, not let go (dropBefore).
func (h *heldEntries) at(i int) mailsrc.Entry {
	if h.whole != nil {
		return *h.whole.at(i)
	}
	if e, ok := h.more[i]; ok {
		return e
	}
	id, stamp := h.brief.at(i)
	return mailsrc.Entry{ID: id, Stamp: stamp}
}

// id returns the ID of entry i, 0 <= i < len, not let go.
func (h *heldEntries) id(i int) model.MessageID {
	if h.whole != nil {
		return h.whole.at(i).ID
	}
	id, _ := h.brief.at(i)
	return id
}

// dropBefore lets go of entries before i, in whole chunks (chunkList),
// once the scan reads none of them again: a row replay, as it hands its
// rows out. The entries that are not brief (more) stay: they are few.
func (h *heldEntries) dropBefore(i int) {
	switch {
	case h.whole != nil:
		h.whole.dropBefore(i)
	case h.brief != nil:
		h.brief.dropBefore(i)
	}
}

// list calls fn with the entries from from on, in order, and stops at
// fn's first error or when ctx is done. With letGo, it lets go of the
// entries listed as it goes (dropBefore), for a caller that reads none
// of them again: a scan's listing is paced by its analysis, so that the
// listing held whole stayed in the heap for the whole scan (78 MB at a
// million messages), beside the rows growing.
func (h *heldEntries) list(ctx context.Context, from int, letGo bool, fn func(mailsrc.Entry) error) error {
	for i := from; i < h.len(); i++ {
		if err := ctx.Err(); err != nil {
			return err
		}
		if err := fn(h.at(i)); err != nil {
			return err
		}
		if letGo {
			h.dropBefore(i + 1) // whole chunks only: nothing until one is done
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
// listing is the held entries from from on, let go of as they are
// listed when letGo is set (heldEntries.list).
type heldSource struct {
	mailsrc.Source
	entries *heldEntries
	from    int
	letGo   bool
}

func (s heldSource) List(ctx context.Context, fn func(mailsrc.Entry) error) error {
	return s.entries.list(ctx, s.from, s.letGo, fn)
}
