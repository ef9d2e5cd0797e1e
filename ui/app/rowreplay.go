package app

import (
	"bytes"
	"cmp"
	"context"
	"crypto/sha256"
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"slices"
	"sync"

	"mxaudit/analysis"
	"mxaudit/analysis/scan"
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

// ScanRows is Scan for a console: when the source is unchanged since a
// scan whose list was kept, it hands out that list's rows through
// emitRow, in listing order, instead of every message through emit, and
// Message reads a message back whole when a view needs it. Otherwise it
// is Scan, but that emit gets each message with its row, made on the
// scan's goroutine or kept from the last list (rowLister), and the
// message still encoded as the cache encodes it (model.Encoded): its
// bytes are what the console's spill keeps. emit is called from one
// goroutine, in order, but not always the one emitRow, ahead and
// progress are called from: they must not share state unguarded.
//
// It returns, when the scan's list may be kept for the next start, the
// function that keeps it: the console calls it with its rows of this
// very scan (see keepRows), off its Update.
//
// ahead, when set, is given the first rows of that list before the
// source is checked, to be shown as not yet checked, and nil should the
// scan then not hand that list out (see rowsahead.go).
func (a *App) ScanRows(ctx context.Context, emit func(model.Message, *model.Row) error, emitRow func(*model.Row) error,
	ahead func([]model.Row), progress func(scan.Progress)) (keep func([]*model.Row) error, err error) {
	var shown *shownAhead
	if ahead != nil {
		shown = &shownAhead{give: ahead}
	}
	lister := newRowLister(ctx, emit)
	defer lister.stop() // the kept rows are not read past the scan
	t, err := a.scanInto(ctx, lister.emitMessage, emitRow, shown, progress, true, lister)
	a.listed.Store(&listedRows{reused: lister.reused, made: lister.made, keptRead: lister.read})
	if err != nil || t == nil {
		return nil, err
	}
	return t.keep, nil
}

// replayRows hands out the row snapshot of the scan plan replays, block
// by block as it reads it; the rows of the messages without a cached
// result are those of their analyses of this scan (plan.fresh).
// handedOut is false, with nothing emitted, when there is no row
// snapshot of it. Should a block be damaged or name other messages, the
// rest of the entries are replayed as messages (replayRest), the file
// goes, and restIDs are the IDs of the whole listing, to keep the list
// again. New mail after the snapshot's listing (snapshotdelta.go) is
// such a rest, after the list handed out whole: restIDs is then nil,
// and the file stands.
//
// Once the first block is out, nothing reads the cache's index, nor the
// entries the rows handed out were checked against, but the replay of
// a rest, which opens the cache again: the cache is closed while the
// rows go out (unless closing would compact it, which moves the records
// the rows are read back from), and the entries let go block by block.
// At a million messages they are 77 and 66 MB of the heap the rows grow
// in, which the soft limit after the scan is measured from.
func (a *App) replayRows(ctx context.Context, cache *store.Cache, opts scan.Options, plan *replayPlan,
	emit func(model.Message) error, emitRow func(*model.Row) error, gen uint64, lister *rowLister) (handedOut bool, restIDs *listedIDs, err error) {
	entries, d := plan.entries, plan.d
	if len(d.keys) != entries.len() || len(d.refs) != entries.len() {
		return false, nil, nil
	}
	for e := range entries.all {
		if e.Warning != "" {
			return false, nil, nil // added at each scan, after the cache
		}
	}
	// The list kept is the snapshot's listing's: all of the entries,
	// or those before the new mail of a listing it followed (the rest).
	kept := plan.snap.Count
	path := rowsPath(cache.Path())
	rf, err := openRows(path, rowsName(plan.snap.Digest, cache.HeaderSum()), kept)
	if err != nil {
		if !errors.Is(err, errRowsStale) && !errors.Is(err, fs.ErrNotExist) {
			a.warnf("the list kept from the last scan is not used: %v", err)
		}
		return false, nil, nil
	}
	defer rf.Close()
	rr, freshRows := newRowReplay(cache, plan)
	if !a.setRowReplay(gen, rr) {
		return false, nil, nil
	}
	// The slots go to their file once the first block is out (none
	// when the file gives none), and the replay is over with them in
	// place; the changed refs are placed however it ends. The cache is
	// closed then too, unless closing would compact it (which moves
	// every record the replay's refs name: a rest could then not be
	// replayed), and the replay is over once it is.
	var spilled, closed chan struct{}
	closedEarly := false // written before closed is closed
	defer func() {
		if spilled != nil {
			<-spilled
		}
		if closed != nil {
			<-closed
		}
	}()
	defer rr.placeChanged()
	sent := 0
	for sent < kept {
		if err := ctx.Err(); err != nil {
			return true, nil, err
		}
		rows, err := rf.next()
		if err == nil && len(rows) > kept-sent {
			err = fmt.Errorf("%w: more rows than messages", errRowsWrong)
		}
		if err == nil && (len(rows) > rowsPerBlock || len(rows) < rowsPerBlock && sent+len(rows) != kept) {
			err = fmt.Errorf("%w: a block of %d rows, not %d", errRowsWrong, len(rows), rowsPerBlock)
		}
		for j := 0; err == nil && j < len(rows); j++ {
			if rows[j].ID() != entries.id(sent+j) {
				err = fmt.Errorf("%w: row %d is not the listed message's", errRowsWrong, sent+j)
			}
		}
		if err == nil {
			for j := range rows {
				if r, ok := freshRows[rows[j].ID()]; ok {
					if _, resumed := plan.resumed[r.ID()]; resumed {
						plan.keepListedRow(rows[j]) // the snapshot's, for a list kept again
					}
					rows[j] = r
				}
			}
			err = rr.handOut(rows)
		}
		if err == nil && spilled == nil {
			spilled, closed = make(chan struct{}), make(chan struct{})
			go func() {
				defer close(spilled)
				rr.spillSlots(filepath.Dir(cache.Path()))
			}()
			go func() {
				defer close(closed)
				closedEarly, _ = cache.CloseUnlessCompacting() // as the scan's end would, but sooner
			}()
		}
		if err != nil {
			_ = os.Remove(path) // the next scan keeps its list again
			a.warnf("the list kept from the last scan is not used from message %d on: %v", sent+1, err)
			break
		}
		for j := range rows {
			if err := emitRow(&rows[j]); err != nil {
				return true, nil, err
			}
		}
		sent += len(rows)
		entries.dropBefore(sent)
		if opts.Progress != nil {
			opts.Progress(scan.Progress{Listed: entries.len(), Analysed: sent, Cached: sent, Done: true})
		}
	}
	if sent == entries.len() {
		return true, nil, nil
	}
	if sent == 0 {
		a.unsetRowReplay(rr) // nothing to read back: the messages come instead
		return false, nil, nil
	}
	// The rest's rows are made from its messages: the list that could
	// give them is the one just handed out (damaged, or without the new
	// mail), and reading it again for the lister would hold its rows
	// twice (200 MB at a million messages).
	lister.readNone()
	if sent == kept {
		// The list handed out whole, and the rest is the new mail after
		// it, read already (appendedPlan): the file stands, and the
		// cache need not be opened again (its index alone is 61 MB at
		// a million messages). Under a snapshot the replay recorded of
		// the whole listing, the list is kept again, with the new mail.
		var ids *listedIDs
		if plan.recorded != "" {
			whole := rr.handedOutIDs(restOf(entries, sent))
			ids = &whole
		}
		return true, ids, emitAppended(ctx, plan, opts, emit)
	}
	plan.appendedMsgs = nil // the rest reads the new mail again, from the cache
	// The whole listing's IDs, for the list kept again: those of the
	// rows handed out, then the entries' own, which the rest lets go.
	ids := rr.handedOutIDs(restOf(entries, sent))
	// Opened again once this process no longer holds it, so that it
	// holds the lock again unless another process took it: then nobody
	// else writes between the check and the reads.
	<-closed
	rest := cache
	if closedEarly {
		if rest = a.openCache(); rest == nil {
			return true, nil, errReplay
		}
		defer rest.Close()
	}
	if err := replayRest(ctx, a, rest, cache.HeaderSum(), opts, plan, rr, sent, emit); err != nil {
		return true, nil, err
	}
	return true, &ids, nil
}

// restOf is the IDs of entries from from on.
func restOf(entries *heldEntries, from int) []model.MessageID {
	ids := make([]model.MessageID, 0, max(entries.len()-from, 0))
	for i := from; i < entries.len(); i++ {
		ids = append(ids, entries.id(i))
	}
	return ids
}

// replayRest replays the entries of plan from position sent on as
// messages from cache, after a row replay handed out the rows before it
// (rr). The cache, opened again when replayRows closed the scan's, must
// be the same file (header, the sum of its first line: compaction and
// rebuilding write a new one) and still hold every result the listing
// digest found where it found it: one since rewritten (another process
// took the cache meanwhile) stops the scan rather than emit a result the
// snapshot's pairing was not made with (errReplay). The changed
// messages' outcomes are read pinned to their refs, and the messages
// without a cached result analysed anew (replay).
func replayRest(ctx context.Context, a *App, cache *store.Cache, header string, opts scan.Options, plan *replayPlan,
	rr *rowReplay, sent int, emit func(model.Message) error) error {
	if cache.HeaderSum() != header {
		return errReplay
	}
	for i := sent; i < plan.entries.len(); i++ {
		if err := ctx.Err(); err != nil {
			return err
		}
		if _, ok := plan.repl[plan.entries.id(i)]; ok {
			continue // a changed message's outcome, read pinned; or one analysed afresh
		}
		if plan.appended[plan.entries.id(i)] {
			continue // new mail, checked as it is emitted (replay)
		}
		// rr.mu a slot at a time: Message and a new scan's close of rr
		// take it meanwhile.
		rr.mu.RLock()
		sum, ref, err := rr.slotAt(int32(i))
		rr.mu.RUnlock()
		switch {
		case err != nil:
			return err // the App let rr go (a new scan), or the slots' file failed
		case !cache.HoldsRef(scan.StampKey(sum), ref):
			return errReplay
		}
	}
	if progress := opts.Progress; progress != nil {
		n := plan.entries.len()
		opts.Progress = func(p scan.Progress) {
			progress(scan.Progress{Listed: n, Analysed: sent + p.Analysed, Cached: sent + p.Cached, Skipped: p.Skipped, Done: p.Done})
		}
	}
	opts.Part = true // the messages of the rows handed out are listed too
	return replay(ctx, a, cache, opts, plan, sent, emit)
}

// newRowReplay makes what Message needs for the row replay of plan, and
// the rows of the messages without a cached result, from their analyses
// of this scan: a scan lists those, not the file's.
func newRowReplay(cache *store.Cache, plan *replayPlan) (*rowReplay, map[model.MessageID]model.Row) {
	rr := &rowReplay{cachePath: cache.Path(), sums: plan.d.keys, refs: plan.d.refs, per: rowsPerBlock, n: plan.entries.len(),
		changed: plan.repl, fresh: make(map[model.MessageID]mailsrc.Entry, len(plan.fresh)), an: plan.an}
	// The sums and refs are rr's now, to move to their file, and the
	// digest's IDs go too: a list kept again after a damaged block takes
	// the rows' and the entries' (replayRows), and one after a row
	// replay that handed nothing out the entries' (listingIDs).
	plan.d.letGo()
	freshRows := make(map[model.MessageID]model.Row, len(plan.fresh)+len(plan.resumed))
	for id, f := range plan.fresh {
		freshRows[id] = model.NewRow(&f.msg)
		rr.fresh[id] = f.entry
	}
	// The messages of the listing whose outcomes the new mail changed,
	// paired again from the snapshot's tail (resumeAppended): their rows
	// are made, and they are read back, from those outcomes.
	for id, m := range plan.resumed {
		if !plan.appended[id] {
			freshRows[id] = model.NewRow(&m)
			if rr.resumed == nil {
				rr.resumed = map[model.MessageID][]byte{}
			}
			if enc, err := store.Encode(m); err == nil {
				rr.resumed[id] = enc.Message().Encoded.JSON
			} else {
				rr.resumed[id] = nil // read back as a failure
			}
		}
	}
	return rr, freshRows
}

// errListChanged is a message read back that is not what its row says:
// the cache was rewritten (compacted, rebuilt, or another run of
// mxaudit with other pairing settings wrote its own outcome) or the file
// changed since the list was read.
var errListChanged = errors.New("the analysis cache or the message changed since the list was read: scan again (ctrl+r) to read it")

// Message reads back whole a message whose row the last ScanRows handed
// out from a row snapshot: the cached result the scan snapshot names,
// as the scan would have emitted it. ErrNotSpilled when that scan listed
// no such message (or handed out messages, not rows). It fails closed:
// a message is given only as its row was listed (the verdicts, flags and
// ranks an action decides on), never another run's outcome or another
// record found under the same key.
func (a *App) Message(ctx context.Context, id model.MessageID) (model.Message, error) {
	rr := a.lastRowReplay()
	if rr == nil {
		return model.Message{}, ErrNotSpilled
	}
	s, listed, ok, err := rr.slot(id)
	switch {
	case err != nil:
		return model.Message{}, fmt.Errorf("%s: %w", id, err)
	case !ok:
		return model.Message{}, ErrNotSpilled
	}
	var m model.Message
	if raw, ok := rr.resumed[id]; ok {
		// Paired from the snapshot's tail (its row was made of this,
		// before a row analysed afresh: newRowReplay), and decoded anew
		// at each read: a copy of its own.
		m = model.Message{ID: id, Encoded: &model.Encoded{JSON: raw}}
		if err := m.Materialize(); err != nil {
			return model.Message{}, fmt.Errorf("%s: %w", id, errListChanged)
		}
	} else if e, ok := rr.fresh[id]; ok {
		an := rr.an
		if an == nil {
			an = a.analyzer
		}
		m = scan.Analyse(ctx, a.src, an, e)
		m.PairingText = nil
	} else {
		key := scan.StampKey(s.sum)
		if s.changed {
			key = changedKey(id)
		}
		var err error
		if m, err = store.ReadRef(rr.cachePath, key, s.ref); errors.Is(err, store.ErrRefGone) {
			return model.Message{}, fmt.Errorf("%s: %w", id, errListChanged)
		} else if err != nil {
			return model.Message{}, fmt.Errorf("%s: %w", id, err)
		}
	}
	if m.ID != id || !sameRow(&m, listed) {
		return model.Message{}, fmt.Errorf("%s: %w", id, errListChanged)
	}
	return m, nil
}

// sameRow reports whether m's row is the row listed, but for the
// exception (policy state, which the console applies to both). The
// listed row's content sum is taken as it is: the row is checked, not
// the bytes, which an analysis made anew (rowReplay.fresh) may encode
// otherwise with the same row (model.ContentSum).
func sameRow(m *model.Message, listed *model.Row) bool {
	r := model.NewRowOf(m, listed.Content())
	return bytes.Equal(new(model.RowEncoder).Append(nil, &r), new(model.RowEncoder).Append(nil, listed))
}
