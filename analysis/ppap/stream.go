package ppap

import (
	"cmp"
	"context"
	"runtime"
	"slices"
	"time"

	"mxaudit/model"
)

// Stream pairs a scan's messages as they are emitted, in listing order
// (roughly time order: Maildir by delivery, IMAP by UID), and passes them
// on to emit. A message with an encrypted archive is held back until its
// window is closed: a later listed message is dated more than the window
// after it, or the listing ends. The later messages that may carry its
// password (same sender, inside the window, ranked among the few its
// pairing reads: see pins.go) are held with it so that they can be
// marked as the password mail; every other message passes straight
// through. An encoded message (model.Encoded) is decoded whole only
// when it may hold an encrypted archive or turns out to be a password
// mail; the others pass through encoded. Held messages are emitted as soon as they are settled, so the
// output order differs from the listing order for them.
//
// Pairings (reading candidate mails, deriving keys, decrypting, scanning)
// run on up to GOMAXPROCS goroutines beside the emitting one: a pairing
// owns its message until it reports back, and everything else — the
// index, the held messages, the notes on password mails — stays with the
// emitting goroutine.
//
// Memory: a small Ref per message of the last two windows, plus the held
// messages. A Stream is not safe for concurrent use: Write and Close
// belong to the scan's emitting goroutine.
type Stream struct {
	ctx    context.Context
	pairer *Pairer
	emit   func(model.Message) error
	window time.Duration

	seq int
	// senders indexes recent messages by sender (see senderIndex), so
	// that a pairing looks at the mail that may carry its password, not
	// at the whole window or the whole From domain.
	senders *senderIndex
	// heldByID finds held messages by ID (a pairing's password mails),
	// and waits indexes the held ZIP mails whose pairing has not started;
	// ready are the held messages settled since the last release.
	heldByID map[model.MessageID][]*heldMsg
	ready    []*heldMsg
	waits    *waiting
	latest   time.Time // the latest date seen
	// intern shares the strings that repeat across the index and the
	// held messages; it is replaced when it has grown past internMax
	// (see prune), so that strings no message uses any more are let go.
	intern  *model.Interner
	stats   Stats
	emitErr error

	// results receives finished pairings; inflight counts those started
	// and not yet received, at most maxInflight.
	results     chan pairResult
	inflight    int
	maxInflight int
	queue       []pairJob // pairings waiting for a goroutine

	// infl, when set (TrackInfluence), records which messages another's
	// outcome may depend on.
	infl *Influence
	// inexact: resumed from an inexact Tail (Tail.Inexact), whose own
	// Tail is then inexact too.
	inexact bool
}

// pairResult is a pairing finished off the emitting goroutine.
type pairResult struct {
	h       *heldMsg
	links   []Link
	read    []*Ref // the candidates its pairing may read (readable), when tracking influence
	n       int    // encrypted archives of the message
	elapsed time.Duration
}

// heldMsg is a message waiting for a pairing to settle.
type heldMsg struct {
	msg     model.Message
	ref     *Ref
	zip     bool // waits for its own pairing
	pairing bool // its pairing has started
	done    bool // its pairing has finished
	// notes are password links to add to this message once it is no
	// longer being paired (its pairing owns it meanwhile), with the
	// listing place of the ZIP mail each names.
	notes []note
	// pinned counts the unsettled ZIP mails it may hold the password of.
	pinned int
	// ready is set once it is settled and queued for release.
	ready bool
	// pins are the messages this ZIP mail pins, best first (see offerPin),
	// released when it settles; stems are its archives' file stems, for
	// ranking them.
	pins  []pin
	stems []string
}

// note is a password link to add to a held message, and the listing
// place of the ZIP mail it names: the links are added in listing order,
// not in the order the pairings finished, so that a scan's output is the
// same each time.
type note struct {
	seq  int
	link model.PasswordLink
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
	// Pairings wait on disk and on clamd as well as on the CPU: a few more
	// than the cores keep both busy.
	workers := 2 * runtime.GOMAXPROCS(0)
	return &Stream{ctx: ctx, pairer: p, emit: emit, window: p.cfg.Window, senders: newSenderIndex(),
		heldByID: map[model.MessageID][]*heldMsg{}, waits: newWaiting(), intern: &model.Interner{},
		results: make(chan pairResult, workers), maxInflight: workers}
}

// Write takes the next message of the listing. It returns emit's first
// error; after that every Write fails with it.
func (s *Stream) Write(m model.Message) error {
	if s.emitErr != nil {
		return s.emitErr
	}
	s.stats.Messages++
	s.collect(false)
	h := s.admit(m, s.seq)
	ref := h.ref
	s.seq++
	if s.infl != nil {
		s.infl.written(h, s.latest, s.window)
	}
	if h.msg.Date.After(s.latest) {
		s.latest = h.msg.Date
	}
	s.settleClosed(ref)
	if len(s.ready) > 0 {
		s.release()
	}
	s.waits.candidateOf(ref, s.window, func(z *heldMsg) {
		d := offerPin(z, h, s.pairer.cfg.MaxCandidateMails)
		if d != nil && d != h {
			s.markReady(d)
		}
	})
	s.senders.add(ref)
	s.prune()
	if !h.zip && h.pinned == 0 {
		return s.send(h.msg)
	}
	s.hold(h)
	return s.emitErr
}

// admit makes the Ref and the held form of m, listed at seq, as the
// Stream takes every message: it is not indexed or held yet.
func (s *Stream) admit(m model.Message, seq int) *heldMsg {
	// The text the analysis kept for pairing may hold a password: it goes
	// no further than this call, read into the Ref's candidates.
	text := m.PairingText
	m.PairingText = nil
	if ReadsWhole(m.Encoded) {
		// Pairing reads and changes its archives. Should it not decode,
		// it passes through unpaired: its archive stays encrypted.
		_ = m.Materialize()
	}
	ref := refOf(&m, seq, s.intern, s.pairer.cfg.Results != nil)
	// A mail the analysis found no password in can be no ZIP mail's
	// password mail: it is not pinned (offerPin), and not read back.
	ref.found = analysedCandidates(m.PasswordsInText, text, &s.pairer.cfg)
	h := &heldMsg{msg: m, ref: ref}
	if idx := encryptedArchives(&m); len(idx) > 0 {
		h.zip, h.stems = true, fileStems(&m, idx)
	}
	return h
}

// hold keeps h until it is settled, and a ZIP mail until its window
// closes.
func (s *Stream) hold(h *heldMsg) {
	// Held for a day's window: its repeated strings (the verdict's
	// reasons, the DMARC explanation, domains) shared with the others'.
	h.msg = s.intern.Message(h.msg)
	s.heldByID[h.ref.ID] = append(s.heldByID[h.ref.ID], h)
	if h.zip {
		s.waits.add(h)
	}
}

// Close settles every message still held (the listing has ended) and
// emits them. It returns emit's first error.
func (s *Stream) Close() error {
	if s.emitErr != nil {
		// Nothing more can be emitted: do not start pairings whose
		// results would be thrown away; wait only for those running.
		s.queue = nil
		for s.inflight > 0 {
			s.collect(true)
		}
		return s.emitErr
	}
	for _, h := range s.waits.all() {
		s.settle(h)
	}
	for s.inflight > 0 || len(s.queue) > 0 {
		s.collect(true)
	}
	s.release()
	return s.emitErr
}

// Stats returns the counts so far.
func (s *Stream) Stats() Stats { return s.stats }

// settleClosed starts the pairing of every held ZIP mail whose window the
// new message closes.
func (s *Stream) settleClosed(next *Ref) {
	closed := s.waits.closedBy(next, s.window)
	if len(closed) > 0 && s.infl != nil {
		s.infl.mark(next.Seq)
		for _, h := range closed {
			s.infl.closers[h.ref.Seq] = next.Seq
		}
	}
	for _, h := range closed {
		s.settle(h)
	}
}

// settle queues the pairing of one held ZIP mail, with its candidates as
// they stand now, and starts what the free goroutines allow. It never
// waits, so that the scan's workers keep going while pairings run.
func (s *Stream) settle(h *heldMsg) {
	h.pairing = true
	if s.infl != nil {
		// Its pins as they stand: the best of its candidates that hold a
		// password, which its pairing notes.
		for _, p := range h.pins {
			s.infl.mark(p.h.ref.Seq)
		}
	}
	s.queue = append(s.queue, pairJob{h: h, cands: s.senders.candidates(h.ref, s.window)})
	s.dispatch()
}

// pairJob is a pairing waiting for a goroutine.
type pairJob struct {
	h     *heldMsg
	cands []*Ref
}

// dispatch starts queued pairings while fewer than maxInflight run.
func (s *Stream) dispatch() {
	for len(s.queue) > 0 && s.inflight < s.maxInflight {
		j := s.queue[0]
		s.queue = s.queue[1:]
		s.inflight++
		track := s.infl != nil
		go func() {
			n := len(encryptedArchives(&j.h.msg))
			start := time.Now()
			// Ranked once: the pairing reads them in this order, and
			// the influence marks those it read.
			ranked := s.pairer.readable(j.h.ref, j.cands, j.h.stems)
			links := s.pairer.pairRemembered(s.ctx, &j.h.msg, j.h.ref, j.cands, ranked)
			var read []*Ref
			if track {
				read = s.pairer.readBy(&j.h.msg, ranked)
			}
			s.results <- pairResult{h: j.h, links: links, read: read, n: n, elapsed: time.Since(start)}
		}()
	}
}

// collect applies finished pairings: all that are ready, or, with wait,
// at least one. It does not emit (the caller may be iterating the held
// messages); what is settled is queued in ready for release.
func (s *Stream) collect(wait bool) {
	for s.inflight > 0 {
		var r pairResult
		if wait {
			r = <-s.results
			wait = false
		} else {
			select {
			case r = <-s.results:
			default:
				return
			}
		}
		s.inflight--
		s.finish(r)
		if s.emitErr == nil {
			s.dispatch()
		}
	}
}

// finish records a finished pairing: the counts, the notes on its
// password mails, and the pins it held.
func (s *Stream) finish(r pairResult) {
	h := r.h
	h.done = true
	s.markReady(h)
	for _, c := range r.read {
		s.infl.mark(c.Seq)
	}
	if r.n > 0 {
		s.stats.Encrypted += r.n
		s.stats.Opened += len(r.links)
		s.stats.PairTimes = append(s.stats.PairTimes, r.elapsed/time.Duration(r.n))
	}
	for _, l := range r.links {
		for _, o := range s.heldByID[l.PasswordMail] {
			if o == h || pins(h, o) {
				o.notes = append(o.notes, note{h.ref.Seq, l.PasswordLink})
			}
		}
	}
	for _, p := range h.pins {
		p.h.pinned--
		s.markReady(p.h)
	}
	h.pins = nil
}

// markReady queues h for release once it is settled: its own pairing
// done, if it has one, and no ZIP mail still pairing may name it as its
// password mail.
func (s *Stream) markReady(h *heldMsg) {
	if h.ready || (h.zip && !h.done) || h.pinned > 0 {
		return
	}
	h.ready = true
	s.ready = append(s.ready, h)
}

// release emits the held messages that are settled, in listing order.
func (s *Stream) release() {
	slices.SortFunc(s.ready, func(a, b *heldMsg) int { return a.ref.Seq - b.ref.Seq })
	for _, h := range s.ready {
		s.forget(h)
		if len(h.notes) > 0 && h.msg.Materialize() == nil {
			slices.SortFunc(h.notes, func(a, b note) int {
				return cmp.Or(cmp.Compare(a.seq, b.seq), cmp.Compare(a.link.Attachment, b.link.Attachment))
			})
			for _, n := range h.notes {
				NotePasswordMail(&h.msg, n.link)
			}
		}
		_ = s.send(h.msg)
		h.msg = model.Message{} // emitted: whatever still points to h must not keep it
	}
	clear(s.ready)
	s.ready = s.ready[:0]
}

// forget drops a released message from heldByID.
func (s *Stream) forget(h *heldMsg) {
	id := h.ref.ID
	list := slices.DeleteFunc(s.heldByID[id], func(o *heldMsg) bool { return o == h })
	if len(list) == 0 {
		delete(s.heldByID, id)
	} else {
		s.heldByID[id] = list
	}
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
	if s.senders.n < 1024 || s.seq%256 != 0 {
		return
	}
	// A ZIP mail still waiting for its pairing is dated at most a window
	// before the latest date, unless that date was listed before it: any
	// message listed after it and dated more than a window later closes
	// its window. Then two windows before the latest date keep every
	// candidate it may have (dated at or after it: inWindow), and the
	// slack for ZIP mails still to come. A latest date more than a window
	// after a waiting ZIP mail was listed before it: a listing out of
	// order, or one message with a forged future Date, which must not
	// make the index drop the password mails of the others (that ZIP
	// mail's, or those of one listed late and dated before it). The
	// cut-off then follows the oldest waiting ZIP mail instead, two
	// windows before it. (It always did, which kept a third window in
	// the usual case.)
	cut := s.latest.Add(-2 * s.window)
	if d := s.waits.earliestDate(); !d.IsZero() && s.latest.Sub(d) > s.window {
		cut = d.Add(-2 * s.window)
	}
	// An undated mail listed after a dated ZIP mail that still waits is
	// its candidate by listing distance (inWindow), however long it
	// waits: only those listed before the first such ZIP mail may go.
	// (Pruned by their listing age alone, once every 256 messages, such a
	// candidate was there or not by where the listing ended, as a
	// security review found: one more message listed could open an
	// archive, or shut one.)
	keepAfter := s.seq
	if h := s.waits.datedBySeq.front(); h != nil {
		keepAfter = h.ref.Seq
	}
	s.senders.pruneStale(cut, s.seq, zeroDateSpan, keepAfter)
	if s.intern.Len() > internMax {
		s.intern = &model.Interner{}
	}
}

// internMax bounds the strings the Stream's interner holds: a few
// thousand senders, recipients and phrasings cover a busy quarantine's
// two windows; past that they are mostly one-off subjects.
const internMax = 1 << 14
