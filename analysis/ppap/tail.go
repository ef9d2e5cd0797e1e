package ppap

import (
	"context"
	"errors"
	"fmt"
	"slices"
	"time"

	"mxaudit/model"
)

// A Tail is what a Stream holds when its listing has been written and
// every pairing started has finished, so that a later scan can go on
// from there with mail listed after it (ResumeStream) rather than pair
// the whole listing again: a Maildir lists new mail last, and a ZIP mail
// or a password mail arriving is what pairing is for.
//
// What a Stream emits is final: a message goes out once its own pairing
// is done and no waiting ZIP mail pins it, and from then on no message
// written later can change it (a pairing notes only the messages its ZIP
// mail pins). Everything a later message can change, or be paired with,
// is in the Stream's state: the messages still held (the ZIP mails
// waiting for their window to close, with the candidates they pin, and
// the notes of the pairings already done on those), the sender index of
// the last windows, the listing place and the latest date. A Tail is
// that state by listing places, which the messages are read back from
// (from an analysis cache) to resume; the Stream's decisions depend on
// nothing else (its interner and counts are bookkeeping).
//
// A Tail is taken only where every held message can be read back as it
// was written: a ZIP mail whose pairing is done but is held because
// another ZIP mail pins it was changed by its pairing, and is not
// (Stream.Tail then reports ErrNoTail).
type Tail struct {
	seq     int       // the place of the next message listed
	latest  time.Time // the latest date seen
	indexed []int     // the places of the sender index's live entries, ascending
	held    []tailHeld
	// inexact: see Inexact.
	inexact bool
}

// Inexact reports whether the Tail is that of a listing with messages
// taken out (Without, Repair.Tail), or of a stream resumed from one. It
// keeps the latest date of the listing before, which no message may
// have any longer (that only makes more ZIP mails late), and its sender
// index is the one the first listing's stream pruned, at places that
// moved, so that a stream of the listing as it is now may hold other
// entries dated more than two windows before its latest date. Those are
// candidates of no ZIP mail but one dated before them, more than two
// windows before a message listed earlier (Influence.LateZip): a stream
// resumed from an inexact Tail pairs as pairing the whole listing does
// until such a ZIP mail comes, and its outcome is not to be taken after
// one.
func (t *Tail) Inexact() bool { return t.inexact }

// tailHeld is a held message: its place, whether it is a ZIP mail
// waiting for its pairing (with the places of the candidates it pins,
// best first), and the notes of pairings done so far, in the order
// they were added.
type tailHeld struct {
	seq   int
	zip   bool
	pins  []int
	notes []note
}

// ErrNoTail is a Stream whose state a Tail cannot give (see Tail).
var ErrNoTail = errors.New("ppap: the stream's state cannot be resumed")

// Len is the number of messages the listing had when the Tail was taken.
func (t *Tail) Len() int { return t.seq }

// Held returns the places of the messages the Stream still held: a
// stream resumed from t emits each of them again, with whatever the mail
// listed since changed, in place of what the Tail's own stream emitted
// for them at its Close. Every other message of the listing went out as
// it will stay.
func (t *Tail) Held() []int {
	out := make([]int, len(t.held))
	for i, h := range t.held {
		out[i] = h.seq
	}
	return out
}

// Places returns, ascending, every place a resumed stream reads back:
// the held messages and the sender index's entries.
func (t *Tail) Places() []int {
	out := append(slices.Clone(t.indexed), t.Held()...)
	slices.Sort(out)
	return slices.Compact(out)
}

// Tail waits for the pairings started, emits what they settled, and
// returns the Stream's state, to resume it later with more mail
// (ResumeStream). It is called after the last Write, and the Stream is
// then closed as ever: Close emits the messages still held, as it would
// have without Tail. The error is emit's, or ErrNoTail.
func (s *Stream) Tail() (*Tail, error) {
	for s.emitErr == nil && (s.inflight > 0 || len(s.queue) > 0) {
		s.collect(true)
	}
	s.release()
	if s.emitErr != nil {
		return nil, s.emitErr
	}
	t := &Tail{seq: s.seq, latest: s.latest, inexact: s.inexact}
	for _, r := range s.senders.byDate {
		t.indexed = append(t.indexed, r.Seq)
	}
	for _, r := range s.senders.undated {
		t.indexed = append(t.indexed, r.Seq)
	}
	slices.Sort(t.indexed)
	for _, list := range s.heldByID {
		for _, h := range list {
			if h.zip && h.pairing || !h.zip && h.pinned == 0 || h.ready {
				// Changed by its pairing (a ZIP mail another pins), or
				// not the state a held message has once pairings are done.
				return nil, ErrNoTail
			}
			th := tailHeld{seq: h.ref.Seq, zip: h.zip, notes: slices.Clone(h.notes)}
			for _, p := range h.pins {
				th.pins = append(th.pins, p.h.ref.Seq)
			}
			t.held = append(t.held, th)
		}
	}
	slices.SortFunc(t.held, func(a, b tailHeld) int { return a.seq - b.seq })
	return t, nil
}

// ResumeStream returns a Stream in the state t records, as though the
// listing t was taken from had been written to it: the next Write is the
// message listed at t.Len(). read gives the message listed at a place
// as the listing's scan wrote it (with the text the analysis kept for
// pairing); it is called once for each of t.Places(), in that order. A
// message read back that is not what t recorded (a ZIP mail that is no
// longer one, or one that now is) fails the resume: the listing is not
// the one t was taken from.
//
// The Stream emits, besides the messages written to it, the messages t
// held (Tail.Held), each once, by its Close at the latest.
func ResumeStream(ctx context.Context, cfg Config, open Opener, emit func(model.Message) error, t *Tail,
	read func(seq int) (model.Message, error)) (*Stream, error) {
	s := NewStream(ctx, cfg, open, emit)
	s.seq, s.latest, s.inexact = t.seq, t.latest, t.inexact
	held := make(map[int]*tailHeld, len(t.held))
	for i := range t.held {
		held[t.held[i].seq] = &t.held[i]
	}
	indexed := make(map[int]bool, len(t.indexed))
	for _, p := range t.indexed {
		indexed[p] = true
	}
	byPlace := make(map[int]*heldMsg, len(t.held))
	var waiting []*heldMsg
	for _, p := range t.Places() {
		m, err := read(p)
		if err != nil {
			return nil, fmt.Errorf("ppap: resuming at message %d: %w", p, err)
		}
		h := s.admit(m, p)
		if indexed[p] {
			s.senders.add(h.ref)
		}
		th := held[p]
		if th == nil {
			continue
		}
		if h.zip != th.zip {
			// A ZIP mail that is no longer one, or a password mail that
			// now is one: not the message the stream held.
			return nil, fmt.Errorf("%w: message %d (%s) is not what the stream held", ErrNoTail, p, m.ID)
		}
		h.notes = slices.Clone(th.notes)
		byPlace[p] = h
		if th.zip {
			waiting = append(waiting, h)
		}
	}
	for _, z := range waiting {
		for _, p := range held[z.ref.Seq].pins {
			c := byPlace[p]
			if c == nil || c == z {
				return nil, fmt.Errorf("%w: a pin of message %d is not held", ErrNoTail, z.ref.Seq)
			}
			z.pins = append(z.pins, pin{h: c, score: score(z.ref, c.ref, z.stems)})
			c.pinned++
		}
	}
	for _, p := range t.Held() {
		h := byPlace[p]
		if !h.zip && h.pinned == 0 {
			return nil, fmt.Errorf("%w: message %d is held by no ZIP mail", ErrNoTail, p)
		}
		s.hold(h)
	}
	return s, nil
}
