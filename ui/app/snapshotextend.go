package app

import (
	"cmp"
	"crypto/sha256"
	"math"
	"slices"
	"strings"

	"mxaudit/analysis/ppap"
	"mxaudit/model"
	"mxaudit/model/store"
)

// A snapshot replayed with new mail stays as it was (snapshotdelta.go),
// so that the new mail is checked, and held with the listing, at every
// start after it until the stream pairs the whole listing again: once
// more than maxAppended messages had come, or more than
// maxAppendedAnalysed that no scan had seen, a start at a million
// messages paired everything again, 41 to 56 s and 670 to 690 MiB, and
// on a busy gateway that is a few days of mail.
//
// A replay with at least extendAt new messages (extendAtWithoutList for
// a scan that keeps no list) records instead, before
// it emits anything, the snapshot of the whole listing, its own: the
// snapshot's outcome, with the new mail's and the held messages' from
// the stream resumed from the snapshot's tail (resumeAppended, which
// then runs even when no new message may pair), that stream's own tail,
// and the marks of every message pairing changed. The next start
// replays it, with only the mail that came since as new.
//
// It is the record the stream's scan would have made (snapshotRecorder):
//   - the digest is that of the whole listing with each entry's cached
//     result as it is now, the new mail's included, which the check of
//     the new mail cached after the listing (listingDigest.extendedSum);
//   - each changed message is named by the ref of its outcome under
//     changedKey: those of the snapshot as they were, but for the held
//     messages, whose outcomes the resumed stream gave again, rewritten
//     (or no longer named, if pairing left them as they came), and the
//     new mail's;
//   - each message it names uncached (new mail the check analysed and
//     could not cache, which pairing leaves as it is) is named with its
//     date (pairingDate);
//   - it is recorded only when every pairing of the resumed stream was
//     remembered, and each held message came out whole.
//
// Rewriting a held message's outcome moves its ref, which the old
// snapshot names: from then on the old snapshot no longer replays, and
// should the new one not be written, the next scan pairs the whole
// listing, as it did before. So everything is made, and the record's
// size bounded, before the first outcome is written; then the marks,
// then the snapshot that names them both. The replay under way
// reads the rewritten outcomes where it read the old ones (plan.repl),
// which it swaps for the resumed ones all the same.

// extendAt is the count of new messages from which a replay records the
// snapshot of the whole listing. Recording costs a console its list
// written again (230 MB at a million messages, in the background), so
// a few new mails do not; it is well short of maxAppended, so that a
// start seldom finds more than that many since the last snapshot.
var extendAt = 512 // a variable for tests

// extendAtWithoutList is extendAt for a scan that keeps no list (the
// CLI's): the list a console kept is named by the snapshot it was kept
// of, and after a snapshot recorded without one, the console's next
// start replays messages instead of handing the list out (30 s and
// 680 MiB at a million messages, where a replay with the new mail took
// 4 s). A cron job's scan every few hundred mails would cost the
// operator that at every start; it records only as the new mail nears
// maxAppended.
var extendAtWithoutList = maxAppended * 3 / 4

// extendsAt is the count of new messages from which a replay of plan
// records the snapshot of the whole listing.
func (plan *replayPlan) extendsAt() int {
	if plan.d != nil && plan.d.kept { // a console's row replay (newKeptDigest)
		return extendAt
	}
	return extendAtWithoutList
}

// longestRef is a ref that packs as long as any (changedList): the
// size of a snapshot is bounded with it before its outcomes are written.
var longestRef = store.RecordRef{Off: math.MaxInt64, Len: math.MaxUint32, Written: math.MaxUint32}

// recordExtended records the snapshot of the whole listing of plan, as
// the stream resumed for its new mail left it (see extendAt), and sets
// plan.recorded to its digest; false when it recorded none.
func (a *App) recordExtended(cache *store.Cache, plan *replayPlan) bool {
	if plan.resumed == nil || plan.resumeUnsure || cache.Stats().ReadOnly {
		return false
	}
	// A copy of plan.marks: the replay's checks read those from any
	// goroutine, which marks added to would not allow.
	marks := plan.marks.Clone()
	entries := plan.entries
	uncached, ok := plan.snap.uncachedDates()
	if !ok {
		return false
	}
	digest, missed, ok := plan.d.extendedSum(cache, entries, func(id model.MessageID) bool {
		if _, ok := uncached[id]; ok {
			return true
		}
		// New mail the check analysed and could not cache: analysed
		// on every scan, as long as pairing has nothing to do with it
		// but by its date.
		if date, ok := plan.floodUncached[id]; ok {
			uncached[id] = date
			return true
		}
		m, ok := plan.resumed[id]
		if ok = ok && plan.appended[id] && ppap.Inert(&m); ok {
			uncached[id] = pairingDate(&m)
		}
		return ok
	})
	if !ok {
		return false
	}
	dates := make([]string, len(missed))
	for i, id := range missed {
		dates[i] = uncached[id]
	}
	// Everything is made before anything is written: from the first
	// outcome rewritten on, the old snapshot no longer replays new mail,
	// and a new one that then could not be written (too large for a
	// record) would cost the next start a whole pairing (the concurrency
	// review). What may still fail is the cache's own writing.
	outcomes, ok := resumedOutcomes(plan, marks)
	if !ok {
		return false
	}
	changed, kept := changedWith(plan, outcomes)
	tail := plan.resumedTail
	if tail != nil && tail.Len() != entries.len() {
		tail = nil // a snapshot without one still replays with new mail that cannot pair
	}
	// Its size, with a SHA-256 spelled where the marks' will be.
	s := scanSnapshot{Version: snapshotVersion, Digest: digest, Count: entries.len(), Changed: changed,
		Uncached: missed, UncachedDates: dates, MarksSum: strings.Repeat("0", 2*sha256.Size)}
	tableRaw, table := extendedTable(cache, plan)
	if table {
		s.Table = s.MarksSum
	}
	if n, err := snapshotRecordLen(s); err != nil || n > store.MaxCacheRecordLen {
		return false
	}
	marksRaw, err := marksRecordOf(marks, tail)
	if err != nil {
		return false
	}
	for i, o := range outcomes {
		if cache.PutEncoded(changedKey(o.id), o.enc) != nil {
			return false
		}
		ref, ok := cache.Ref(changedKey(o.id))
		if !ok {
			return false
		}
		if r, ok := plan.repl[o.id]; ok && !r.fresh {
			plan.repl[o.id] = replacement{ref: ref} // moved: read where it is now
		}
		changed[kept+i].Ref = ref
	}
	// In ID order, so that the same scan records the same list.
	slices.SortFunc(changed, func(a, b changedMessage) int { return cmp.Compare(a.ID, b.ID) })
	s.MarksSum, _ = putMarks(cache, marksRaw)
	if table {
		s.Table, _ = putTable(cache, tableRaw)
	}
	b, err := marshalSnapshot(s)
	if err != nil || cache.PutRecord(snapshotKey, b) != nil {
		return false
	}
	plan.recorded, plan.resumedTail = digest, nil
	return true
}

// outcome is a message's outcome as recordExtended writes it under
// changedKey.
type outcome struct {
	id  model.MessageID
	enc store.EncodedMessage
}

// resumedOutcomes encodes the outcomes of plan's resumed stream that
// pairing changed, and adds them to marks; false when one does not
// encode.
func resumedOutcomes(plan *replayPlan, marks *ppap.Marks) ([]outcome, bool) {
	var out []outcome
	for id, m := range plan.resumed {
		if !ppap.ChangedByPairing(&m) {
			continue
		}
		enc, err := store.Encode(m)
		if err != nil {
			return nil, false
		}
		out = append(out, outcome{id, enc})
		marks.Add(&m)
	}
	return out, true
}

// changedWith is the list of changed messages of the snapshot of the
// whole listing of plan: the snapshot's others, final when its stream
// emitted them, from the replay's swaps (the snapshot's list is let go
// once they are made: snapshotAhead), then, from kept on, those of
// outcomes, whose refs are known once written: until then, the longest
// a ref spells.
func changedWith(plan *replayPlan, outcomes []outcome) (changed changedList, kept int) {
	changed = make(changedList, 0, len(plan.repl)+len(outcomes))
	for id, r := range plan.repl {
		if _, resumed := plan.resumed[id]; !resumed && !r.fresh {
			changed = append(changed, changedMessage{ID: id, Ref: r.ref})
		}
	}
	kept = len(changed)
	for _, o := range outcomes {
		changed = append(changed, changedMessage{ID: o.id, Ref: longestRef})
	}
	return changed, kept
}

// extendedTable is the record under tableKey of the table of the whole
// listing of plan: the snapshot's, then the new mail's keys, with their
// cached results' refs as they are now (as extendedSum hashes them),
// and the snapshot's Influence joined with that of the stream resumed
// for the new mail; false when either is missing.
func extendedTable(cache *store.Cache, plan *replayPlan) ([]byte, bool) {
	if plan.snap.Table == "" || plan.resumedInfl == nil {
		return nil, false
	}
	old, ok := loadTable(cache, plan.snap.Table, plan.snap.Count)
	if !ok {
		return nil, false
	}
	infl, err := old.infl.Extended(plan.resumedInfl)
	entries := plan.entries
	if err != nil || infl.Len() != entries.len() {
		return nil, false
	}
	keys := slices.Grow(old.keys, entries.len()-plan.snap.Count)
	var k entryKeyer
	for i := plan.snap.Count; i < entries.len(); i++ {
		e := entries.at(i)
		if e.Stamp == "" {
			return nil, false
		}
		keys = append(keys, k.entryKey(e, cache))
	}
	raw, err := (&listingTable{keys: keys, infl: infl}).recordOf()
	if err != nil || len(raw) > store.MaxCacheRecordLen {
		return nil, false
	}
	return raw, true
}
