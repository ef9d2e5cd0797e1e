package app

import (
	"context"
	"errors"

	"mxaudit/analysis/ppap"
	"mxaudit/analysis/scan"
	"mxaudit/model"
	"mxaudit/model/store"
)

// Messages with influence taken out. Releasing a ZIP mail, or the mail
// with its password, is what PPAP triage does, and either changes what
// pairing gives other messages: the ZIP mail's password mail loses its
// note, the ZIP mail whose password mail goes is paired with the next
// candidate. Pairing the whole listing again for that took 52 s at a
// million messages (3.4 s at 100,000).
//
// A pairing involves the messages of one From domain, and the messages
// that close its ZIP mails' windows, by their dates: a Repair
// (ppap.Influence.Repair) pairs again only the domains the messages
// taken out influenced, from the cache, each message of them read back
// and every closer stripped to its date, and gives their outcomes;
// every other message's is the snapshot's. The snapshot of the listing
// as it is now is recorded with them: the changed messages of the other
// domains as they were, those the Repair changed written anew, the
// marks with the new ones added, the tail and the table joined from the
// snapshot's and the Repair's. The replay then goes on as after any
// removal (replayRemoved), and a console's kept list hands out the
// rows of the messages paired again made from their new outcomes.

// repairResult is what pairRepair made of a Repair: the changed messages
// of the listing as it is now (changed), the outcomes whose rows a kept
// list must not give (rows), and the records written.
type repairResult struct {
	changed            map[model.MessageID]replacement
	rows               map[model.MessageID]model.Message
	marksSum, tableSum string
	recorded           bool
}

// pairRepair pairs again, through repair, the domains the messages taken
// out of snap's listing (removed, ascending places) influenced, in the
// listing as it is now (the first s.Count entries), and records s, its
// snapshot. changed are the replacements of snap's changed messages;
// keys are snap's table's. It writes the changed messages' records
// before anything else, so it needs a cache it may write; false when the
// Repair cannot be made, a pairing was not remembered (the scan then
// pairs the whole listing, and remembers), or a record was not written.
func (a *App) pairRepair(ctx context.Context, cache *store.Cache, snap, s scanSnapshot, changed map[model.MessageID]replacement,
	repair *ppap.Repair, keys []uint64, removed []int, entries *heldEntries, pc ppap.Config) (repairResult, bool) {
	var res repairResult
	if cache.Stats().ReadOnly || repair.Len() != s.Count {
		return res, false
	}
	marks, tail, ok := loadMarks(cache, snap.MarksSum, pc.Window)
	if !ok {
		return res, false
	}
	if tail != nil && tail.Len() != snap.Count {
		tail = nil
	}
	watch := watchForgets(&pc)
	// Of what the Repair emits, only the messages pairing changed, now
	// or in the snapshot, are kept: the others come out as cached, and
	// a domain of a million-message quarantine holds 50,000 of them.
	out := map[model.MessageID]model.Message{}
	emitted := map[model.MessageID]bool{}
	twice, broken := false, false
	repair.Start(ctx, pc, a.src.Open, func(m model.Message) error {
		if emitted[m.ID] {
			twice = true
		}
		emitted[m.ID] = true
		if _, was := changed[m.ID]; !was && !ppap.ChangedByPairing(&m) {
			return nil
		}
		if err := m.Materialize(); err != nil {
			broken = true
		}
		out[m.ID] = m
		return nil
	})
	an := a.pairingAnalyzer(pc)
	// Encoded, as the stream takes them best: it decodes the ZIP mails
	// and the password mails only.
	read := scan.Options{Cache: cache, Encoded: true}
	var err error
	for q := range s.Count {
		if err = ctx.Err(); err != nil {
			break
		}
		if !repair.Wants(q) {
			continue
		}
		e := entries.at(q)
		m := scan.AnalyseListed(ctx, a.src, an, read, e)
		if m.ID != e.ID {
			err = errReplay
			break
		}
		if err = repair.Write(q, m); err != nil {
			break
		}
	}
	var next *ppap.Tail
	if err == nil && tail != nil {
		next, _ = repair.Tail(tail) // none (ErrNoTail): new mail that may pair then pairs the whole listing
	}
	if err := errors.Join(err, repair.Close(), ctx.Err()); err != nil || twice || broken || watch.forgot.Load() {
		return res, false
	}
	// The changed messages: the snapshot's of the domains not paired
	// again (those taken out are no longer listed), and the Repair's
	// that pairing changed, written anew. They are made of changed in
	// place: the scan holds it to its end, and a copy was 19 MB more at
	// a million messages (190,000 changed); a scan that fails here pairs
	// the whole listing, which reads no replacement.
	res.changed = changed
	res.rows = map[model.MessageID]model.Message{}
	var written []model.MessageID // changed now, their records written
	for q := range s.Count {
		id := entries.id(q)
		r, was := changed[id]
		if !repair.Repaired(q) {
			if was {
				r.listed = true
				changed[id] = r
			}
			continue
		}
		delete(changed, id)
		if !emitted[id] {
			return res, false
		}
		m, ok := out[id]
		if !ok {
			continue // as cached, before and now
		}
		if !ppap.ChangedByPairing(&m) {
			if was {
				res.rows[id] = m // no longer changed: its row is its analysis's
			}
			continue
		}
		enc, err := store.Encode(m)
		if err != nil || cache.PutEncoded(changedKey(id), enc) != nil {
			return res, false
		}
		res.rows[id] = m
		written = append(written, id)
		marks.Add(&m) // its domain and date: the marks only grow, erring towards pairing new mail
	}
	for id, r := range changed {
		if !r.listed {
			delete(changed, id) // taken out
			continue
		}
		r.listed = false
		changed[id] = r
	}
	for _, id := range written {
		ref, ok := cache.Ref(changedKey(id))
		if !ok {
			return res, false
		}
		changed[id] = replacement{ref: ref}
	}
	rest := &listingTable{infl: repair.Influence(), keys: keysWithout(keys, removed)}
	res.marksSum, res.tableSum, res.recorded = recordRebasedAs(cache, s, changed, marks, next, rest)
	// The changed records are written: without marks and table, the
	// replay of them would be recorded nowhere, and the scan pairs.
	return res, res.tableSum != ""
}
