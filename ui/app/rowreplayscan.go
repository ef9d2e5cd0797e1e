package app

import (
	"context"
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"

	"mxaudit/analysis/scan"
	"mxaudit/mailsrc"
	"mxaudit/model"
	"mxaudit/model/store"
)

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
	// After messages were taken out, the list kept is the one before,
	// without their rows (rowsremoved.go).
	kept := plan.snap.Count
	listDigest, listCount := plan.snap.Digest, kept
	if plan.removal != nil {
		listDigest, listCount = plan.removal.digest, plan.removal.count
	}
	path := rowsPath(cache.Path())
	rf, err := openRows(path, rowsName(listDigest, cache.HeaderSum()), listCount)
	if err != nil {
		if !errors.Is(err, errRowsStale) && !errors.Is(err, fs.ErrNotExist) {
			a.warnf("the list kept from the last scan is not used: %v", err)
		}
		return false, nil, nil
	}
	defer rf.Close()
	var blocks blockSource = rf
	if plan.removal != nil {
		blocks = newWithoutRemoved(rf, plan.removal, rowsPerBlock)
	}
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
		rows, err := blocks.next()
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
						// The snapshot's, for a list kept again: the
						// Repair's outcome when it paired the message
						// again (the review: not the list's from before).
						if m, repaired := plan.repaired[r.ID()]; repaired {
							plan.keepSnapshotRow(m)
						} else {
							plan.keepListedRow(rows[j])
						}
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
		if plan.removal != nil {
			// The list of the listing as it is now, kept again.
			ids := rr.handedOutIDs(nil)
			return true, &ids, nil
		}
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
		if plan.recorded != "" || plan.removal != nil {
			whole := rr.handedOutIDs(restOf(entries, sent))
			ids = &whole
		}
		return true, ids, emitAppended(ctx, plan, a.src, opts, emit)
	}
	plan.appendedMsgs, plan.flood = nil, nil // the rest reads the new mail again, from the cache
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
	// The messages a Repair paired again after messages were taken out
	// (snapshotrepair.go): read back from the snapshot recorded of it,
	// their rows made from its outcomes, unless new mail paired them
	// since, from the Repair's tail (above): the two reviews found the
	// Repair's row shown in place of that one.
	for id, m := range plan.repaired {
		if _, resumed := plan.resumed[id]; !resumed {
			freshRows[id] = model.NewRow(&m)
		}
	}
	return rr, freshRows
}
