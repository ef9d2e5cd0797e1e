package app

import (
	"context"
	"errors"
	"sync/atomic"

	"mxaudit/analysis/ppap"
	"mxaudit/analysis/scan"
	"mxaudit/model"
	"mxaudit/model/store"
)

// New mail that pairing may concern: a ZIP mail arriving, or the mail
// with its password. Pairing the whole listing again for it re-read
// every cached result and re-decoded every ZIP mail, for a handful of
// messages: 2.7 s at 100,000 messages against 0.9 s for a replay, 36 to
// 56 s and 660 to 780 MiB at a million. The snapshot's scan keeps, beside
// its marks, what its pairing stream held once the listing was written
// (ppap.Tail: the ZIP mails still waiting for their window, what they
// pin, and the sender index of the last windows, by listing place). A
// scan whose listing is the snapshot's followed by such mail resumes that
// stream from there (ppap.ResumeStream), reading back the messages the
// tail names from the cache, writes the new mail to it, and closes it:
// what it emits is what pairing the whole listing would emit for the
// messages the tail held and for the new mail; every other message was
// final when the snapshot's stream emitted it, and is replayed. The
// resumed stream runs before anything is emitted, on the new mail as the
// check read it (appendedPlan).

// resumeAppended pairs the new mail of plan, msgs as readAppended read
// them (in listing order, with their pairing text), from tail, the state
// the snapshot's pairing stream was in at the end of its listing, and
// adds to plan what the replay emits in their place and in that of the
// messages the tail held (replayPlan.resumed, appendedMsgs); false when
// the tail does not resume on this listing or the pairing did not finish
// (the stream then pairs the whole listing).
func (a *App) resumeAppended(ctx context.Context, cache *store.Cache, plan *replayPlan, tail *ppap.Tail,
	pc ppap.Config, opts scan.Options, msgs []model.Message) bool {
	return a.resumeFrom(ctx, cache, plan, tail, pc, opts, len(msgs), func(i int) (model.Message, error) {
		m := msgs[i]
		msgs[i] = model.Message{} // the stream's now: its text goes no further
		return m, nil
	}, msgs)
}

// resumeFrom is resumeAppended for n new messages, each read by read in
// listing order. With msgs, which it fills with what the replay emits
// for them, every outcome is kept in plan.resumed; without (a check
// that held no new mail: appendedFlood), only those of the messages the
// tail held and those pairing changed, and for each other new message
// the digest of what it paired (plan.resumedSame), which the replay
// reads again as the check read it.
func (a *App) resumeFrom(ctx context.Context, cache *store.Cache, plan *replayPlan, tail *ppap.Tail,
	pc ppap.Config, opts scan.Options, n int, read func(i int) (model.Message, error), msgs []model.Message) bool {
	entries, count := plan.entries, plan.snap.Count
	if tail.Len() != count {
		return false
	}
	// Each message the tail held must be listed once: its outcome then
	// replaces the one replayed for it, by ID.
	held := map[model.MessageID]bool{} // listed yet
	for _, p := range tail.Held() {
		held[entries.id(p)] = false
	}
	for i := range count {
		id := entries.id(i)
		if seen, ok := held[id]; ok {
			if seen {
				return false
			}
			held[id] = true
		}
	}
	readOpts := scan.Options{Cache: cache, Encoded: opts.Encoded}
	readBack := func(p int) (model.Message, error) {
		if err := ctx.Err(); err != nil {
			return model.Message{}, err
		}
		e := entries.at(p)
		m := scan.AnalyseListed(ctx, a.src, plan.an, readOpts, e)
		if m.ID != e.ID {
			return model.Message{}, errReplay
		}
		return m, nil
	}
	out := make(map[model.MessageID]model.Message, len(held)+len(msgs))
	var same map[model.MessageID]string
	if msgs == nil {
		same = make(map[model.MessageID]string, n)
	}
	twice, broken := false, false
	watch := watchForgets(&pc)
	st, err := ppap.ResumeStream(ctx, pc, a.src.Open, func(m model.Message) error {
		// A held message no pairing noted comes out as it was read
		// back: encoded, its head alone decoded under ScanRows. A row
		// made of that head (newRowReplay) had no verdict, no
		// attachment and no authentication, which any operator could
		// release (the security review's finding): the outcomes are
		// whole, or the error they are.
		_, inOut := out[m.ID]
		_, inSame := same[m.ID]
		twice = twice || inOut || inSame
		if same != nil && plan.appended[m.ID] && !ppap.ChangedByPairing(&m) {
			// As it came: read again whole, as the check read it, when
			// it is emitted (the head holds its SHA-256), so not decoded
			// here too.
			same[m.ID] = m.SHA256
			return nil
		}
		if err := m.Materialize(); err != nil {
			m, broken = scan.ErrorMessage(m.ID, m.Size, err), true
		}
		out[m.ID] = m
		return nil
	}, tail, readBack)
	if err != nil {
		return false
	}
	st.TrackInfluence() // for the table of a snapshot of the whole listing (recordExtended)
	written := 0
	for i := range n {
		m, err := read(i)
		if err != nil || st.Write(m) != nil {
			break
		}
		written++
	}
	var next *ppap.Tail
	if written == n {
		// Where a snapshot of the whole listing would resume (ErrNoTail
		// leaves it none, and an emit failure shows at Close).
		next, _ = st.Tail()
	}
	if err := errors.Join(st.Close(), ctx.Err()); err != nil || written != n || twice || len(out)+len(same) != len(held)+n {
		// Cancelled, a pairing cut short by it, or not each message once:
		// nothing of it is emitted.
		return false
	}
	if tail.Inexact() && st.Influence().LateZip {
		// A ZIP mail dated more than two windows back, paired from a
		// tail whose index is the one before messages were taken out:
		// pairing the whole listing may find it other candidates (the
		// security review).
		return false
	}
	for id := range held {
		if _, ok := out[id]; !ok {
			return false
		}
	}
	for i := range n {
		// Each new message came out (the security review: the counts
		// alone hold only while the stream emits nothing else).
		id := entries.id(count + i)
		_, inOut := out[id]
		if _, inSame := same[id]; !inOut && !inSame {
			return false
		}
	}
	for i := range msgs {
		m, ok := out[entries.id(count+i)]
		if !ok {
			return false
		}
		msgs[i] = m
	}
	plan.resumed, plan.resumedSame, plan.appendedMsgs, plan.resumedInfl = out, same, msgs, st.Influence()
	// An outcome that did not decode is shown as the error it is, and
	// not recorded as pairing's (recordExtended).
	plan.resumedTail, plan.resumeUnsure = next, watch.forgot.Load() || broken
	return true
}

// forgetWatch is the Results of a resumed stream: it hears of a pairing
// whose result was not remembered (ppap.Forgetter), after which the
// stream's outcome is not one to record (see snapshotKey).
type forgetWatch struct {
	ppap.Results
	forgot atomic.Bool
}

// Forgot implements ppap.Forgetter.
func (w *forgetWatch) Forgot() { w.forgot.Store(true) }

// watchForgets makes pc's Results a forgetWatch over them, and returns
// it: one that has forgotten already when pc remembers nothing.
func watchForgets(pc *ppap.Config) *forgetWatch {
	watch := &forgetWatch{Results: pc.Results}
	if pc.Results != nil {
		pc.Results = watch
	} else {
		watch.forgot.Store(true) // nothing remembered
	}
	return watch
}

// snapshotRowsTarget is target for a replay whose new mail was paired
// from the snapshot's tail: the console's list holds outcomes of the
// snapshot's messages that depend on the new mail, and the list kept,
// which a later scan hands out whether the new mail is still there or
// not, takes the snapshot's own rows of those (plan.snapRows, as the
// replay read them) instead.
func snapshotRowsTarget(target func(string, listedIDs) *rowsTarget, plan *replayPlan) func(string, listedIDs) *rowsTarget {
	return func(digest string, ids listedIDs) *rowsTarget {
		t := target(digest, ids)
		if t == nil {
			return nil
		}
		for id := range plan.resumed {
			if !plan.appended[id] && plan.snapRows[id] == nil {
				return nil // one the replay did not read: no list
			}
		}
		t.snapRows = plan.snapRows
		return t
	}
}

// keepListedRow records r, the snapshot's row of a message the new mail
// changed as the kept list gave it, for the list kept (snapRows).
func (plan *replayPlan) keepListedRow(r model.Row) { plan.keepRow(&r) }

// keepSnapshotRow records the row of m, a message of the snapshot's
// listing as the replay read it, for the list kept (snapRows): the row
// the console would make of it (listedRow).
func (plan *replayPlan) keepSnapshotRow(m model.Message) {
	if plan.snapBuild == nil {
		plan.snapBuild = model.NewRowBuilder() // one for them all: a builder's slab and text chunk are 100 KiB
	}
	_, r := listedRow(plan.snapBuild, m)
	plan.keepRow(r)
}

// keepRow records r in snapRows, unless the replay recorded a snapshot
// of the whole listing, whose list holds the new mail's outcomes.
func (plan *replayPlan) keepRow(r *model.Row) {
	if plan.recorded != "" {
		return
	}
	if plan.snapRows == nil {
		plan.snapRows = map[model.MessageID]*model.Row{}
	}
	plan.snapRows[r.ID()] = r
}
