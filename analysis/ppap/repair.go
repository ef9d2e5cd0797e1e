package ppap

import (
	"context"
	"errors"
	"fmt"
	"slices"
	"time"

	"mxaudit/model"
)

// A Repair pairs again, after messages were taken out of a listing, only
// what taking them out may have changed. A release of a ZIP mail or of
// its password mail, what PPAP triage does, takes out messages with
// influence (Influence), after which pairing the whole listing again
// took 56 s at a million messages.
//
// A ZIP mail's outcome is a function of its candidates (resultKey):
// the messages of its From domain (sameSender) listed before the
// message that closes its window (settleClosed), inside the window; its
// pins, and so the notes its pairing adds, are a function of the same.
// Taking out a message with influence changes the candidates of ZIP
// mails of its own domain, or, when it closed the window of one, of
// that one's domain. So the messages of every other domain come out as
// they did, and those of the domains concerned come out as a Stream
// written only them, in listing order, emits them, provided it closes
// each window where the whole listing does: the Repair writes, besides
// them, the message that closes the window of each of their ZIP mails
// (Influence.closers), stripped to its date; for a ZIP mail whose
// closer was taken out, every message after that one, so stripped,
// until one closes it.
//
// That holds for a listing whose outcome does not depend on places
// (Influence.Positional: no undated mail beside a ZIP mail, and no ZIP
// mail dated two windows before an earlier message, so that pruning
// drops no candidate). TestRepairMatchesWholePairing pairs both ways.
//
// The Tail keeps the listing's latest date even when the message that
// set it is taken out: the Tail is inexact (Tail.Inexact), and a
// stream resumed from it, which prunes and tells late ZIP mails by
// that date, then drops only entries no ZIP mail but a late one may
// pair with, and a late one makes its outcome refused; the Influence
// then names no place for the latest date (Without lets go of the
// next latest one).
type Repair struct {
	x       *Influence
	removed []int
	// domains are the From domains paired again, hashed (domainHash).
	domains map[uint32]bool
	// closers are the places, in the listing without the messages taken
	// out, of the messages that close those domains' ZIP mails' windows,
	// and reopened, by such a place, the places of the ZIP mails whose
	// closer, taken out, was listed just before it: from there on every
	// message is written until each of them is closed (waiting).
	closers  map[int]bool
	reopened map[int][]int
	waiting  []time.Time // the dates of those ZIP mails, once reached
	// dates holds the dates of those ZIP mails as they are written, by
	// place; waitAll is set should one not have been (none may then
	// close: every message is written from there on).
	dates   map[int]time.Time
	waitAll bool
	window  time.Duration

	stream *Stream
	// places is the place, in the listing without the messages taken
	// out, of each message written to the stream, in order.
	places []int
	// stripped names the messages written stripped to their date,
	// whose outcomes are not the Repair's to give.
	stripped map[model.MessageID]bool
}

// ErrNoRepair is an Influence that does not allow a Repair: its listing's
// outcome depends on places, or it was recorded without domains.
var ErrNoRepair = errors.New("ppap: the listing cannot be paired again in part")

// Repair returns the Repair of x's listing with the messages at removed
// (ascending places) taken out, influential or not.
func (x *Influence) Repair(removed []int) (*Repair, error) {
	if err := checkRemoved(removed, x.n); err != nil {
		return nil, err
	}
	if x.Positional() || !x.hasDomains() {
		return nil, ErrNoRepair
	}
	r := &Repair{x: x, removed: removed, domains: map[uint32]bool{}, closers: map[int]bool{},
		reopened: map[int][]int{}, dates: map[int]time.Time{}, stripped: map[model.MessageID]bool{}}
	for _, p := range removed {
		if x.Influential(p) {
			r.domains[x.domains[p]] = true
		}
	}
	for z, c := range x.closers {
		if _, gone := slices.BinarySearch(removed, c); gone {
			r.domains[x.domains[z]] = true
		}
	}
	for z, c := range x.closers {
		qz, goneZ := placeAfter(removed, z)
		if goneZ || !r.repairs(z) {
			continue
		}
		qc, goneC := placeAfter(removed, c)
		if goneC {
			r.reopened[qc] = append(r.reopened[qc], qz) // the place after it, whatever it is
			r.dates[qz] = time.Time{}                   // noted when written
		} else {
			r.closers[qc] = true
		}
	}
	return r, nil
}

// Len is the number of messages of the listing without those taken out.
func (r *Repair) Len() int { return r.x.n - len(r.removed) }

// before is the place in the listing before of the message at place q
// in the listing without the messages taken out.
func (r *Repair) before(q int) int {
	// The removed places at or before the answer are those whose own
	// place, moved up past the ones before them (removed[m]-m), is at
	// most q.
	lo, hi := 0, len(r.removed)
	for lo < hi {
		m := (lo + hi) / 2
		if r.removed[m]-m <= q {
			lo = m + 1
		} else {
			hi = m
		}
	}
	return q + lo
}

// Repairs returns how many messages of the listing without those taken
// out the Repair pairs again (Repaired): what it costs, besides the
// closers it writes stripped to their dates. A Repair pairs again every
// message of each domain concerned, however far from the messages taken
// out, one message after another; past some share of the listing,
// pairing it whole, on every worker, costs less.
//
// It counts the messages of the domains paired again only: the closers
// written stripped, and the messages after a closer taken out until a
// window closes, are read too, so it is a lower bound of what a Repair
// reads (by at most about twice, and usually far less).
func (r *Repair) Repairs() int {
	n, next := 0, 0
	for p := range r.x.n {
		if next < len(r.removed) && r.removed[next] == p {
			next++
			continue
		}
		if r.repairs(p) {
			n++
		}
	}
	return n
}

// Repaired reports whether the outcome of the message at place (of the
// listing without those taken out) is the Repair's: its domain is paired
// again, and its Stream emits it.
func (r *Repair) Repaired(place int) bool { return r.repairs(r.before(place)) }

// repairs reports whether the Repair pairs the domain of the message at
// place in the listing before again.
func (r *Repair) repairs(before int) bool { return r.domains[r.x.domains[before]] }

// Wants reports whether the message at place must be written to the
// Repair. It is asked of every place of the listing without the messages
// taken out, in ascending order, each once, and each message it wants
// is written (Write) before the next place is asked.
func (r *Repair) Wants(place int) bool {
	for _, z := range r.reopened[place] {
		date := r.dates[z]
		if date.IsZero() {
			r.waitAll = true // not written, or undated: nothing tells when it closes
		}
		r.waiting = append(r.waiting, date)
	}
	return r.Repaired(place) || r.closers[place] || len(r.waiting) > 0 || r.waitAll
}

// Start makes the Stream that pairs the domains again, as NewStream
// does: emit is given each message Repaired says is the Repair's, once.
func (r *Repair) Start(ctx context.Context, cfg Config, open Opener, emit func(model.Message) error) {
	r.stream = NewStream(ctx, cfg, open, func(m model.Message) error {
		if r.stripped[m.ID] {
			delete(r.stripped, m.ID) // emitted at its Write: never held
			return nil
		}
		return emit(m)
	})
	r.window = r.stream.window
	r.stream.TrackInfluence()
}

// Write writes m, the message at place (Wants).
func (r *Repair) Write(place int, m model.Message) error {
	date := m.Date
	if _, noted := r.dates[place]; noted {
		r.dates[place] = date
	}
	if !r.Repaired(place) {
		// It only closes windows: nothing of it is read, and no
		// pairing may take it for a candidate (no From domain).
		id := model.MessageID(fmt.Sprintf("\x00closer %d", place)) // no listed ID holds a NUL
		r.stripped[id] = true
		m = model.Message{ID: id, Date: date}
	}
	r.places = append(r.places, place)
	if err := r.stream.Write(m); err != nil {
		return err
	}
	// The ZIP mails whose closer was taken out, closed by m as the
	// Stream closes them (waiting.closedBy).
	r.waiting = slices.DeleteFunc(r.waiting, func(z time.Time) bool {
		return !date.IsZero() && date.Sub(z) > r.window
	})
	return nil
}

// Close closes the Stream: it emits the messages it still holds.
func (r *Repair) Close() error { return r.stream.Close() }

// Influence returns the Influence of the listing without the messages
// taken out, once every message the Repair wanted is written: x's, for
// the domains not paired again, joined with the Repair's Stream's.
func (r *Repair) Influence() *Influence {
	out := r.x.moved(r.removed, func(z int) bool { return !r.repairs(z) })
	in := r.stream.Influence()
	for i := range in.n {
		if in.Influential(i) {
			out.mark(r.places[i])
		}
	}
	for z, c := range in.closers {
		out.closers[r.places[z]] = r.places[c]
	}
	out.SawZip = out.SawZip || in.SawZip
	out.SawUndated = out.SawUndated || in.SawUndated
	out.LateZip = out.LateZip || in.LateZip
	return out
}

// Tail returns the Tail of the listing without the messages taken out,
// from old, the listing's: the messages of the domains not paired again
// as old holds them, and those of the domains paired again as the
// Repair's Stream holds them. It is called after the last Write and
// before Close, as Stream.Tail is; the Tail is inexact (Tail.Inexact).
func (r *Repair) Tail(old *Tail) (*Tail, error) {
	if old.seq != r.x.n {
		return nil, fmt.Errorf("%w: a tail of %d messages, not %d", ErrNoTail, old.seq, r.x.n)
	}
	in, err := r.stream.Tail()
	if err != nil {
		return nil, err
	}
	out := &Tail{seq: r.Len(), latest: old.latest, inexact: true, indexed: indexedWithout(old.indexed, r.removed)}
	for _, i := range in.indexed {
		out.indexed = append(out.indexed, r.places[i])
	}
	slices.Sort(out.indexed)
	out.indexed = slices.Compact(out.indexed)
	up := movedUp(r.removed)
	for _, h := range old.held {
		if r.repairs(h.seq) {
			continue // the Repair's
		}
		nh, err := h.movedBy(up)
		if err != nil {
			return nil, err
		}
		out.held = append(out.held, nh)
	}
	listed := func(i int) (int, error) { return r.places[i], nil }
	for _, h := range in.held {
		nh, _ := h.movedBy(listed) // never fails
		out.held = append(out.held, nh)
	}
	slices.SortFunc(out.held, func(a, b tailHeld) int { return a.seq - b.seq })
	return out, nil
}
