package app

import (
	"context"
	"errors"

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
				// A row replay reads each entry's stamp sum and ref, with
				// room made for new mail too.
				d = newKeptDigest(pc.ResultsSalt, room, cache)
			} else {
				d = newStreamedDigest(pc.ResultsSalt, cache)
			}
			// The digest of the snapshot's count of entries is taken on
			// the way, for a listing that new mail followed.
			d.prefixAt = ahead.count
			entries, listed := early.take(ctx, ahead.count+appendedMost(ahead.count), room, d.add)
			snap, changed, ok := ahead.wait()
			if listed && ok {
				if plan, ok := a.replayable(ctx, cache, snap, changed, entries, d, pc, opts); ok {
					defer plan.release()
					a.replayed.Store(true)
					// The list kept is that of the snapshot replayed: the
					// whole listing's when the replay recorded its own.
					digest := plan.snap.Digest // this listing's, when messages were taken out (rebased)
					switch {
					case plan.recorded != "":
						digest = plan.recorded
					case plan.appended != nil:
						target = snapshotListTarget(target, plan.snap.Count)
						if plan.resumed != nil {
							target = snapshotRowsTarget(target, plan)
						}
					}
					if plan.removal != nil {
						// The rows shown ahead hold those taken out: the
						// list is handed out without them.
						shown.withdraw()
						if !plan.removal.recorded {
							target = func(string, listedIDs) *rowsTarget { return nil }
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
						ids = listingIDs(plan.d, entries)
					}
					plan.d.letGo()
					lister.prime()
					plan.appendedMsgs, plan.flood = nil, nil // the replay reads the new mail again, from the cache (or resumed)
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
	if rec != nil {
		pairing.TrackInfluence() // for the snapshot's table
	}
	// The analysis searches each message's text for passwords and keeps
	// the text of those that hold one for the stream, which reads a
	// password mail's candidates from it instead of reading the mail
	// again, and lets the text go. Whether a text holds any is cached
	// with the result, for a later scan that pairs cached results.
	an := a.pairingAnalyzer(pc)
	opts.DecodeWhole = ppap.ReadsWhole
	runErr := scan.Run(ctx, src, an, opts, pairing.Write)
	if runErr == nil && rec != nil {
		// What pairing holds once the listing is written, for a later
		// scan to pair new mail from there (resumeAppended).
		rec.tail, _ = pairing.Tail()
	}
	pairErr := pairing.Close() // emits what is still held, even after a failure
	if rec != nil {
		rec.infl = pairing.Influence() // with the candidates of the windows Close closed
	}
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

// ScanReplayed reports whether the last scan replayed the cache's
// snapshot of an unchanged source instead of pairing (for tests and
// progress lines).
func (a *App) ScanReplayed() bool { return a.replayed.Load() }
