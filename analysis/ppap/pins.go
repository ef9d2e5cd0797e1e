package ppap

import "slices"

// A held ZIP mail pins the messages that may turn out to hold its
// password: they are held with it so that the pairing's note ("password
// for …") can be added before they are emitted. Pair reads only the
// MaxCandidateMails best-ranked candidates, and a candidate can only fall
// in the ranking as more arrive, never rise; so a ZIP mail pins only its
// current best few, and lets go of one as soon as a better candidate
// pushes it out. Holding every same-sender mail of the window instead
// held thousands of whole messages at once in a busy quarantine.
//
// A mail whose text the analysis searched and found no password in
// (Ref.holdsNoPassword: the text it kept, or what a cached result records
// of it) is not pinned at all: no pairing can note it. Pair still ranks it
// (a result cached by a scan without PPAP records no search, and a scan
// of such results must pair as a fresh one does), so its best few may
// hold fewer mails that may be noted than the pins do; each of those is
// still pinned, since no more of its kind rank before it there than among
// the pins. That holds for the candidates
// offered to the ZIP mail, those listed after it: one listed before it
// but dated after it, which Pair may also credit, went out before the
// ZIP mail came, as it did before mails without a password were let go,
// or, held by another ZIP mail's pin, is not noted either (see pins).
// Most of a sender's mail holds no password: in a generated quarantine of
// 20,000 messages, pinning it held 16,294 messages at some point and up
// to 4,265 at once, where the rest are 3,842 and 1,369.

// pin is one candidate a ZIP mail pins, with its rank score.
type pin struct {
	h     *heldMsg
	score int
}

// offerPin considers c, a new candidate of the waiting ZIP mail z, for
// z's best max candidates, in Pair's ranking (rankCandidates: score,
// then date, then listing order). It reports the candidate that has lost
// its place, if any, which is no longer pinned by z (c itself when it
// did not make it, or holds no password).
func offerPin(z, c *heldMsg, max int) (dropped *heldMsg) {
	if c.ref.holdsNoPassword() {
		return c // no pairing can note it
	}
	p := pin{h: c, score: score(z.ref, c.ref, z.stems)}
	at := len(z.pins)
	for at > 0 && ranksBefore(p, z.pins[at-1]) {
		at--
	}
	if at >= max {
		return c
	}
	c.pinned++
	z.pins = append(z.pins, pin{})
	copy(z.pins[at+1:], z.pins[at:])
	z.pins[at] = p
	if len(z.pins) <= max {
		return nil
	}
	last := z.pins[len(z.pins)-1]
	z.pins[len(z.pins)-1] = pin{}
	z.pins = z.pins[:len(z.pins)-1]
	last.h.pinned--
	return last.h
}

// ranksBefore is rankCandidates' order: a higher score, then an earlier
// date, then an earlier listing.
func ranksBefore(a, b pin) bool {
	if a.score != b.score {
		return a.score > b.score
	}
	if c := a.h.ref.Date.Compare(b.h.ref.Date); c != 0 {
		return c < 0
	}
	return a.h.ref.Seq < b.h.ref.Seq
}

// pins reports whether the ZIP mail z pins c. A pairing notes only the
// messages its ZIP mail pins (and the ZIP mail itself): those are held
// until the pairing has finished, whatever else runs. Another held
// message — one listed before the ZIP mail and dated after it, which its
// pairing may credit but never pins, held by another ZIP mail's pin —
// goes out when that pin lets go, before or after this pairing ends:
// noted whenever it was still held, its "password for" depended on which
// of two pairings ended first (TestPasswordForIndependentOfPairingOrder).
func pins(z, c *heldMsg) bool {
	return slices.ContainsFunc(z.pins, func(p pin) bool { return p.h == c })
}
