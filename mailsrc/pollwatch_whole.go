package mailsrc

import (
	"cmp"
	"context"
	"hash/maphash"
	"iter"
	"maps"
	"slices"
	"time"

	"mxaudit/model"
)

// A source whose messages appear whole (idLister: a Maildir, whose
// deliveries are renames) is watched by its names alone, and a console
// over a large quarantine watches a million of them. As maps of strings,
// the set held and the two listings compared with it took about 170 MB
// at 1,000,000 messages each time mail came, and each listing made a
// string of every name: a console started right after a delivery peaked
// at 587–603 MiB, against 456–472 once the folders had settled (540–581
// with what follows). Here a listing is the sorted
// keyed 128-bit hashes of its names (idSum: 16 bytes a message, hashed
// from the directory's buffer), and the held set keeps each hash with
// its ID, sorted (32 bytes a message; the IDs are the caller's, or those
// of the mail added since), so that what left is reported by name. The
// hashes are keyed for the process (maphash, two seeds), not
// cryptographic: two names of one hash, which no sender can aim at and
// chance all but never gives, would hide one of them from the watch
// until the next scan.

// idSum is the keyed 128-bit hash of a message ID.
type idSum [2]uint64

// idSumSeeds key idSum for the process, so that no sender can make two
// names collide on purpose.
var idSumSeeds = [2]maphash.Seed{maphash.MakeSeed(), maphash.MakeSeed()}

func sumOfID[T []byte | string](id T) idSum {
	switch s := any(id).(type) {
	case []byte:
		return idSum{maphash.Bytes(idSumSeeds[0], s), maphash.Bytes(idSumSeeds[1], s)}
	case string:
		return idSum{maphash.String(idSumSeeds[0], s), maphash.String(idSumSeeds[1], s)}
	}
	panic("unreachable")
}

func compareSums(a, b idSum) int {
	if c := cmp.Compare(a[0], b[0]); c != 0 {
		return c
	}
	return cmp.Compare(a[1], b[1])
}

// heldID is a message a whole watch holds: its ID and the ID's sum.
type heldID struct {
	sum idSum
	id  model.MessageID
}

// heldIDs is the set a whole watch holds, sorted by sum, each once.
type heldIDs []heldID

func compareHeld(a, b heldID) int { return compareSums(a.sum, b.sum) }

// heldOf returns the set of ids. They come in chunks, copied once into a
// set of the count they make: appended to one slice, a million IDs were
// 172 MB allocated as it grew, for a set of 32.
func heldOf(ids iter.Seq[model.MessageID]) heldIDs {
	const chunkLen = 1 << 14
	var chunks []heldIDs
	n := 0
	for id := range ids {
		if len(chunks) == 0 || len(chunks[len(chunks)-1]) == chunkLen {
			chunks = append(chunks, make(heldIDs, 0, chunkLen))
		}
		chunks[len(chunks)-1] = append(chunks[len(chunks)-1], heldID{sumOfID(string(id)), id})
		n++
	}
	h := make(heldIDs, 0, n)
	for i := range chunks {
		h, chunks[i] = append(h, chunks[i]...), nil
	}
	slices.SortFunc(h, compareHeld)
	return slices.Clip(slices.CompactFunc(h, func(a, b heldID) bool { return a.sum == b.sum }))
}

func (h heldIDs) has(s idSum) bool {
	_, ok := slices.BinarySearchFunc(h, s, func(e heldID, s idSum) int { return compareSums(e.sum, s) })
	return ok
}

// same reports whether a listing's sums are exactly the set's.
func (h heldIDs) same(sums []idSum) bool {
	return slices.EqualFunc(h, sums, func(e heldID, s idSum) bool { return e.sum == s })
}

// wholeListing is one listing of a whole source: the sums of its names,
// sorted, each once, and the names of those the held set did not hold.
type wholeListing struct {
	sums  []idSum
	fresh map[idSum]model.MessageID
}

func (l *wholeListing) has(s idSum) bool {
	_, ok := slices.BinarySearchFunc(l.sums, s, compareSums)
	return ok
}

// listWhole lists src's names, as sums, and the names of those held does
// not hold.
func listWhole(ctx context.Context, src idLister, held heldIDs) (wholeListing, error) {
	l := wholeListing{sums: make([]idSum, 0, len(held)+len(held)/64+16), fresh: map[idSum]model.MessageID{}}
	err := src.listIDBytes(ctx, func(name []byte) error {
		s := sumOfID(name)
		l.sums = append(l.sums, s)
		if !held.has(s) {
			l.fresh[s] = model.MessageID(name) // a copy: name is the directory's buffer
		}
		return nil
	})
	slices.SortFunc(l.sums, compareSums)
	l.sums = slices.Compact(l.sums) // a name read twice (moved while the folders were read)
	return l, err
}

// reportWhole is reportSized for a whole source: with known the
// set held and two listings taken Settle apart, it calls fn with the
// messages in neither listing (removed) and those in both that known
// did not hold (added), and returns the new set held, known's array
// reused.
func reportWhole(known heldIDs, first, second wholeListing, src string, fn func(Change)) heldIDs {
	var removed []model.MessageID
	kept := known[:0] // filtered in place: the caller replaces known
	for _, e := range known {
		if !first.has(e.sum) && !second.has(e.sum) {
			removed = append(removed, e.id)
			continue
		}
		kept = append(kept, e)
	}
	clear(known[len(kept):]) // the removed IDs are not kept alive by the array
	var added heldIDs
	for s, id := range second.fresh {
		if first.has(s) {
			added = append(added, heldID{s, id})
		}
	}
	slices.SortFunc(added, compareHeld)
	ids := make([]model.MessageID, len(added))
	for i := range added {
		ids[i] = added[i].id
	}
	reportChanges(removed, ids, src, fn)
	return mergeHeld(kept, added)
}

// mergeHeld merges added, sorted, into held, sorted, in held's array
// when it has room: sorting the whole set again for each delivery was
// a million entries' sort at a million messages.
func mergeHeld(held, added heldIDs) heldIDs {
	n := len(held)
	held = slices.Grow(held, len(added))[:n+len(added)]
	for i, j, w := n-1, len(added)-1, len(held)-1; j >= 0; w-- {
		if i >= 0 && compareHeld(held[i], added[j]) > 0 {
			held[w], i = held[i], i-1
		} else {
			held[w], j = added[j], j-1
		}
	}
	return held
}

// wholeWatch is what WatchFrom holds of a whole source (see above).
type wholeWatch struct {
	src idLister
	// held is the set reported or known, once holds is set; untaken are
	// the known IDs until something changed (WatchFrom).
	held    heldIDs
	holds   bool
	untaken iter.Seq[model.MessageID]
	// listed is the fingerprint of the untaken IDs (Known.Listed): while
	// a listing's is the same, they are not taken in.
	listed *IDSetSum
}

// poll lists the source, reports what changed for good (settle after a
// listing that differs from the set held, a second one), and says
// whether the set held is now the last listing's.
func (w *wholeWatch) poll(ctx context.Context, settle time.Duration, name string, fn func(Change)) (bool, error) {
	if w.untaken != nil && w.listed != nil {
		// A listing hashed as it is read, holding no name: while it is
		// the scan's set, the IDs stay untaken (held, 32 bytes a
		// message); once it is not, the listing below is taken too.
		now, err := sumListing(ctx, w.src)
		switch {
		case err != nil:
			return false, err
		case now == *w.listed:
			return true, nil
		}
		w.listed = nil
	}
	if w.untaken != nil {
		w.held, w.holds, w.untaken = heldOf(w.untaken), true, nil
	}
	first, err := listWhole(ctx, w.src, w.held)
	switch {
	case err != nil:
		return false, err
	case w.holds && w.held.same(first.sums):
		return true, nil
	case !w.holds:
		// The first listing is all news, and nothing can have left: no
		// second listing to wait for (at 1,000,000 messages, another
		// million names). A message a rename hid from it changed its
		// folder's stamp, so the next poll lists it.
		held := make(heldIDs, 0, len(first.fresh))
		for s, id := range first.fresh {
			held = append(held, heldID{s, id})
		}
		slices.SortFunc(held, compareHeld)
		w.held, w.holds = held, true
		reportAdded(slices.Collect(maps.Values(first.fresh)), fn)
		return true, nil
	}
	// Let a burst settle, then look again and report only what has held
	// still.
	if err := sleepCtx(ctx, settle); err != nil {
		return false, err
	}
	second, err := listWhole(ctx, w.src, w.held)
	if err != nil {
		return false, err
	}
	w.held = reportWhole(w.held, first, second, name, fn)
	return w.held.same(second.sums), nil
}
