package app

import (
	"context"
	"sync/atomic"

	"mxaudit/analysis"
	"mxaudit/analysis/ppap"
	"mxaudit/analysis/scan"
	"mxaudit/mailsrc"
	"mxaudit/model"
	"mxaudit/model/store"
)

// A busy day's mail: more new mail than a check holds. A quarantine that
// keeps a month of mail takes in a thirtieth of it a day, 33,000 mails at
// a million, and the console opened each morning found more than
// maxAppended of them, or more than maxAppendedAnalysed no scan had
// seen, and paired the whole listing again: 52 s and 700 MiB at a
// million messages, every morning.
//
// Such new mail is checked as a few mails are (appendedPlan), on the
// scan's workers, but none of it is held: each message is read (its
// cached result, or its analysis, which the check caches), checked, and
// let go, keeping where the cache holds its result (a floodRef). Then,
// as for a few, the snapshot's stream resumes from its tail with the new
// mail, read again from the cache, and the snapshot of the whole listing
// is recorded (recordExtended). What the replay emits for a new message
// is its outcome when pairing changed it (replayPlan.resumed); any other
// new message, which that stream emitted as it came, is read again: by
// the replay of messages through the cache, checked against the digest
// of the file it paired (replayPlan.resumedSame), and by the console's
// row replay from the cache file at its ref, the record the check read
// (emitAppended), without the cache's index (61 MB at a million).
//
// Every new message pairing may read must then be in the cache (one that
// could not be cached but is inert is analysed anew at each read, as a
// snapshot's uncached messages are), which a read-only cache does not
// allow: such a start past the bounds pairs the whole listing, as it
// did.

// floodCheck is what appendedPlan found of the new mail for
// appendedFlood: the new messages by ID, the snapshot's marks and tail,
// the analysis of pairing's scan, and how many new messages had no
// cached result.
type floodCheck struct {
	appended map[model.MessageID]bool
	marks    *ppap.Marks
	tail     *ppap.Tail
	an       *analysis.Analyzer
	uncached int
}

// floodRef is where the cache held a new message's result when the
// check read it, under its entry's stamp key (cached); or, for one it
// could not cache (a file whose analysis failed, a listing entry
// without a stamp), analysed anew at each read, which must then be inert
// (ppap.Inert) and dated as when the check read it: date, its pairing
// date.
type floodRef struct {
	ref    store.RecordRef
	cached bool
	date   string
}

// keyOf is the key the result of the listed message e is cached under,
// or "" when it has none.
func keyOf(e mailsrc.Entry) string {
	if e.Stamp == "" || e.Err != nil {
		return ""
	}
	return scan.StampKey(scan.StampSum(e))
}

// appendedFlood is appendedPlan for more new mail than a check holds:
// at most appendedMost messages, analysedMost without a cached result.
func (a *App) appendedFlood(ctx context.Context, cache *store.Cache, plan *replayPlan, pc ppap.Config, opts scan.Options, f floodCheck) bool {
	from := plan.snap.Count
	n := plan.entries.len() - from
	if n > appendedMost(from) || f.uncached > analysedMost(from) || cache.Stats().ReadOnly {
		return false
	}
	refs, mayPair, ok := checkFlood(ctx, a, cache, plan.entries, from, f, opts)
	if !ok {
		return false
	}
	plan.appended, plan.marks, plan.an, plan.appendedAnalysed = f.appended, f.marks, f.an, f.uncached
	for i, fr := range refs {
		if !fr.cached {
			if plan.floodUncached == nil {
				plan.floodUncached = map[model.MessageID]string{}
			}
			plan.floodUncached[plan.entries.id(from+i)] = fr.date
		}
	}
	readOpts := scan.Options{Cache: cache, Encoded: opts.Encoded}
	read := func(i int) (model.Message, error) {
		if err := ctx.Err(); err != nil {
			return model.Message{}, err
		}
		e := plan.entries.at(from + i)
		m := scan.AnalyseListed(ctx, a.src, f.an, readOpts, e)
		if !refs[i].sameAs(cache, &m, e) {
			return model.Message{}, errReplay // not the result the check read
		}
		return m, nil
	}
	// As for a few new mails: paired from where the snapshot's stream
	// ended, or not replayed; and with extendsAt or more, the snapshot
	// of the whole listing recorded (the CLI's only from
	// extendAtWithoutList: the concurrency review), from a stream resumed
	// all the same when none of it may pair.
	record := n >= plan.extendsAt()
	switch {
	case mayPair:
		if f.tail == nil || !a.resumeFrom(ctx, cache, plan, f.tail, pc, opts, n, read, nil) {
			return false
		}
		if record {
			a.recordExtended(cache, plan)
		}
	case record && f.tail != nil:
		if !a.resumeFrom(ctx, cache, plan, f.tail, pc, opts, n, read, nil) || !a.recordExtended(cache, plan) {
			plan.resumed, plan.resumedSame, plan.resumedTail, plan.resumeUnsure = nil, nil, nil, false
		}
	}
	// The results at their refs are in the file for emitAppended, which
	// reads them there once the cache is closed, through a file opened
	// now: another process may take the cache once this one lets it go,
	// and compact it into a new file (the security review).
	if cache.Flush() != nil {
		return false
	}
	r, err := store.OpenRefs(cache.Path())
	if err != nil {
		return false
	}
	plan.flood, plan.floodFile = refs, r
	return true
}

// sameAs reports whether m, the listed message e read again (with cache
// when fr names a cached result), is what the check read: the result at
// fr's ref, or one analysed anew that is still inert and has the same
// pairing date.
func (fr floodRef) sameAs(cache *store.Cache, m *model.Message, e mailsrc.Entry) bool {
	if m.ID != e.ID {
		return false
	}
	if !fr.cached {
		return inertAsBefore(m, fr.date)
	}
	ref, ok := refOf(cache, keyOf(e))
	return ok && ref == fr.ref
}

// checkFlood reads each new message of entries (from from on) as the
// stream's scan would, on opts.Workers goroutines, and reports where the
// cache holds each one's result, and whether any may pair with the
// snapshot's messages (marks); false when one's result is not the
// listed message's, or is neither cached nor inert, or ctx ends.
func checkFlood(ctx context.Context, a *App, cache *store.Cache, entries *heldEntries, from int, f floodCheck,
	opts scan.Options) (refs []floodRef, mayPair bool, ok bool) {
	read := scan.Options{Cache: cache, Encoded: opts.Encoded}
	refs = make([]floodRef, entries.len()-from)
	var failed, pairs atomic.Bool
	stop := func() bool { return failed.Load() || ctx.Err() != nil }
	onWorkers(opts.Workers, len(refs), stop, func(i int) {
		if failed.Load() {
			return
		}
		e := entries.at(from + i) // entries are only read meanwhile
		m := scan.AnalyseListed(ctx, a.src, f.an, read, e)
		ref, cached := refOf(cache, keyOf(e))
		switch {
		case m.ID != e.ID:
			failed.Store(true)
		case cached:
			if f.marks.MayPair(&m) { // unpacked marks answer any goroutine
				pairs.Store(true)
			}
			refs[i] = floodRef{ref: ref, cached: true}
		case ppap.Inert(&m):
			// Not cached (the security review: one such file made the
			// start pair everything): analysed anew at each read, as a
			// snapshot's uncached messages are.
			refs[i] = floodRef{date: pairingDate(&m)}
		default:
			failed.Store(true) // pairing reads it: it must be read as the check read it
		}
	})
	return refs, pairs.Load(), !failed.Load() && ctx.Err() == nil
}

// emitFlood emits the new mail of plan, checked without being held
// (appendedFlood): each message's outcome when pairing changed it, or
// its cached result read from the cache file at the ref the check found
// it, as a scan emits it, or, not cached, its analysis of src anew.
func emitFlood(ctx context.Context, plan *replayPlan, src mailsrc.Source, emit func(model.Message) error) error {
	r := plan.floodFile
	from := plan.snap.Count
	for i, fr := range plan.flood {
		if err := ctx.Err(); err != nil {
			return err
		}
		e := plan.entries.at(from + i)
		if out, ok := plan.resumed[e.ID]; ok {
			if err := emit(out); err != nil {
				return err
			}
			continue
		}
		var m model.Message
		if !fr.cached {
			m = scan.Analyse(ctx, src, plan.an, e)
			m.PairingText = nil // as the stream lets it go
			if !fr.sameAs(nil, &m, e) {
				return errReplay
			}
		} else {
			var err error
			if m, err = r.Read(keyOf(e), fr.ref); err != nil {
				return err
			}
			m = scan.AsListed(e, m)
		}
		if sum, ok := plan.resumedSame[e.ID]; ok && m.SHA256 != sum {
			return errReplay
		}
		if err := emit(m); err != nil {
			return err
		}
	}
	plan.flood = nil
	return nil
}

// release closes the cache file plan's new mail is read from
// (appendedFlood), when it has one; the scan that made plan calls it
// when done with it.
func (plan *replayPlan) release() {
	if plan.floodFile != nil {
		plan.floodFile.Close()
		plan.floodFile = nil
	}
}

// refOf is where cache holds key's result; false for no key.
func refOf(cache *store.Cache, key string) (store.RecordRef, bool) {
	if key == "" {
		return store.RecordRef{}, false
	}
	return cache.Ref(key)
}
