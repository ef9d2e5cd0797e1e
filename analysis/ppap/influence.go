package ppap

import (
	"maps"
	"time"
)

// Influence records, for each message a Stream was written, whether
// taking it out of the listing could change what the Stream emits for
// any other message: a release or a delete takes messages out of a
// quarantine, and a later scan that knows none of the ones taken out
// had influence may keep every other message's outcome (ui/app's
// replay of a snapshot after removals) instead of pairing again.
//
// A Stream decides what it emits for a message from its ZIP mail's
// candidates (IsCandidate: the same sender, inside its window) as they
// stand when its window closes, and from nothing else of the listing
// (resultKey); of those, the pairing reads the best, in order, until
// every archive is open (Pairer.readable). So a message has influence
// when it:
//   - holds an encrypted archive (a ZIP mail: pairing changes it, and it
//     notes its password mails);
//   - is a candidate mail a pairing read (Pairer.readBy): without it,
//     the pairing reads the next one; or one a ZIP mail pinned when its
//     window closed, which its pairing may note (offerPin);
//   - closed a ZIP mail's window (Stream.settleClosed): without it the
//     window stays open to candidates listed after it;
//   - set the latest date a Tail records: the pruning of a stream
//     resumed from it follows that date.
//
// The rest of what decides a pairing lies between messages, not in one,
// and is recorded for the whole listing (Positional):
//   - an undated message pairs, and closes windows, by listing distance
//     (inWindow, zeroDateSpan): taking out any message between a ZIP mail
//     and it moves it, so with a ZIP mail and an undated message in one
//     listing, no message may be taken out (SawZip, SawUndated);
//   - the sender index drops entries dated more than two windows before
//     the latest date (Stream.prune), at places that shift with every
//     message taken out; none of them is a candidate of a ZIP mail
//     dated no earlier than that (inWindow), so a ZIP mail listed after
//     a message dated more than two windows after it (LateZip) makes the
//     pruning part of the outcome.
//
// Removals are checked against the listing as a whole: when Positional
// is false and every message taken out has no influence, a Stream
// written the listing without them emits every other message as it
// did (TestRemovingWithoutInfluence). The first listing's Influence is
// what decides; a listing with messages taken out has less.
type Influence struct {
	bits []uint64 // by listing place
	n    int      // places recorded: the listing's length
	// SawZip: a message held an encrypted archive; SawUndated: one was
	// undated; LateZip: a ZIP mail was dated more than two windows
	// before a message listed before it.
	SawZip, SawUndated, LateZip bool
	// domains holds each place's From domain, hashed (domainHash): a ZIP
	// mail's candidates share its domain (sameSender), so that a Repair
	// pairs again only the domains the messages taken out influenced.
	// Places a resumed Stream did not write are 0 until Extended.
	domains []uint32
	// closers maps the place of a ZIP mail to that of the message that
	// closed its window (settleClosed); a ZIP mail the listing's end
	// closed has none.
	closers map[int]int
	// latest is the place of the message that set the latest date, -1
	// for none.
	latest int
}

// domainHash is the hash of a From domain as a Ref holds it (FNV-1a).
// Two domains with one hash are paired again together, which costs
// time only.
func domainHash(domain string) uint32 {
	h := uint32(2166136261)
	for i := range len(domain) {
		h ^= uint32(domain[i])
		h *= 16777619
	}
	return h
}

// Len is the number of messages the listing had.
func (x *Influence) Len() int { return x.n }

// Influential reports whether taking out the message listed at place
// could change another message's outcome.
func (x *Influence) Influential(place int) bool {
	i := place / 64
	return i < len(x.bits) && x.bits[i]&(1<<(place%64)) != 0
}

// Positional reports whether the listing's outcome depends on its places
// (see Influence): then no message may be taken out of it.
func (x *Influence) Positional() bool {
	return x.LateZip || x.SawZip && x.SawUndated
}

// mark records that the message at place has influence.
func (x *Influence) mark(place int) {
	for place/64 >= len(x.bits) {
		x.bits = append(x.bits, 0)
	}
	x.bits[place/64] |= 1 << (place % 64)
}

// TrackInfluence makes the Stream record the Influence of the messages
// written to it from now on: call it before the first Write. A resumed
// Stream (ResumeStream) records the places it is written and those of
// the listing before that it reads as candidates; the caller joins them
// with the earlier listing's.
func (s *Stream) TrackInfluence() {
	// latest: the place of the message that set the Stream's latest
	// date, none listed since the Stream began (or resumed).
	s.infl = &Influence{closers: map[int]int{}, latest: -1}
}

// Influence returns what the Stream recorded (TrackInfluence), once its
// listing is written; nil when it tracked none.
func (s *Stream) Influence() *Influence {
	if s.infl == nil {
		return nil
	}
	out := *s.infl
	out.bits = append([]uint64(nil), out.bits...)
	out.domains = append([]uint32(nil), out.domains...)
	out.closers = maps.Clone(out.closers)
	out.n = s.seq
	if out.latest >= 0 {
		out.mark(out.latest)
	}
	return &out
}

// written notes h, listed at its place, before the Stream's latest date
// takes its date: whether it holds an archive, is undated, or is a ZIP
// mail dated more than two windows before the latest date so far.
func (x *Influence) written(h *heldMsg, latest time.Time, window time.Duration) {
	for len(x.domains) < h.ref.Seq {
		x.domains = append(x.domains, 0) // before a resumed stream's first place
	}
	x.domains = append(x.domains, domainHash(h.ref.FromDomain))
	date := h.ref.Date
	if date.IsZero() {
		x.SawUndated = true
	} else if date.After(latest) {
		x.latest = h.ref.Seq
	}
	if !h.zip {
		return
	}
	x.SawZip = true
	x.mark(h.ref.Seq)
	if !date.IsZero() && date.Before(latest.Add(-2*window)) {
		x.LateZip = true
	}
}
