package app

import (
	"context"
	"slices"

	"mxaudit/analysis"
	"mxaudit/analysis/ppap"
	"mxaudit/analysis/scan"
	"mxaudit/mailsrc"
	"mxaudit/model"
	"mxaudit/model/store"
)

// New mail after a snapshot. A quarantine is seldom unchanged between
// two starts: mail keeps arriving, and a Maildir lists it last (delivery
// order). Most of it is nothing to pairing: no encrypted archive, and
// not from the sender of a ZIP mail of the last window. Pairing the whole
// listing again for it re-read every cached result and re-decoded every
// ZIP mail (2.4 s at 100,000 messages against 0.9 s for an unchanged
// start; about a minute at a million). A scan whose listing is the
// snapshot's followed by such mail replays the snapshot and emits the
// new mail as analysed.
//
// The rule (ppap.Marks.MayPair): each new message may hold no encrypted
// archive, and may be no candidate of any message pairing changed in
// the snapshot's scan (their marks: From domains and spans of dates,
// kept beside the snapshot under marksKey). Then pairing the whole
// listing again would emit every message as before and the new ones as
// they came. New mail that may pair is paired from where the snapshot's
// pairing stream ended (its tail: snapshotresume.go); without a tail it
// pairs through the stream, which records a new snapshot. The new mail
// must be listed after the snapshot's listing, each message once, and
// the listing before it must be the snapshot's, entry for entry
// (listingDigest.prefixSum). The check reads each new
// message as the stream's scan would (its cached result, or its
// analysis, which it caches) before anything is emitted; the console's
// row replay emits what it checked, and a replay of messages reads the
// new mail again and checks it again as it emits it (or, paired from the
// tail, emits what that pairing emitted).
//
// The snapshot stays: the next scan replays it again, with whatever mail
// has come since (its list kept too: rowReplay hands out the kept rows,
// and the new mail's come from its messages; a list kept again holds
// the snapshot's own rows where new mail paired from the tail changed
// them). A replay with extendAt new messages or more (a console's;
// extendAtWithoutList, the CLI's) records the snapshot of the whole
// listing instead (snapshotextend.go). Past maxAppended new messages,
// or maxAppendedAnalysed without a cached result, the check holds none
// of them (snapshotflood.go). Once more than appendedMost messages
// follow it, or one may pair and no tail resumes, the stream pairs and
// records a new one.

// maxAppended bounds the new mail a check holds, each message as it read
// it, to emit after the kept list: more is checked without being held
// (appendedFlood). A variable for tests.
var maxAppended = 4096

// appendedMost bounds the new mail a snapshot of count messages is
// replayed with: a quarter of it, and at least maxAppended. A console
// opened each morning on a quarantine that keeps a month of mail finds
// a day's mail come since its last scan, a thirtieth of it. The bound
// is what the start holds before it knows whether it replays (the
// listing, held up to count and that many: earlyListing.take), and
// keeps a quarantine that mostly came since its snapshot from a check
// that makes the operator wait for all of it before any of it shows.
func appendedMost(count int) int { return max(maxAppended, count/4) }

// analysedMost bounds the new mail without a cached result that a
// replay of a snapshot of count messages analyses before any of the new
// mail is emitted (the snapshot's rows show meanwhile): an eighth of
// it, at least maxAppendedAnalysed, which bounds those a check holds.
// Pairing everything instead analyses them all the same.
func analysedMost(count int) int { return max(maxAppendedAnalysed, count/8) }

// maxAppendedAnalysed bounds the new messages without a cached result
// that a check holding them analyses (on the scan's workers) before
// anything is emitted, while the rows shown ahead wait. More of them
// are checked without being held (appendedFlood, up to analysedMost);
// when they paired through the stream instead, which pairs every other
// message again, a console started after a hundred mails no scan had
// seen took 56 s and 669 MiB at a million messages, when the bound was
// 64. A thousand plain notices take 0.1 s on two cores offline.
//
// A variable for tests.
var maxAppendedAnalysed = 1024

// appendedPlan checks the entries after the snapshot's listing (from
// plan.snap.Count on) for a replay of plan, and adds them to it; false
// when they may not be replayed so. Each is read as the stream's scan
// (with pairing's analyzer, pc, and opts) would read it: its cached
// result, or its analysis, which is cached as that scan caches it.
func (a *App) appendedPlan(ctx context.Context, cache *store.Cache, plan *replayPlan, pc ppap.Config, opts scan.Options) bool {
	entries, from := plan.entries, plan.snap.Count
	appended := make(map[model.MessageID]bool, entries.len()-from)
	for i := from; i < entries.len(); i++ {
		id := entries.id(i)
		if _, changed := plan.repl[id]; changed || appended[id] {
			return false // listed twice: which one would pairing read?
		}
		appended[id] = true
	}
	for i := range from {
		if appended[entries.id(i)] {
			return false
		}
	}
	marks, tail, ok := loadMarks(cache, plan.snap.MarksSum, pc.Window)
	if !ok {
		return false
	}
	an := a.pairingAnalyzer(pc)
	if uncached := uncachedCount(cache, entries, from); entries.len()-from > maxAppended || uncached > maxAppendedAnalysed {
		// More than the check holds: checked, cached and read again.
		f := floodCheck{appended: appended, marks: marks, tail: tail, an: an, uncached: uncached}
		return a.appendedFlood(ctx, cache, plan, pc, opts, f)
	}
	msgs, analysed, ok := readAppended(ctx, a.src, an, cache, entries, from, opts)
	if !ok {
		return false
	}
	mayPair := false
	for i := range msgs {
		if msgs[i].ID != entries.id(from+i) {
			return false
		}
		mayPair = mayPair || marks.MayPair(&msgs[i])
	}
	plan.appended, plan.marks, plan.an, plan.appendedAnalysed = appended, marks, an, analysed
	if mayPair {
		// Paired from where the snapshot's stream ended, or not replayed.
		if tail == nil || !a.resumeAppended(ctx, cache, plan, tail, pc, opts, msgs) {
			return false
		}
		if len(msgs) >= plan.extendsAt() {
			a.recordExtended(cache, plan)
		}
		return true
	}
	if len(msgs) >= plan.extendsAt() && tail != nil && !cache.Stats().ReadOnly {
		// Resumed all the same, for the snapshot of the whole listing
		// (snapshotextend.go): on copies, since the stream takes the
		// messages it is given, and a failed resume, or a snapshot not
		// recorded, leaves the replay of msgs as they came, and of the
		// snapshot's outcomes (not one that did not decode, made an
		// error by the resume: the concurrency review).
		if a.resumeAppended(ctx, cache, plan, tail, pc, opts, slices.Clone(msgs)) && a.recordExtended(cache, plan) {
			return true
		}
		plan.resumed, plan.resumedTail, plan.resumeUnsure = nil, nil, false
	}
	for i := range msgs {
		msgs[i].PairingText = nil // as the stream lets it go
	}
	plan.appendedMsgs = msgs
	return true
}

// uncachedCount counts the entries from from on without a cached
// result: those a check of them analyses.
func uncachedCount(cache *store.Cache, entries *heldEntries, from int) int {
	n := 0
	for i := from; i < entries.len(); i++ {
		if key := keyOf(entries.at(i)); key == "" || !cache.Has(key) {
			n++
		}
	}
	return n
}

// readAppended reads the entries from from on as a scan with opts and
// cache reads them (scan.AnalyseListed): the cached results one after
// another, the others analysed on opts.Workers goroutines (an analysis
// online may wait on DNS), which it counts: at most maxAppendedAnalysed,
// as the caller made sure (uncachedCount). False when ctx ends. The
// messages keep the text an kept for pairing: the caller lets it go, or
// pairs them.
func readAppended(ctx context.Context, src mailsrc.Source, an *analysis.Analyzer, cache *store.Cache, entries *heldEntries,
	from int, opts scan.Options) (msgs []model.Message, analysed int, ok bool) {
	read := scan.Options{Cache: cache, Encoded: opts.Encoded}
	msgs = make([]model.Message, entries.len()-from)
	type job struct {
		i int
		e mailsrc.Entry
	}
	var uncached []job
	for i := range msgs {
		e := entries.at(from + i)
		if key := keyOf(e); key == "" || !cache.Has(key) {
			uncached = append(uncached, job{i, e})
			continue
		}
		msgs[i] = scan.AnalyseListed(ctx, src, an, read, e)
	}
	onWorkers(opts.Workers, len(uncached), func() bool { return false }, func(k int) {
		j := uncached[k]
		msgs[j.i] = scan.AnalyseListed(ctx, src, an, read, j.e)
	})
	if ctx.Err() != nil {
		return nil, 0, false
	}
	return msgs, len(uncached), true
}

// snapshotListTarget is target for a replay with new mail: the list
// kept is the snapshot's listing's, its first count messages, without
// the new mail, which the next scan replays again as new mail (with
// whatever more has come) or pairs.
func snapshotListTarget(target func(string, listedIDs) *rowsTarget, count int) func(string, listedIDs) *rowsTarget {
	return func(digest string, ids listedIDs) *rowsTarget {
		if ids.len() < count {
			return nil
		}
		t := target(digest, ids.prefix(count))
		if t != nil {
			t.extra = ids.len() - count
		}
		return t
	}
}

// emitAppended emits the new mail of plan as its check read it, after
// the kept list of the snapshot's listing was handed out; new mail the
// check did not hold is read again from the cache file (emitFlood).
func emitAppended(ctx context.Context, plan *replayPlan, src mailsrc.Source, opts scan.Options, emit func(model.Message) error) error {
	if plan.flood != nil {
		if err := emitFlood(ctx, plan, src, emit); err != nil {
			return err
		}
	}
	for i, m := range plan.appendedMsgs {
		if err := ctx.Err(); err != nil {
			return err
		}
		if err := emit(m); err != nil {
			return err
		}
		plan.appendedMsgs[i] = model.Message{} // the console holds it now
	}
	if opts.Progress != nil {
		n := plan.entries.len()
		opts.Progress(scan.Progress{Listed: n, Analysed: n, Cached: n - plan.appendedAnalysed, Done: true})
	}
	return nil
}
