package app

import (
	"context"
	"errors"
	"sync/atomic"

	"mxaudit/analysis"
	"mxaudit/analysis/ppap"
	"mxaudit/analysis/scan"
	"mxaudit/mailsrc"
	"mxaudit/model"
	"mxaudit/model/store"
)

// pairedScan is the scan with PPAP pairing (see Scan): the replay of the
// cache's snapshot when the listing and its cached results are
// unchanged, else the pairing stream, recording a snapshot when a
// writable cache is there to keep it.
//
// early, when set, is the source's listing, started before the cache was
// opened; the snapshot is only tried with it.
//
// emitRow, when set, takes the rows of a row snapshot of the replayed
// scan instead (see ScanRows), and the scan then returns where its list
// may be kept, when the cache's snapshot records it. shown, when set, are
// the rows given ahead of the listing (rowsahead.go): withdrawn as soon
// as the scan is to emit anything but the kept list. lister, when set,
// makes the rows of what it emits instead (ScanRows), and is primed as
// soon as the scan knows it will emit messages.
func (a *App) pairedScan(ctx context.Context, cache *store.Cache, pc ppap.Config, opts scan.Options, early *earlyListing,
	emit func(model.Message) error, emitRow func(*model.Row) error, shown *shownAhead, gen uint64, lister *rowLister) (*rowsTarget, error) {
	var src mailsrc.Source = a.src
	if early != nil {
		src = early
	}
	// target is where a console's list of this scan may be kept.
	target := func(digest string, ids listedIDs) *rowsTarget {
		if emitRow == nil {
			return nil // a target kept for nobody would hold the listing's IDs
		}
		return &rowsTarget{path: rowsPath(cache.Path()), digest: rowsName(digest, cache.HeaderSum()), ids: ids}
	}
	var rec *snapshotRecorder
	if cache != nil && !opts.CacheByID && early != nil {
		if ahead, ok := readSnapshotAhead(cache); ok {
			// The digest is taken, and each entry's cached result looked
			// up, as the listing comes, while the snapshot is decoded.
			// The room made ahead is bounded by what the cache holds too:
			// its memory is mapped in at once, and the count is read from
			// a file.
			room := min(ahead.count, cache.Stats().Entries)
			var d *listingDigest
			if emitRow != nil {
				// A row replay reads each entry's stamp sum and ref; room
				// is made for new mail too, or its first entry copies
				// every array grown (80 MB at a million messages).
				d = newKeptDigest(pc.ResultsSalt, room+maxAppended, cache)
			} else {
				d = newStreamedDigest(pc.ResultsSalt, cache)
			}
			// The digest of the snapshot's count of entries is taken on
			// the way, for a listing that new mail followed.
			d.prefixAt = ahead.count
			entries, listed := early.take(ctx, ahead.count+maxAppended, room, d.add)
			snap, changed, ok := ahead.wait()
			if listed && ok {
				if plan, ok := a.replayable(ctx, cache, snap, changed, entries, d, pc, opts); ok {
					a.replayed.Store(true)
					// The list kept is that of the snapshot replayed: the
					// whole listing's when the replay recorded its own.
					digest := snap.Digest
					switch {
					case plan.recorded != "":
						digest = plan.recorded
					case plan.appended != nil:
						target = snapshotListTarget(target, plan.snap.Count)
						if plan.resumed != nil {
							target = snapshotRowsTarget(target, plan)
						}
					}
					if emitRow != nil {
						handedOut, restIDs, err := a.replayRows(ctx, cache, opts, plan, emit, emitRow, gen, lister)
						if handedOut {
							shown.handedOut()
						}
						if handedOut && restIDs != nil && err == nil {
							return target(digest, *restIDs), nil // the file went, or a new snapshot: keep the list again
						}
						if handedOut {
							return nil, err
						}
					}
					shown.withdraw()
					// The replay lets go of the entries as it lists them,
					// and reads nothing of the digest.
					var ids listedIDs
					if emitRow != nil {
						ids = listingIDs(d, entries)
					}
					d.letGo()
					lister.prime()
					plan.appendedMsgs = nil // the replay reads the new mail again, from the cache (or resumed)
					if err := replay(ctx, a, cache, opts, plan, 0, emit); err != nil {
						return nil, err
					}
					return target(digest, ids), nil
				}
			}
		}
		if !cache.Stats().ReadOnly { // which writes no snapshot
			rec = newSnapshotRecorder(cache, pc, emitRow != nil, opts.Encoded)
			pc.Results = rec
			opts.Settled, opts.ListedTwice = rec.digest.add, rec.listedTwice
		}
	}
	shown.withdraw()
	a.replayed.Store(false)
	lister.prime()
	// Pairings may read a sender's recent mails again for each of its
	// ZIP mails: on IMAP, where each read is a fetch, the last 8 MiB of
	// them are remembered. Files are opened again: the page cache keeps
	// them, and the pairing's own memo of the passwords found already
	// reads each candidate once, so a memo of the bytes was almost never
	// hit and copied every mail read (50 MB at 20,000 messages).
	open := a.src.Open
	if IsIMAP(a.src.Name()) {
		open = ppap.MemoOpener(a.src.Open, 8<<20)
	}
	out := emit
	if rec != nil {
		out = func(m model.Message) error { return emit(rec.see(m)) }
	}
	var stage *outputStage
	if opts.Encoded {
		// JSON output (ScanEncoded) and a console's list (ScanRows):
		// caching what pairing changed, making rows and handing each
		// message on go to a goroutine of their own, off the stream's,
		// which alone reads what every worker found and pairs it. The
		// console's progress comes from the scan's goroutine meanwhile
		// (see ScanRows).
		stage = startOutput(out)
		defer stage.abandon() // a panic leaves nothing emitting after the scan
		out = stage.take
	}
	pairing := ppap.NewStream(ctx, pc, open, out)
	// The analysis searches each message's text for passwords and keeps
	// the text of those that hold one for the stream, which reads a
	// password mail's candidates from it instead of reading the mail
	// again, and lets the text go. Whether a text holds any is cached
	// with the result, for a later scan that pairs cached results.
	an := a.analyzer.WithPairingText(pc.TextBytes(), ppap.HoldsPassword)
	opts.DecodeWhole = ppap.ReadsWhole
	runErr := scan.Run(ctx, src, an, opts, pairing.Write)
	if runErr == nil && rec != nil {
		// What pairing holds once the listing is written, for a later
		// scan to pair new mail from there (resumeAppended).
		rec.tail, _ = pairing.Tail()
	}
	pairErr := pairing.Close() // emits what is still held, even after a failure
	var outErr error
	if stage != nil {
		outErr = stage.close() // every message emitted: rec has seen them all
		if outErr == nil && runErr == nil && pairErr == nil {
			// Cancelled while the stage wrote what waited: reported,
			// as a cancel during the scan's own emit would be.
			outErr = ctx.Err()
		}
	}
	if errors.Is(runErr, pairErr) {
		pairErr = nil // emit's failure, already in runErr
	}
	if errors.Is(runErr, outErr) || errors.Is(pairErr, outErr) {
		outErr = nil // the stage's failure, which the stream was given
	}
	if runErr == nil && pairErr == nil && outErr == nil && rec != nil {
		if digest, ok := rec.save(); ok {
			return target(digest, idsOf(rec.digest.ids)), nil
		}
	}
	return nil, errors.Join(runErr, pairErr, outErr)
}

// listingIDs are the IDs of the listing entries, whose digest d is: the
// digest's own, unless a row replay that handed no row out took them
// (newRowReplay).
func listingIDs(d *listingDigest, entries *heldEntries) listedIDs {
	if d.ids != nil || entries.len() == 0 {
		return idsOf(d.ids)
	}
	return idsOf(restOf(entries, 0))
}

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
// (at most maxAppended messages) that pairing, with its window, would
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
	case n > snap.Count && n-snap.Count <= maxAppended && snap.MarksSum != "" && d.prefixAt == snap.Count:
		digest, ok = d.prefixSum(cache, uncachedOK)
	}
	if !ok || digest != snap.Digest {
		return nil, false
	}
	if !listedOnce(changed, entries) {
		return nil, false
	}
	// Messages analysed afresh on every scan: pairing must still have
	// nothing to do with them, or the snapshot says nothing of this scan.
	// They are analysed as the stream's scan analyses them, which notes
	// whether a text holds a password (the security review: a scan
	// without cache prints passwords_in_text).
	an := a.analyzer.WithPairingText(pc.TextBytes(), ppap.HoldsPassword)
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
		if !ppap.Inert(&m) || pairingDate(&m) != date {
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
			if out, ok := plan.resumed[m.ID]; ok {
				// Paired from the snapshot's tail before anything went
				// out, from the file as it was then.
				if m.SHA256 != out.SHA256 {
					return errReplay
				}
				return emit(out)
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

// replayCache is the analysis cache as a replay's scan reads it: the
// result of a listed file pairing changed is its outcome, and a file
// the snapshot found uncached has none. It answers by the listed entry
// (scan.ListedCache), whose ID names the message in repl: keyed by each
// file's cache key, the swaps took a string key, an object and two map
// slots for each changed message, 4 MB of a warm start's 21 MB of heap
// at 100,000 messages (19,000 changed).
type replayCache struct {
	*store.Cache
	repl map[model.MessageID]replacement
	// read holds a flag for each changed message whose outcome the
	// workers read in the place of its analysis (no listing warning),
	// set once they did; the map is not changed once the scan begins.
	read map[model.MessageID]*atomic.Bool
}

// newReplayCache is the cache of a replay of entries from from on.
func newReplayCache(cache *store.Cache, repl map[model.MessageID]replacement, entries *heldEntries, from int) *replayCache {
	var swapped []model.MessageID
	for i := from; i < entries.len(); i++ {
		e := entries.at(i)
		if r, ok := repl[e.ID]; ok && !r.fresh && e.Stamp != "" && e.Warning == "" {
			swapped = append(swapped, e.ID)
		}
	}
	flags := make([]atomic.Bool, len(swapped))
	read := make(map[model.MessageID]*atomic.Bool, len(swapped))
	for i, id := range swapped {
		read[id] = &flags[i]
	}
	return &replayCache{Cache: cache, repl: repl, read: read}
}

var _ scan.ListedCache = (*replayCache)(nil)

// Get, GetEncoded and Has answer nothing: a replay's cache answers by
// the listed entry (GetListed), and a result asked for by its key alone
// would not be swapped for its outcome.
func (c *replayCache) Get(string) (model.Message, bool)        { return model.Message{}, false }
func (c *replayCache) GetEncoded(string) (model.Message, bool) { return model.Message{}, false }
func (c *replayCache) Has(string) bool                         { return false }

// Dropped implements scan.ListedCache: an outcome the scan could not
// decode, and analysed the message again instead, was not read.
func (c *replayCache) Dropped(e mailsrc.Entry) {
	if flag := c.read[e.ID]; flag != nil {
		flag.Store(false)
	}
}

// GetListed implements scan.ListedCache: the outcome of a changed
// message for its listed file (pinned where the snapshot found it),
// nothing for a file the snapshot found uncached, else the cached
// analysis under key.
func (c *replayCache) GetListed(e mailsrc.Entry, key string, encoded bool) (model.Message, bool) {
	get := c.Cache.Get
	if encoded {
		get = c.Cache.GetEncoded
	}
	r, changed := c.repl[e.ID]
	switch {
	case !changed || e.Stamp == "":
		return get(key)
	case r.fresh:
		// Analysed anew, as the snapshot found it without a result:
		// one written since, by another process, is not taken for it.
		return model.Message{}, false
	}
	flag := c.read[e.ID]
	if flag == nil {
		return get(key) // a listing warning: swapped as it is emitted
	}
	m, ok := pinnedGet(c.Cache, get, changedKey(e.ID), r.ref)
	if ok {
		flag.Store(true)
	}
	return m, ok
}

// pinnedGet reads key's record with get, only when it is still the one
// at ref, where the snapshot checked it (replacements); a record since
// rewritten under the key is not read.
func pinnedGet(c *store.Cache, get func(string) (model.Message, bool), key string, ref store.RecordRef) (model.Message, bool) {
	if !c.HoldsRef(key, ref) {
		return model.Message{}, false
	}
	return get(key)
}

// ScanReplayed reports whether the last scan replayed the cache's
// snapshot of an unchanged source instead of pairing (for tests and
// progress lines).
func (a *App) ScanReplayed() bool { return a.replayed.Load() }
