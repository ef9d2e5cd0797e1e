package app

import (
	"cmp"
	"crypto/sha256"
	"errors"
	"fmt"
	"slices"
	"sync"

	"mxaudit/analysis"
	"mxaudit/mailsrc"
	"mxaudit/model"
	"mxaudit/model/store"
)

// rowReplay is what App.Message needs to read back, one at a time, the
// messages of a scan that handed out a row snapshot's rows (ScanRows):
// where the cache holds each one's result, as the scan snapshot's digest
// checked it, and the row handed out, which what is read back must give.
//
// A message's cached result is what the scan emitted for it: the stamp
// key names its ID, it got its delivery date before it was cached, and a
// listing's warning, which a scan adds after the cache, keeps a scan from
// handing out rows at all.
type rowReplay struct {
	cachePath string
	// sums and refs are, by listing position, each message's
	// scan.StampSum and the ref of its result: the listing digest's
	// own, which nothing changes once summed (a copy cost 5.6 MB at
	// 100,000 messages before the first row went out), until they are
	// in slots, a file (spillSlots), written while the rows go out. changed
	// holds instead the refs of the results pairing changed, which are
	// under changedKey, by ID while the rows go out, then by position
	// (changedAt, placeChanged). By ID, they are the replay's own
	// replacements, shared (a copy took 17 MB at a million messages),
	// those not fresh.
	sums      [][sha256.Size]byte
	refs      []store.RecordRef
	slots     *rowSlots
	closed    bool // the App let rr go (close): no file is made after
	changed   map[model.MessageID]replacement
	changedAt []changedRef
	// fresh are the listed messages without a cached result
	// (snapshotKey's Uncached; a few at most): each read analyses one
	// anew, as every scan does.
	fresh map[model.MessageID]mailsrc.Entry
	// an analyses them, as the replay did (replayPlan.an).
	an *analysis.Analyzer
	// resumed are the listed messages the new mail changed, as paired
	// again from the snapshot's tail (replayPlan.resumed), encoded as
	// the cache encodes them: each read decodes a copy of its own (one
	// message shared by every read let a caller that changed it change
	// the next read: the concurrency review), and they take less room.
	resumed map[model.MessageID][]byte

	// mu guards what follows, and sums, refs, slots, changed and
	// changedAt.
	mu sync.RWMutex
	// blocks are the rows handed out, block by block as the row
	// snapshot holds them: the row at position i is
	// blocks[i/per][i%per], every block but the last holding per rows
	// (replayRows refuses a file otherwise). The rows themselves, not
	// a []*model.Row of them beside the table's (8 MB at a million).
	blocks [][]model.Row
	per    int
	n      int // the messages listed
	out    int // rows handed out
	// index finds a row handed out by its ID. It is made when a
	// message is first read back, not while the rows go out: a console
	// may never read one, and the rows are listed sooner without it.
	// It reads the rows' own IDs (their text), not the listing's
	// copies, which the scan then drops.
	index *rowIndex
}

// row is the row handed out at position i.
func (rr *rowReplay) row(i int32) *model.Row {
	return &rr.blocks[int(i)/rr.per][int(i)%rr.per]
}

// rowID is the ID of the row handed out at position i (rowIDs).
func (rr *rowReplay) rowID(i int32) model.MessageID { return rr.row(i).ID() }

// rowSlot is where one listed message's result is.
type rowSlot struct {
	sum     [sha256.Size]byte // scan.StampSum of its entry
	ref     store.RecordRef   // of its result: the cached analysis, or pairing's outcome
	changed bool              // pairing changed it: the result is under changedKey
}

// slot returns the slot of the row with the given ID handed out, and
// the row; ok is false when none was. An error is a slot that could not
// be read from its file.
func (rr *rowReplay) slot(id model.MessageID) (s rowSlot, row *model.Row, ok bool, err error) {
	rr.mu.RLock()
	if rr.index == nil {
		rr.mu.RUnlock()
		rr.mu.Lock()
		if rr.index == nil {
			rr.index = newRowIndex(rr.n)
			for i := range rr.out {
				rr.index.add(rr, int32(i))
			}
		}
		rr.mu.Unlock()
		rr.mu.RLock()
	}
	defer rr.mu.RUnlock()
	i, ok := rr.index.find(rr, id)
	if !ok {
		return rowSlot{}, nil, false, nil
	}
	if s.sum, s.ref, err = rr.slotAt(i); err != nil {
		return rowSlot{}, nil, true, err
	}
	if ref, ok := rr.changedRef(id, i); ok {
		s.ref, s.changed = ref, true
	}
	return s, rr.row(i), true, nil
}

// slotAt returns the stamp sum and the ref of the cached result of the
// message listed at position i, as the listing digest found them.
// rr.mu is held.
func (rr *rowReplay) slotAt(i int32) (sum [sha256.Size]byte, ref store.RecordRef, err error) {
	switch {
	case rr.closed:
		return sum, ref, errReplayClosed
	case rr.slots != nil:
		return rr.slots.at(int(i))
	}
	return rr.sums[i], rr.refs[i], nil
}

// handedOutIDs are the IDs of the rows handed out, in order (each one
// checked against the listed message's as it went out: replayRows), then
// rest. The blocks are not changed once handed out.
func (rr *rowReplay) handedOutIDs(rest []model.MessageID) listedIDs {
	rr.mu.RLock()
	defer rr.mu.RUnlock()
	return listedIDs{blocks: rr.blocks, per: rr.per, n: rr.out, rest: rest}
}

// spillSlots moves the sums and refs to a file in dir (rowSlots).
// replayRows writes it while it hands the rows out, rather than once
// they are all out: at a million messages the slots are 48 MB, and the
// rows, which grow to 300 MB meanwhile, met them in the heap at the
// end. Should the file not be made, they stay where they are. It is
// called once.
func (rr *rowReplay) spillSlots(dir string) {
	rr.mu.RLock()
	sums, refs, done := rr.sums, rr.refs, rr.slots != nil || rr.closed
	rr.mu.RUnlock()
	if done {
		return
	}
	slots, err := writeRowSlots(dir, sums, refs) // nothing changes their elements
	if err != nil {
		return
	}
	rr.mu.Lock()
	defer rr.mu.Unlock()
	if rr.closed {
		// A new scan began (or the App closed) while the file was
		// written: nobody reads from rr any more.
		slots.close()
		return
	}
	rr.slots, rr.sums, rr.refs = slots, nil, nil
}

// close lets the slots go, their file and any made later: the App no
// longer reads from rr, though the scan that made it may still be
// ending. A read of a slot then fails (errReplayClosed).
func (rr *rowReplay) close() {
	rr.mu.Lock()
	defer rr.mu.Unlock()
	rr.closed = true
	if rr.slots != nil {
		rr.slots.close()
	}
	rr.sums, rr.refs = nil, nil
}

// errReplayClosed is a read of a row replay the App has let go.
var errReplayClosed = errors.New("the list was read again since: open the message again")

// changedRef is a changed message's ref at position at: pairing's
// outcome, which is under changedKey.
type changedRef struct {
	at  int32
	ref store.RecordRef
}

// changedRef returns the ref of pairing's outcome for the message id at
// position i, when pairing changed it. rr.mu is held.
func (rr *rowReplay) changedRef(id model.MessageID, i int32) (store.RecordRef, bool) {
	if rr.changed != nil {
		r, ok := rr.changed[id]
		return r.ref, ok && !r.fresh
	}
	j, ok := slices.BinarySearchFunc(rr.changedAt, i, func(c changedRef, i int32) int { return cmp.Compare(c.at, i) })
	if !ok {
		return store.RecordRef{}, false
	}
	return rr.changedAt[j].ref, true
}

// placeChanged finds the changed messages' positions among the rows
// handed out, once the replay hands out no more, and keeps their refs
// by position: a map by ID, with the snapshot's IDs its keys point into,
// took 17 MB at a million messages (190,000 changed), the refs by
// position 4.6 MB. It looks up every row handed out, by the row's own
// ID, so that no changed message is left to be read back under its
// result before pairing; one not handed out is not read back from the
// replay at all (slot finds it not).
func (rr *rowReplay) placeChanged() {
	rr.mu.Lock()
	defer rr.mu.Unlock()
	if rr.changed == nil {
		return // placed already
	}
	at := make([]changedRef, 0, len(rr.changed)) // the fresh ones too, a few
	for i := range int32(rr.out) {
		if r, ok := rr.changed[rr.rowID(i)]; ok && !r.fresh {
			at = append(at, changedRef{i, r.ref})
		}
	}
	rr.changedAt, rr.changed = at, nil
}

// handOut records a block of rows as handed out, listed from position
// rr.out on (the next one): per rows, or the last block's fewer. It
// refuses, recording nothing, a block that would put a row out of the
// place row finds it at (replayRows refuses such a file before).
func (rr *rowReplay) handOut(rows []model.Row) error {
	rr.mu.Lock()
	defer rr.mu.Unlock()
	if len(rows) > rr.per || (len(rr.blocks) > 0 && len(rr.blocks[len(rr.blocks)-1]) != rr.per) {
		return fmt.Errorf("%w: a block of %d rows out of place", errRowsWrong, len(rows))
	}
	rr.blocks = append(rr.blocks, rows)
	if rr.index != nil {
		for j := range rows {
			rr.index.add(rr, int32(rr.out+j))
		}
	}
	rr.out += len(rows)
	return nil
}
