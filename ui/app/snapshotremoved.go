package app

import (
	"cmp"
	"context"
	"slices"

	"mxaudit/analysis/ppap"
	"mxaudit/analysis/scan"
	"mxaudit/model"
	"mxaudit/model/store"
)

// Messages taken out. A release or a delete takes a message out of the
// quarantine, and so does a retention job: the listing is then the
// snapshot's with entries missing, whose digest, a chain over every
// entry, matches none a snapshot recorded. A console started after a
// single delete paired the whole quarantine again: 56 s and 696 MiB at a
// million messages, where a replay takes 5 s.
//
// The snapshot's table (snapshottable.go) keys each entry of its listing
// and holds what its pairing depended on (ppap.Influence). A scan whose
// digest matches nothing keys its own entries and walks the table: the
// listing must be the snapshot's with entries taken out, each of them
// one no other message's outcome depended on, and the listing's outcome
// must not depend on places (Influence.Positional); new mail may follow.
// Then pairing the listing as it is would emit every remaining message
// as the snapshot's scan did (TestRemovingWithoutInfluence), and the
// listing without the new mail is a snapshot of its own: it is recorded
// (rebased), with its table and its stream's tail (Tail.Without) and
// the same changed messages, and replayed as any snapshot is, with the
// new mail as new mail (appendedPlan). The next start finds it as its
// own, and the console keeps its list under it. When some of the
// messages taken out had influence (a released ZIP mail or password
// mail), a Repair pairs again the From domains they influenced, and the
// snapshot recorded holds its outcomes (snapshotrepair.go).

// repairMost bounds the messages a Repair pairs again in a listing of
// count messages: a quarter of it, and at least minRepaired. A Repair
// pairs again every message of each From domain concerned, however long
// before or after the messages taken out, one after another, and holds
// the outcomes pairing changed. A retention job that takes out the
// oldest day of a month's mail takes out ZIP mails and password mails
// of nearly every partner: the Repair then paired again every message
// left (96,700 of 100,000), and a console's start took 105 s and
// 1,389 MiB at a million messages (33,000 of the oldest taken out),
// where pairing the whole listing, on every worker and streaming, takes
// 58 s and 745 MiB (at 100,000: 5.5 s and 174 MiB, against 6.0 s and
// 151 MiB). Past the bound the scan pairs the whole listing. A variable
// for tests.
var repairMost = func(count int) int { return max(count/4, minRepaired) }

// minRepaired is the least repairMost allows: a Repair of a few thousand
// messages takes a fraction of a second.
const minRepaired = 4096

// replayRemoved is replayable for a listing whose digest, d, is not the
// snapshot's: the snapshot's listing with entries taken out, maybe
// followed by new mail. False when it is not, or may not be replayed so.
func (a *App) replayRemoved(ctx context.Context, cache *store.Cache, snap scanSnapshot, changed map[model.MessageID]replacement,
	entries *heldEntries, d *listingDigest, pc ppap.Config, opts scan.Options) (*replayPlan, bool) {
	if snap.Table == "" || snap.rebased || entries.len() > snap.Count+appendedMost(snap.Count) {
		return nil, false
	}
	table, ok := loadTable(cache, snap.Table, snap.Count)
	if !ok || table.infl.Positional() {
		return nil, false
	}
	// The listing is matched against the table as its digest is taken
	// again, which takes the prefix where new mail starts, as a scan of
	// the listing before the new mail takes its digest: d has chained
	// the entries as they came, with no place to cut at. What d kept of
	// each entry for a row replay (stamp sum, ref, ID) is the same, and
	// goes over as it is: made again, it was a second set of arrays
	// mapped in beside the first (64 MB at a million messages: the
	// concurrency review).
	if d.kept && (len(d.keys) != entries.len() || len(d.refs) != entries.len() || len(d.ids) != entries.len()) {
		return nil, false
	}
	match := &tableMatch{keys: table.keys}
	again := newStreamedDigest(pc.ResultsSalt, cache)
	again.cutAt = match.newMailAt
	for e := range entries.all {
		again.add(e)
	}
	if !again.ok {
		return nil, false
	}
	if again.cutAt != nil { // no new mail
		match.end()
		again.prefixAt, again.prefix = again.n, again.digestSoFar()
	}
	// The digest goes on into the replay's plan: its cut held the
	// table's keys (8 MB at a million messages) to the replay's end.
	again.cutAt = nil
	kept, removed := again.prefixAt, match.removed
	if again.prefix == "" || len(removed) == 0 || kept == 0 || entries.len()-kept > appendedMost(snap.Count) {
		return nil, false
	}
	// None of them had influence, or some did and a Repair pairs again
	// the domains they influenced (snapshotrepair.go).
	rest, ok := table.without(removed)
	var repair *ppap.Repair
	if !ok {
		// Bounded before anything is written: pairRepair writes the
		// outcomes it changed, and changes changed in place.
		var err error
		if repair, err = table.infl.Repair(removed); err != nil || repair.Repairs() > repairMost(kept) {
			return nil, false
		}
	}
	uncached, ok := snap.uncachedDates()
	if !ok {
		return nil, false
	}
	again.kept, again.keepIDs, again.keys, again.refs, again.ids = d.kept, d.keepIDs, d.keys, d.refs, d.ids
	d.letGo()
	d = again
	s := scanSnapshot{Version: snapshotVersion, Digest: d.prefix, Count: kept, rebased: true}
	for _, id := range d.missed[:d.prefixMissed] {
		date, ok := uncached[id]
		if !ok {
			return nil, false
		}
		s.Uncached, s.UncachedDates = append(s.Uncached, id), append(s.UncachedDates, date)
	}
	recorded := false
	var repaired map[model.MessageID]model.Message
	switch {
	case repair != nil:
		r, ok := a.pairRepair(ctx, cache, snap, s, changed, repair, table.keys, removed, entries, pc)
		if !ok {
			return nil, false
		}
		changed, repaired = r.changed, r.rows
		s.MarksSum, s.Table, recorded = r.marksSum, r.tableSum, r.recorded
	case !cache.Stats().ReadOnly:
		s.MarksSum, s.Table, recorded = a.recordRebased(cache, snap, s, changed, rest, removed, pc)
	}
	plan, ok := a.replayable(ctx, cache, s, changed, entries, d, pc, opts)
	if ok {
		plan.removal = &listRemoval{digest: snap.Digest, count: snap.Count, removed: removed, recorded: recorded}
		plan.repaired = repaired
	}
	return plan, ok
}

// tableMatch matches a listing's entries, keyed as a table keys them,
// against keys, the table's, one entry at a time (newMailAt): the
// entries must be those of the keys, in order, with some taken out
// (removed, ascending places in keys), then maybe new mail. An entry
// that matches no key left makes every key left taken out, and the
// entries from it on new mail: pairing them as that is sound, and the
// checks of removals and of new mail decide.
type tableMatch struct {
	keys    []uint64
	j       int // the next key to match
	removed []int
}

// newMailAt matches the next entry's key, and reports whether the new
// mail starts with it: no key is left to match it.
func (m *tableMatch) newMailAt(key uint64) bool {
	for m.j < len(m.keys) && m.keys[m.j] != key {
		m.removed = append(m.removed, m.j)
		m.j++
	}
	if m.j == len(m.keys) {
		return true
	}
	m.j++
	return false
}

// end records the keys no entry matched, once every entry was matched:
// those were taken out.
func (m *tableMatch) end() {
	for ; m.j < len(m.keys); m.j++ {
		m.removed = append(m.removed, m.j)
	}
}

// recordRebased records s, the snapshot of the listing of snap with the
// entries at removed taken out, before the new mail: the changed
// messages as they were, their marks, and snap's tail and table without
// those entries (rest). It returns the SHA-256 of the marks and of the
// table as written, "" for each not written, and whether it wrote the
// snapshot, which it does only with both: this scan replays s either
// way. A write that fails costs the next start the same check again,
// or a pairing.
func (a *App) recordRebased(cache *store.Cache, snap, s scanSnapshot, changed map[model.MessageID]replacement,
	rest *listingTable, removed []int, pc ppap.Config) (marksSum, tableSum string, recorded bool) {
	marks, tail, ok := loadMarks(cache, snap.MarksSum, pc.Window)
	if !ok {
		return "", "", false
	}
	if tail != nil && tail.Len() == snap.Count {
		if tail, _ = tail.Without(removed); tail != nil && tail.Len() != s.Count {
			tail = nil
		}
	} else {
		tail = nil // a snapshot without one still replays with new mail that cannot pair
	}
	return recordRebasedAs(cache, s, changed, marks, tail, rest)
}

// recordRebasedAs records s, the snapshot of a listing with messages
// taken out, with its changed messages (changed, none fresh), marks,
// pairing stream's tail (nil for none) and table: marks and table
// first, the snapshot that names them by their SHA-256 last, so that a
// write that fails midway leaves sums that do not match (the next start
// pairs). It returns the sums of the marks and the table as written, ""
// for each not written, and whether it wrote the snapshot.
func recordRebasedAs(cache *store.Cache, s scanSnapshot, changed map[model.MessageID]replacement, marks *ppap.Marks,
	tail *ppap.Tail, table *listingTable) (marksSum, tableSum string, recorded bool) {
	s.Changed = s.Changed[:0]
	for id, r := range changed {
		if r.fresh {
			return "", "", false // none before replayable adds them
		}
		s.Changed = append(s.Changed, changedMessage{ID: id, Ref: r.ref})
	}
	slices.SortFunc(s.Changed, func(a, b changedMessage) int { return cmp.Compare(a.ID, b.ID) })
	tableRaw, err := table.recordOf()
	if err != nil || len(tableRaw) > store.MaxCacheRecordLen {
		return "", "", false
	}
	var ok bool
	if s.MarksSum, ok = saveMarks(cache, marks, tail); !ok {
		return "", "", false
	}
	if s.Table, ok = putTable(cache, tableRaw); !ok {
		return s.MarksSum, "", false
	}
	b, err := marshalSnapshot(s)
	// A cache that cannot write only costs time.
	return s.MarksSum, s.Table, err == nil && cache.PutRecord(snapshotKey, b) == nil
}
