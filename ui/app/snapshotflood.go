package app

import (
	"context"
	"runtime"
	"sync"
	"sync/atomic"

	"mxaudit/analysis"
	"mxaudit/analysis/ppap"
	"mxaudit/analysis/scan"
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
// Every new message must then be in the cache, which a read-only cache
// does not allow: past the bounds, a check that could hold nothing
// pairs the whole listing, as it did.

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
// check read it.
type floodRef struct {
	key string
	ref store.RecordRef
}

// appendedFlood is appendedPlan for more new mail than a check holds:
// at most appendedMost messages, analysedMost without a cached result.
func (a *App) appendedFlood(ctx context.Context, cache *store.Cache, plan *replayPlan, pc ppap.Config, opts scan.Options, f floodCheck) bool {
	from := plan.snap.Count
	n := plan.entries.len() - from
	if n > appendedMost(from) || f.uncached > analysedMost(from) || f.tail == nil || cache.Stats().ReadOnly {
		return false
	}
	refs, mayPair, ok := checkFlood(ctx, a, cache, plan.entries, from, f, opts)
	if !ok {
		return false
	}
	plan.appended, plan.marks, plan.an, plan.appendedAnalysed = f.appended, f.marks, f.an, f.uncached
	readOpts := scan.Options{Cache: cache, Encoded: opts.Encoded}
	read := func(i int) (model.Message, error) {
		if err := ctx.Err(); err != nil {
			return model.Message{}, err
		}
		e := plan.entries.at(from + i)
		m := scan.AnalyseListed(ctx, a.src, f.an, readOpts, e)
		if ref, ok := cache.Ref(refs[i].key); m.ID != e.ID || !ok || ref != refs[i].ref {
			return model.Message{}, errReplay // not the result the check read
		}
		return m, nil
	}
	// Paired from where the snapshot's stream ended, for the snapshot
	// of the whole listing; when none of it may pair, replayed as it
	// came all the same, should either fail.
	resumed := a.resumeFrom(ctx, cache, plan, f.tail, pc, opts, n, read, nil)
	if mayPair && !resumed {
		return false
	}
	if resumed && !a.recordExtended(cache, plan) && !mayPair {
		plan.resumed, plan.resumedSame, plan.resumedTail, plan.resumeUnsure = nil, nil, nil, false
	}
	// The results at their refs are in the file for emitAppended, which
	// reads them there while the cache may be closing.
	if cache.Flush() != nil {
		return false
	}
	plan.flood = refs
	return true
}

// checkFlood reads each new message of entries (from from on) as the
// stream's scan would, on opts.Workers goroutines, and reports where the
// cache holds each one's result, and whether any may pair with the
// snapshot's messages (marks); false when one's result is not the
// listed message's or is not cached, or ctx ends.
func checkFlood(ctx context.Context, a *App, cache *store.Cache, entries *heldEntries, from int, f floodCheck,
	opts scan.Options) (refs []floodRef, mayPair bool, ok bool) {
	read := scan.Options{Cache: cache, Encoded: opts.Encoded}
	refs = make([]floodRef, entries.len()-from)
	workers := opts.Workers
	if workers <= 0 {
		workers = runtime.GOMAXPROCS(0)
	}
	type job struct {
		i   int
		key string
	}
	var failed, pairs atomic.Bool
	next := make(chan job)
	var wg sync.WaitGroup
	for range min(workers, len(refs)) {
		wg.Go(func() {
			for j := range next {
				if failed.Load() {
					continue
				}
				e := entries.at(from + j.i)
				m := scan.AnalyseListed(ctx, a.src, f.an, read, e)
				ref, cached := cache.Ref(j.key)
				if m.ID != e.ID || !cached {
					failed.Store(true)
					continue
				}
				if f.marks.MayPair(&m) { // unpacked marks answer any goroutine
					pairs.Store(true)
				}
				refs[j.i] = floodRef{key: j.key, ref: ref}
			}
		})
	}
	for i := range refs {
		e := entries.at(from + i)
		if e.Stamp == "" || e.Err != nil || failed.Load() || ctx.Err() != nil {
			failed.Store(true) // no key to read it again by
			break
		}
		next <- job{i, scan.StampKey(scan.StampSum(e))}
	}
	close(next)
	wg.Wait()
	return refs, pairs.Load(), !failed.Load() && ctx.Err() == nil
}

// emitFlood emits the new mail of plan, checked without being held
// (appendedFlood): each message's outcome when pairing changed it, or
// its cached result read from the cache file at path, at the ref the
// check found it, as a scan emits it.
func emitFlood(ctx context.Context, plan *replayPlan, path string, emit func(model.Message) error) error {
	r, err := store.OpenRefs(path)
	if err != nil {
		return err
	}
	defer r.Close()
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
		m, err := r.Read(fr.key, fr.ref)
		if err != nil {
			return err
		}
		m = scan.AsListed(e, m)
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
