package ppap

import (
	"fmt"
	"math/rand/v2"
	"slices"
	"testing"
	"time"

	"mxaudit/model"
)

// TestWaitingClosesLikeInWindow feeds random listings (dated and undated
// messages, out of time order, a far-future date) to the waiting index
// and checks, at every message, that it closes exactly the ZIP mails a
// walk over all of them with the window rule closes, in listing order.
func TestWaitingClosesLikeInWindow(t *testing.T) {
	const window = 24 * time.Hour
	base := time.Date(2026, 11, 16, 9, 0, 0, 0, time.UTC)
	for seed := range uint64(40) {
		t.Run(fmt.Sprint(seed), func(t *testing.T) {
			rng := rand.New(rand.NewPCG(seed, 7))
			w := newWaiting()
			var all []*heldMsg // the brute force's view: every waiting ZIP mail
			clock := base
			for seq := range 3000 {
				clock = clock.Add(time.Duration(rng.IntN(120)) * time.Second)
				r := &Ref{ID: model.MessageID(fmt.Sprint(seq)), Seq: seq, FromDomain: fmt.Sprint("d", rng.IntN(3))}
				switch rng.IntN(20) {
				case 0: // no date
				case 1: // out of order
					r.Date = clock.Add(-time.Duration(rng.IntN(48)) * time.Hour)
				case 2: // forged, far in the future
					r.Date = clock.Add(1000 * time.Hour)
				default:
					r.Date = clock
				}
				var want []*heldMsg
				for _, h := range all {
					if h.pairing {
						continue
					}
					closed := false
					if h.ref.Date.IsZero() || r.Date.IsZero() {
						closed = r.Seq-h.ref.Seq > zeroDateSpan
					} else {
						closed = r.Date.Sub(h.ref.Date) > window
					}
					if closed {
						want = append(want, h)
					}
				}
				got := w.closedBy(r, window)
				if !slices.Equal(got, want) {
					t.Fatalf("message %d (%v): closed %v, want %v", seq, r.Date, seqs(got), seqs(want))
				}
				for _, h := range got {
					h.pairing = true
				}
				if rng.IntN(4) == 0 {
					h := &heldMsg{ref: r, zip: true}
					w.add(h)
					all = append(all, h)
				}
				if d := w.earliestDate(); !d.Equal(earliestWaiting(all)) {
					t.Fatalf("message %d: earliest date %v, want %v", seq, d, earliestWaiting(all))
				}
			}
		})
	}
}

func seqs(hs []*heldMsg) []int {
	var out []int
	for _, h := range hs {
		out = append(out, h.ref.Seq)
	}
	return out
}

func earliestWaiting(all []*heldMsg) time.Time {
	var min time.Time
	for _, h := range all {
		if !h.pairing && !h.ref.Date.IsZero() && (min.IsZero() || h.ref.Date.Before(min)) {
			min = h.ref.Date
		}
	}
	return min
}

// pinsZipMail returns a waiting ZIP mail for the pins tests, and its date.
func pinsZipMail() (*heldMsg, time.Time) {
	base := time.Date(2026, 11, 16, 9, 0, 0, 0, time.UTC)
	zip := &heldMsg{ref: &Ref{ID: "zip", MessageID: threadHash("<z@p>"), FromAddr: "a@p.example", FromDomain: "p.example", Subject: "見積書", Date: base}, zip: true}
	zip.stems = []string{"見積書"}
	return zip, base
}

// TestPinsKeepTheBestRanked offers candidates in random order of arrival
// and checks that a ZIP mail pins exactly the max best by Pair's ranking
// (rankCandidates), and that the pin counts follow.
func TestPinsKeepTheBestRanked(t *testing.T) {
	zip, base := pinsZipMail()
	for seed := range uint64(20) {
		rng := rand.New(rand.NewPCG(seed, 11))
		zip.pins = nil
		var cands []*heldMsg
		for i := range 30 {
			r := &Ref{ID: model.MessageID(fmt.Sprint(i)), Seq: i + 1, FromDomain: "p.example",
				Date: base.Add(time.Duration(rng.IntN(600)) * time.Second)}
			if rng.IntN(3) == 0 {
				r.FromAddr = "a@p.example"
			}
			if rng.IntN(4) == 0 {
				r.PasswordSubject = true
			}
			if rng.IntN(5) == 0 {
				r.Thread = []uint64{threadHash("<z@p>")}
			}
			r.HasFiles = rng.IntN(2) == 0
			h := &heldMsg{ref: r}
			cands = append(cands, h)
			if d := offerPin(zip, h, 8); d != nil && d.pinned != 0 {
				t.Fatalf("seed %d: %s dropped but still pinned %d times", seed, d.ref.ID, d.pinned)
			}
		}
		var refs []*Ref
		for _, c := range cands {
			refs = append(refs, c.ref)
		}
		want := rankCandidates(zip.ref, refs, zip.stems)[:8]
		var got []*Ref
		for _, p := range zip.pins {
			got = append(got, p.h.ref)
		}
		if !slices.Equal(got, want) {
			t.Errorf("seed %d: pinned %v, want %v", seed, ids(got), ids(want))
		}
		for _, c := range cands {
			if in := slices.Contains(want, c.ref); (c.pinned == 1) != in || c.pinned > 1 {
				t.Errorf("seed %d: %s pinned %d times, among the best: %v", seed, c.ref.ID, c.pinned, in)
			}
		}
	}
}

func ids(rs []*Ref) []model.MessageID {
	var out []model.MessageID
	for _, r := range rs {
		out = append(out, r.ID)
	}
	return out
}

// TestWaitingForgetsSettled checks that the index does not keep ZIP mails
// whose pairing has started: an all-dated listing never pops the
// listing-order queue of dated mails by itself.
func TestWaitingForgetsSettled(t *testing.T) {
	w := newWaiting()
	base := time.Date(2026, 11, 16, 9, 0, 0, 0, time.UTC)
	for seq := range 100000 {
		r := &Ref{Seq: seq, FromDomain: "p.example", Date: base.Add(time.Duration(seq) * time.Minute)}
		for _, h := range w.closedBy(r, time.Hour) {
			h.pairing = true
		}
		w.add(&heldMsg{ref: r, zip: true})
	}
	if n := len(w.datedBySeq.items) + len(w.byDate); n > 2000 {
		t.Errorf("%d entries kept for the 61 ZIP mails still waiting", n)
	}
}

// TestWaitingFindsEveryZipMailOfACandidate checks candidateOf against
// IsCandidate applied to every waiting ZIP mail of the message's domain,
// on random listings with few domains, addresses and recipients (so that
// the address rule, the recipient rule and both at once occur), empty
// fields, out-of-order dates, and pairings starting along the way.
func TestWaitingFindsEveryZipMailOfACandidate(t *testing.T) {
	const window = 24 * time.Hour
	base := time.Date(2026, 11, 16, 9, 0, 0, 0, time.UTC)
	for seed := range uint64(20) {
		t.Run(fmt.Sprint(seed), func(t *testing.T) {
			rng := rand.New(rand.NewPCG(seed, 13))
			w := newWaiting()
			var all []*heldMsg
			clock := base
			for seq := range 1500 {
				clock = clock.Add(time.Duration(rng.IntN(600)) * time.Second)
				r := randomSender(rng, seq, clock)
				if rng.IntN(10) == 0 {
					r.Date = clock.Add(-time.Duration(rng.IntN(48)) * time.Hour)
				}
				var want []int
				for _, z := range all {
					if !z.pairing && z.ref.FromDomain == r.FromDomain && IsCandidate(z.ref, r, window) {
						want = append(want, z.ref.Seq)
					}
				}
				var got []int
				w.candidateOf(r, window, func(z *heldMsg) { got = append(got, z.ref.Seq) })
				slices.Sort(got)
				if !slices.Equal(got, want) {
					t.Fatalf("message %d: ZIP mails %v, want %v", seq, got, want)
				}
				if rng.IntN(4) == 0 {
					h := &heldMsg{ref: r, zip: true}
					w.add(h)
					all = append(all, h)
				}
				if len(all) > 0 && rng.IntN(3) == 0 {
					all[rng.IntN(len(all))].pairing = true
				}
			}
		})
	}
}

// TestWaitingSenderMapsStayBounded: ZIP mails to recipients no later
// message names leave the sender maps once their pairing has started,
// even though no lookup ever meets them.
func TestWaitingSenderMapsStayBounded(t *testing.T) {
	w := newWaiting()
	base := time.Date(2026, 11, 16, 9, 0, 0, 0, time.UTC)
	for i := range 20000 {
		r := &Ref{ID: model.MessageID(fmt.Sprint(i)), Seq: i, Date: base.Add(time.Duration(i) * time.Second),
			FromDomain: "p.example", FromAddr: fmt.Sprint("u", i, "@p.example"),
			Recipients: []string{fmt.Sprint("r", i, "@example.jp")}}
		h := &heldMsg{ref: r, zip: true}
		w.add(h)
		h.pairing = true // its pairing starts at once; no lookup follows
	}
	if n := len(w.byAddr) + len(w.byRcpt); n > 4096 {
		t.Errorf("%d keys left in the sender maps for 20,000 ZIP mails whose pairing started", n)
	}
}

// TestPinsPassOverMailWithoutPasswords offers candidates of which some
// hold no password (their text read, nothing found), some do and some
// are unknown (no text kept), and checks that a ZIP mail pins the best
// that may hold one, never one that holds none, and every mail of Pair's
// best few (rankCandidates over them all) that may hold one: the mails
// a pairing can note.
func TestPinsPassOverMailWithoutPasswords(t *testing.T) {
	zip, base := pinsZipMail()
	const best = 8
	for seed := range uint64(50) {
		rng := rand.New(rand.NewPCG(seed, 12))
		zip.pins = nil
		var cands []*heldMsg
		for i := range 40 {
			r := &Ref{ID: model.MessageID(fmt.Sprint(i)), Seq: i + 1, FromDomain: "p.example",
				Date: base.Add(time.Duration(rng.IntN(600)) * time.Second), FromAddr: "a@p.example",
				PasswordSubject: rng.IntN(4) == 0, HasFiles: rng.IntN(2) == 0}
			switch rng.IntN(3) {
			case 0:
				r.found = []Found{} // read: no password
			case 1:
				r.found = []Found{{Password: fmt.Sprint("pw-", i), Strength: Strong}}
			} // else unknown: the text was not kept
			h := &heldMsg{ref: r}
			cands = append(cands, h)
			d := offerPin(zip, h, best)
			if r.holdsNoPassword() && d != h {
				t.Fatalf("seed %d: %s holds no password and was pinned", seed, r.ID)
			}
			if d != nil && d.pinned != 0 {
				t.Fatalf("seed %d: %s dropped but still pinned %d times", seed, d.ref.ID, d.pinned)
			}
		}
		var all, mayHold []*Ref
		for _, c := range cands {
			all = append(all, c.ref)
			if !c.ref.holdsNoPassword() {
				mayHold = append(mayHold, c.ref)
			}
		}
		want := rankCandidates(zip.ref, mayHold, zip.stems)[:best]
		var got []*Ref
		for _, p := range zip.pins {
			got = append(got, p.h.ref)
		}
		if !slices.Equal(got, want) {
			t.Errorf("seed %d: pinned %v, want %v", seed, ids(got), ids(want))
		}
		for _, r := range rankCandidates(zip.ref, all, zip.stems)[:best] {
			if !r.holdsNoPassword() && !slices.Contains(got, r) {
				t.Errorf("seed %d: %s is among Pair's best and may hold a password, but is not pinned", seed, r.ID)
			}
		}
	}
}
