package app

import (
	"context"
	"crypto/sha256"
	"errors"
	"fmt"
	"io/fs"
	"os"
	"sync"

	"mxaudit/analysis/ppap"
	"mxaudit/analysis/scan"
	"mxaudit/mailsrc"
	"mxaudit/model"
	"mxaudit/model/store"
)

// rowReplay is what App.Message needs to read back, one at a time, the
// messages of a scan that handed out a row snapshot's rows (ScanRows):
// where the cache holds each one's result, as the scan snapshot's digest
// checked it.
type rowReplay struct {
	cachePath string
	slots     []rowSlot // by listing position
	// fresh are the listed messages without a cached result
	// (snapshotKey's Uncached; a few at most): each read analyses one
	// anew, as every scan does.
	fresh map[model.MessageID]mailsrc.Entry

	// index finds the slot of each row handed out. Its keys are the
	// rows' own IDs (their text), not the listing's copies, which the
	// scan then drops: it grows as the rows go out.
	mu    sync.RWMutex
	index map[model.MessageID]int32
}

// rowSlot is one listed message of a row replay. (The entry's delivery
// time is not kept: scan.FromListing dates by it only a result without
// a date, and a cached result got its date from it before it was
// cached.)
type rowSlot struct {
	sum     [sha256.Size]byte // scan.StampSum of its entry
	ref     store.RecordRef   // of its result: the cached analysis, or pairing's outcome
	changed bool              // pairing changed it: the result is under changedKey
}

// slot returns the slot of the row with the given ID handed out.
func (rr *rowReplay) slot(id model.MessageID) (rowSlot, bool) {
	rr.mu.RLock()
	i, ok := rr.index[id]
	rr.mu.RUnlock()
	if !ok {
		return rowSlot{}, false
	}
	return rr.slots[i], true
}

// handOut indexes rows, listed from position at on.
func (rr *rowReplay) handOut(rows []model.Row, at int) {
	rr.mu.Lock()
	defer rr.mu.Unlock()
	for j := range rows {
		rr.index[rows[j].ID()] = int32(at + j)
	}
}

// ScanRows is Scan for a console: when the source is unchanged since a
// scan whose list was kept (KeepRows), it hands out that list's rows
// through emitRow, in listing order, instead of every message through
// emit, and Message reads a message back whole when a view needs it.
// Otherwise it is Scan.
func (a *App) ScanRows(ctx context.Context, emit func(model.Message) error, emitRow func(*model.Row) error, progress func(scan.Progress)) error {
	return a.scanInto(ctx, emit, emitRow, progress, false)
}

// replayRows hands out the row snapshot of the replayable scan snap of
// entries, whose digest d holds their stamp sums and the refs of their
// cached results, block by block as it reads it; false, with nothing
// emitted, when there is no row snapshot of it. Should a block be
// damaged or name other messages, the rest of the entries are replayed
// as messages (replay, with repl), and the file goes.
func (a *App) replayRows(ctx context.Context, cache *store.Cache, opts scan.Options, snap scanSnapshot, entries []mailsrc.Entry,
	repl map[model.MessageID]string, d *listingDigest, emit func(model.Message) error, emitRow func(*model.Row) error) (bool, error) {
	if len(d.keys) != len(entries) || len(d.refs) != len(entries) {
		return false, nil
	}
	for _, e := range entries {
		if e.Warning != "" {
			return false, nil // added at each scan, after the cache
		}
	}
	path := rowsPath(cache.Path())
	rf, err := openRows(path, snap.Digest, len(entries))
	if err != nil {
		if !errors.Is(err, errRowsStale) && !errors.Is(err, fs.ErrNotExist) {
			a.warnf("the list kept from the last scan is not used: %v", err)
		}
		return false, nil
	}
	defer rf.Close()
	rr, fresh, ok := a.newRowReplay(ctx, cache, snap, entries, d)
	if !ok {
		return false, nil
	}
	a.rowReplay.Store(rr)
	sent := 0
	for sent < len(entries) {
		if err := ctx.Err(); err != nil {
			return true, err
		}
		rows, err := rf.next()
		if err == nil && len(rows) > len(entries)-sent {
			err = fmt.Errorf("%w: more rows than messages", errRowsWrong)
		}
		for j := 0; err == nil && j < len(rows); j++ {
			if rows[j].ID() != entries[sent+j].ID {
				err = fmt.Errorf("%w: row %d is not the listed message's", errRowsWrong, sent+j)
			}
		}
		if err != nil {
			_ = os.Remove(path) // the next scan keeps its list again
			a.warnf("the list kept from the last scan is not used from message %d on: %v", sent+1, err)
			break
		}
		for j := range rows {
			if r, ok := fresh[rows[j].ID()]; ok {
				rows[j] = r
			}
		}
		rr.handOut(rows, sent)
		for j := range rows {
			if err := emitRow(&rows[j]); err != nil {
				return true, err
			}
		}
		sent += len(rows)
		if opts.Progress != nil {
			opts.Progress(scan.Progress{Listed: len(entries), Analysed: sent, Cached: sent, Done: true})
		}
	}
	if sent == len(entries) {
		return true, nil
	}
	if sent == 0 {
		return false, nil
	}
	if progress := opts.Progress; progress != nil {
		opts.Progress = func(p scan.Progress) {
			progress(scan.Progress{Listed: len(entries), Analysed: sent + p.Analysed, Cached: sent + p.Cached, Skipped: p.Skipped, Done: p.Done})
		}
	}
	opts.Part = true // the messages of the rows handed out are listed too
	err = replay(ctx, a, cache, opts, entries[sent:], repl, emit)
	if err == nil {
		a.setRowsTarget(cache, snap.Digest, listedIDs(entries))
	}
	return true, err
}

// newRowReplay makes what Message needs for a row replay of entries. A
// message without a cached result is analysed on every scan, and its row
// is that analysis's, not the file's (fresh): what the scan would list.
// Pairing must still leave it alone, or the snapshot says nothing of
// this scan, as replay checks; false when it does not.
func (a *App) newRowReplay(ctx context.Context, cache *store.Cache, snap scanSnapshot, entries []mailsrc.Entry, d *listingDigest) (*rowReplay, map[model.MessageID]model.Row, bool) {
	changed := make(map[model.MessageID]store.RecordRef, len(snap.Changed))
	for _, c := range snap.Changed {
		changed[c.ID] = c.Ref
	}
	uncached := make(map[model.MessageID]bool, len(snap.Uncached))
	for _, id := range snap.Uncached {
		uncached[id] = true
	}
	rr := &rowReplay{cachePath: cache.Path(), index: make(map[model.MessageID]int32, len(entries)), slots: make([]rowSlot, len(entries)),
		fresh: map[model.MessageID]mailsrc.Entry{}}
	fresh := map[model.MessageID]model.Row{}
	for i, e := range entries {
		if uncached[e.ID] {
			m := scan.Analyse(ctx, a.src, a.analyzer, e)
			if !ppap.Inert(&m) {
				return nil, nil, false
			}
			fresh[e.ID] = model.NewRow(&m)
			rr.fresh[e.ID] = e
		}
		s := rowSlot{sum: d.keys[i], ref: d.refs[i]}
		if ref, ok := changed[e.ID]; ok {
			s.ref, s.changed = ref, true
		}
		rr.slots[i] = s
	}
	return rr, fresh, true
}

// Message reads back whole a message whose row the last ScanRows handed
// out from a row snapshot: the cached result the scan snapshot names,
// as the scan would have emitted it. ErrNotSpilled when that scan listed
// no such message (or handed out messages, not rows).
func (a *App) Message(ctx context.Context, id model.MessageID) (model.Message, error) {
	rr := a.rowReplay.Load()
	if rr == nil {
		return model.Message{}, ErrNotSpilled
	}
	s, ok := rr.slot(id)
	if !ok {
		return model.Message{}, ErrNotSpilled
	}
	if e, ok := rr.fresh[id]; ok {
		return scan.Analyse(ctx, a.src, a.analyzer, e), nil
	}
	key := scan.StampKey(s.sum)
	if s.changed {
		key = changedKey(id)
	}
	m, err := store.ReadRef(rr.cachePath, key, s.ref)
	if errors.Is(err, store.ErrRefGone) {
		// The cache was compacted since (by this process's next scan or
		// another's): the same key holds the same result, wherever it is
		// now.
		m, err = a.cachedByKey(key)
	}
	if err != nil {
		return model.Message{}, fmt.Errorf("%s: %w", id, err)
	}
	if s.changed {
		if m.ID != id {
			return model.Message{}, fmt.Errorf("%s: %w", id, ErrSpillDamaged)
		}
		return m, nil // pairing's outcome, as emitted
	}
	scan.FromListing(&m, mailsrc.Entry{ID: id}) // see rowSlot
	return m, nil
}

// cachedByKey opens the cache and reads key's result.
func (a *App) cachedByKey(key string) (model.Message, error) {
	c := a.openCache()
	if c == nil {
		return model.Message{}, errors.New("the analysis cache cannot be opened")
	}
	defer c.Close()
	m, ok := c.Get(key)
	if !ok {
		return model.Message{}, ErrNotSpilled
	}
	return m, nil
}
