package ppap

import (
	"context"
	"slices"
	"time"

	"mxaudit/model"
)

// Stream pairs a scan's messages as they are emitted, in listing order
// (roughly time order: Maildir by delivery, IMAP by UID), and passes them
// on to emit. A message with an encrypted archive is held back until its
// window is closed: a later listed message is dated more than the window
// after it, or the listing ends. Messages that may carry its password
// (same sender, inside the window) are held with it so that they can be
// marked as the password mail; every other message passes straight
// through. Held messages are emitted as soon as they are settled, so the
// output order differs from the listing order for them.
//
// Memory: a small Ref per message of the last two windows, plus the held
// messages. A Stream is not safe for concurrent use: Write and Close
// belong to the scan's emitting goroutine.
type Stream struct {
	ctx    context.Context
	pairer *Pairer
	emit   func(model.Message) error
	window time.Duration

	seq     int
	index   []*Ref // recent messages, in listing order
	held    []*heldMsg
	latest  time.Time // the latest date seen
	stats   Stats
	emitErr error
}

// heldMsg is a message waiting for a pairing to settle.
type heldMsg struct {
	msg  model.Message
	ref  *Ref
	zip  bool // waits for its own pairing
	done bool // its pairing ran
	// pinned counts the unsettled ZIP mails it may hold the password of.
	pinned int
	// pins are the messages this ZIP mail pins, released when it settles.
	pins []*heldMsg
}

// Stats counts what a Stream did, for progress lines and measurements.
type Stats struct {
	Messages  int // messages written
	Encrypted int // encrypted archives met
	Opened    int // of which decrypted with a found password
	// PairTimes holds, per ZIP mail paired, the time spent pairing,
	// decrypting, inspecting and scanning it divided by its archive count.
	PairTimes []time.Duration
}

// NewStream returns a Stream that pairs with cfg, reads messages back
// through open and passes every message, once settled, to emit.
func NewStream(ctx context.Context, cfg Config, open Opener, emit func(model.Message) error) *Stream {
	p := NewPairer(cfg, open)
	return &Stream{ctx: ctx, pairer: p, emit: emit, window: p.cfg.Window}
}

// Write takes the next message of the listing. It returns emit's first
// error; after that every Write fails with it.
func (s *Stream) Write(m model.Message) error {
	if s.emitErr != nil {
		return s.emitErr
	}
	s.stats.Messages++
	ref := RefOf(&m, s.seq)
	s.seq++
	if m.Date.After(s.latest) {
		s.latest = m.Date
	}
	s.settleClosed(ref)

	h := &heldMsg{msg: m, ref: ref, zip: NeedsPairing(&m)}
	for _, z := range s.held {
		if z.zip && !z.done && IsCandidate(z.ref, ref, s.window) {
			h.pinned++
			z.pins = append(z.pins, h)
		}
	}
	s.index = append(s.index, ref)
	s.prune()
	if !h.zip && h.pinned == 0 {
		return s.send(m)
	}
	s.held = append(s.held, h)
	return s.emitErr
}

// Close settles every message still held (the listing has ended) and
// emits them. It returns emit's first error.
func (s *Stream) Close() error {
	for _, h := range s.held {
		if h.zip && !h.done {
			s.settle(h)
		}
	}
	s.release()
	return s.emitErr
}

// Stats returns the counts so far.
func (s *Stream) Stats() Stats { return s.stats }

// settleClosed pairs every held ZIP mail whose window the new message
// closes.
func (s *Stream) settleClosed(next *Ref) {
	any := false
	for _, h := range s.held {
		if !h.zip || h.done {
			continue
		}
		closed := false
		if h.ref.Date.IsZero() || next.Date.IsZero() {
			closed = next.Seq-h.ref.Seq > zeroDateSpan
		} else {
			closed = next.Date.Sub(h.ref.Date) > s.window
		}
		if closed {
			s.settle(h)
			any = true
		}
	}
	if any {
		s.release()
	}
}

// settle runs the pairing of one held ZIP mail and marks its password
// mails.
func (s *Stream) settle(h *heldMsg) {
	h.done = true
	var cands []*Ref
	for _, r := range s.index {
		if IsCandidate(h.ref, r, s.window) {
			cands = append(cands, r)
		}
	}
	n := len(encryptedArchives(&h.msg))
	start := time.Now()
	links := s.pairer.Pair(s.ctx, &h.msg, h.ref, cands)
	if n > 0 {
		s.stats.Encrypted += n
		s.stats.Opened += len(links)
		s.stats.PairTimes = append(s.stats.PairTimes, time.Since(start)/time.Duration(n))
	}
	for _, l := range links {
		for _, o := range s.held {
			if o.ref.ID == l.PasswordMail {
				NotePasswordMail(&o.msg, l.PasswordLink)
			}
		}
	}
	for _, p := range h.pins {
		p.pinned--
	}
	h.pins = nil
}

// release emits the held messages that are settled, in listing order.
func (s *Stream) release() {
	kept := s.held[:0]
	for _, h := range s.held {
		if (h.zip && !h.done) || h.pinned > 0 {
			kept = append(kept, h)
			continue
		}
		_ = s.send(h.msg)
	}
	clear(s.held[len(kept):])
	s.held = kept
}

func (s *Stream) send(m model.Message) error {
	if s.emitErr != nil {
		return s.emitErr
	}
	s.emitErr = s.emit(m)
	return s.emitErr
}

// prune drops index entries too old to pair with any message still to
// come: dated more than two windows before the latest date (the slack
// covers listings slightly out of time order), or, undated, listed more
// than zeroDateSpan ago.
func (s *Stream) prune() {
	if len(s.index) < 1024 || len(s.index)%256 != 0 {
		return
	}
	cut := s.latest.Add(-2 * s.window)
	s.index = slices.DeleteFunc(s.index, func(r *Ref) bool {
		if r.Date.IsZero() {
			return s.seq-r.Seq > zeroDateSpan
		}
		return r.Date.Before(cut) && s.seq-r.Seq > zeroDateSpan
	})
}
