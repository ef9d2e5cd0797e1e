package app

import (
	"context"
	"errors"

	"mxaudit/analysis"
	"mxaudit/analysis/ppap"
	"mxaudit/analysis/scan"
	"mxaudit/mailsrc"
	"mxaudit/model"
	"mxaudit/model/store"
)

// replayPlan is a scan snapshot found to be the outcome of a listing as
// the cache holds it now (replayable).
type replayPlan struct {
	snap    scanSnapshot
	entries *heldEntries
	// d is the entries' digest, salted with the pairing settings and
	// summed: it holds their stamp sums and the refs of their cached
	// results, in order, as it looked them up while they were listed,
	// when it kept them (newKeptDigest): a row replay reads those refs,
	// and without them replays the messages instead.
	d *listingDigest
	// repl is what the replay swaps: the changed messages' outcomes,
	// and the uncached messages (fresh), which it checks again; fresh
	// are those, analysed anew to check them. Nothing changes repl once
	// replayable returns (recordExtended moves refs in it while the plan
	// is made): the replay and its row replay share it.
	repl  map[model.MessageID]replacement
	fresh map[model.MessageID]freshResult
	// appended, for a listing that new mail followed, are the messages
	// listed after the snapshot's (the entries from snap.Count on), and
	// marks what each is checked against as it is emitted (ppap.Marks.
	// MayPair); nil otherwise.
	appended map[model.MessageID]bool
	marks    *ppap.Marks
	// appendedMsgs are the new mail as the check read it, in listing
	// order: what the scan emits for them, for a replay that hands out
	// the kept list and then them (replayRows).
	appendedMsgs []model.Message
	// appendedAnalysed counts those analysed, not read from the cache,
	// as far as it can tell (for progress).
	appendedAnalysed int
	// resumed, for new mail paired from the snapshot's tail
	// (resumeAppended), holds by ID what the replay emits for the new
	// mail and, in place of their replayed outcomes, for the messages
	// the tail held; nil otherwise.
	resumed map[model.MessageID]model.Message
	// resumedSame, for more new mail than a check holds (appendedFlood),
	// is the SHA-256 of each new message that stream emitted as it came,
	// kept instead of its outcome in resumed: the replay reads it again.
	resumedSame map[model.MessageID]string
	// flood, for such new mail, is where the check found each new
	// message's cached result, for a replay that hands out the kept list
	// and then them (emitAppended), and floodFile the cache file they are
	// read from (release closes it); nil otherwise.
	flood     []floodRef
	floodFile *store.RefReader
	// floodUncached are the pairing dates of those new messages the
	// check could not cache (inert: floodRef), for the snapshot of the
	// whole listing, which names them as its uncached messages.
	floodUncached map[model.MessageID]string
	// snapRows are the snapshot's own rows of the messages of its
	// listing in resumed, as the replay read them: the list a console
	// keeps of the scan is the snapshot's listing's, in which they are
	// those, not the ones the new mail made (rowsTarget.snapRows).
	snapRows map[model.MessageID]*model.Row
	// snapBuild makes them, one builder for all: a builder's first row
	// takes a slab of rows and a chunk of text (100 KiB), which each
	// row made by a builder of its own kept (the concurrency review).
	snapBuild *model.RowBuilder
	// an analyses the messages without a cached result, and the new mail
	// without one, as the stream's scan does (searching its text for
	// passwords, which the cache keeps).
	an *analysis.Analyzer
	// resumedTail is the tail of the stream resumed for the new mail,
	// taken once it was written (nil when none was, or it had none),
	// and resumeUnsure says one of that stream's pairings was not
	// remembered, or one of its outcomes did not decode: a snapshot of
	// the whole listing is then not recorded (snapshotextend.go).
	resumedTail  *ppap.Tail
	resumeUnsure bool
	// resumedInfl is what that stream's outcome depended on, by places
	// of the whole listing (ppap.Influence), for the table of the
	// snapshot of it.
	resumedInfl *ppap.Influence
	// removal, for a replay after messages were taken out
	// (replayRemoved), is the list kept before, which a row replay hands
	// out without their rows; nil otherwise.
	removal *listRemoval
	// repaired, for a replay after messages with influence were taken
	// out, holds by ID the outcomes a Repair gave that differ from the
	// list kept, or may: a row replay hands out their rows made anew.
	repaired map[model.MessageID]model.Message
	// recorded is the digest of the snapshot of the whole listing,
	// recorded before the replay (recordExtended): the console keeps its
	// list of the whole listing under it; "" when none was.
	recorded string
}

// freshResult is a listed message without a cached result and its
// analysis of this scan.
type freshResult struct {
	entry mailsrc.Entry
	msg   model.Message
}

// replayable reports whether snap is the outcome of entries, whose digest
// d is, as the cache holds them now, and returns the replay's plan.
// changed are the replacements of the snapshot's changed messages,
// checked (replacements): the plan's, to which the uncached messages are
// added.
//
// The entries may also be the snapshot's listing followed by new mail
// (at most appendedMost messages) that pairing, with its window, would
// leave as it came and that changes no message of that listing
// (appendedPlan): the plan then emits those messages too.
func (a *App) replayable(ctx context.Context, cache *store.Cache, snap scanSnapshot, changed map[model.MessageID]replacement,
	entries *heldEntries, d *listingDigest, pc ppap.Config, opts scan.Options) (*replayPlan, bool) {
	if a.opts.NoSnapshot {
		return nil, false
	}
	uncached, ok := snap.uncachedDates()
	if !ok {
		return nil, false
	}
	uncachedOK := func(id model.MessageID) bool {
		_, ok := uncached[id]
		return ok
	}
	var digest string
	ok = false
	switch n := entries.len(); {
	case n == snap.Count:
		digest, _, ok = d.sum(cache, uncachedOK)
	case n > snap.Count && n-snap.Count <= appendedMost(snap.Count) && snap.MarksSum != "" && d.prefixAt == snap.Count:
		digest, ok = d.prefixSum(cache, uncachedOK)
	}
	if !ok || digest != snap.Digest {
		// Messages taken out since, maybe with new mail after them.
		return a.replayRemoved(ctx, cache, snap, changed, entries, d, pc, opts)
	}
	if !listedOnce(changed, entries) {
		return nil, false
	}
	// Messages analysed afresh on every scan: pairing must still have
	// nothing to do with them, or the snapshot says nothing of this scan.
	// They are analysed as the stream's scan analyses them, which notes
	// whether a text holds a password (the security review: a scan
	// without cache prints passwords_in_text).
	an := a.pairingAnalyzer(pc)
	fresh := map[model.MessageID]freshResult{}
	for e := range entries.all {
		date, ok := uncached[e.ID]
		if !ok {
			continue
		}
		if _, seen := changed[e.ID]; seen {
			return nil, false // changed, or listed twice
		}
		m := scan.Analyse(ctx, a.src, an, e)
		m.PairingText = nil // as the stream lets it go
		if !inertAsBefore(&m, date) {
			return nil, false // no longer inert, or closing other windows
		}
		changed[e.ID], fresh[e.ID] = replacement{fresh: true}, freshResult{entry: e, msg: m}
	}
	plan := &replayPlan{snap: snap, entries: entries, d: d, repl: changed, fresh: fresh, an: an}
	if entries.len() > snap.Count && !a.appendedPlan(ctx, cache, plan, pc, opts) {
		return nil, false
	}
	return plan, true
}

// errReplay is a changed message the cache no longer gives back as the
// snapshot recorded it (damaged since the scan began), or an uncached
// message that pairing would now involve (its file changed since the
// check): the scan stops rather than print what pairing may have changed.
var errReplay = errors.New("the analysis cache or a message changed during the scan; scan again")

// replay emits the cached results of entries from from on, letting go
// of each as it is listed (heldEntries.list), each message pairing
// changed swapped for its cached outcome: by the scan's workers, which
// read it in the place of the cached analysis (replayCache), or, for an
// entry with a listing warning (which the scan adds to the analysis and
// the outcome already holds), as it is emitted.
func replay(ctx context.Context, a *App, cache *store.Cache, opts scan.Options, plan *replayPlan, from int,
	emit func(model.Message) error) error {
	entries, repl := plan.entries, plan.repl
	rc := newReplayCache(cache, repl, entries, from)
	opts.Cache = rc
	get := cache.Get
	if opts.Encoded {
		get = cache.GetEncoded
	}
	an := a.analyzer
	if plan.an != nil {
		an = plan.an
	}
	return scan.Run(ctx, heldSource{a.src, entries, from, true}, an, opts, func(m model.Message) error {
		m.PairingText = nil // what plan.an kept goes no further, as the stream lets it go
		if plan.appended[m.ID] {
			if date, ok := plan.floodUncached[m.ID]; ok && !inertAsBefore(&m, date) {
				// Analysed anew: what the check read and pairing saw?
				// (A file without a date is dated by its modification
				// time, which its digest does not cover: the third
				// review.)
				return errReplay
			}
			if out, ok := plan.resumed[m.ID]; ok {
				// Paired from the snapshot's tail before anything went
				// out, from the file as it was then.
				if m.SHA256 != out.SHA256 {
					return errReplay
				}
				return emit(out)
			}
			if sum, ok := plan.resumedSame[m.ID]; ok {
				// Paired from the tail as it came, from this file.
				if m.SHA256 != sum {
					return errReplay
				}
				return emit(m)
			}
			// New mail, read as the check read it: still nothing for
			// pairing? (Its file may have changed since.)
			if plan.marks.MayPair(&m) {
				return errReplay
			}
			return emit(m)
		}
		r, ok := repl[m.ID]
		switch {
		case !ok:
		case r.fresh: // analysed afresh: still nothing for pairing?
			if checked := plan.fresh[m.ID].msg; !ppap.Inert(&m) || pairingDate(&m) != pairingDate(&checked) {
				return errReplay
			}
		case rc.read[m.ID] != nil:
			if !rc.read[m.ID].Load() {
				return errReplay // the outcome could not be read: analysed afresh
			}
		default:
			out, ok := pinnedGet(cache, get, changedKey(m.ID), r.ref)
			if !ok || out.ID != m.ID {
				return errReplay
			}
			m = out
		}
		if out, ok := plan.resumed[m.ID]; ok {
			// Its outcome as the new mail, paired from the snapshot's
			// tail, changed it; the snapshot's own goes to the list kept.
			plan.keepSnapshotRow(m)
			return emit(out)
		}
		return emit(m)
	})
}

// pairingAnalyzer is the analysis a pairing stream's scan makes: it
// searches each message's text for passwords and keeps the text of
// those that hold one for the stream (whether any does is cached with
// the result, for a later scan that pairs cached results).
func (a *App) pairingAnalyzer(pc ppap.Config) *analysis.Analyzer {
	return a.analyzer.WithPairingText(pc.TextBytes(), ppap.HoldsPassword)
}
