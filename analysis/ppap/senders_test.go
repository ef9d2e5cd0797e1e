package ppap

import (
	"fmt"
	"math/rand/v2"
	"slices"
	"testing"
	"time"
)

// TestSenderIndexFindsEveryCandidate checks the sender index against
// IsCandidate applied to every message of the ZIP mail's domain, on
// random listings: few domains, addresses and recipients, so that the
// address rule, the recipient rule and both at once all occur, with
// undated and out-of-order messages and pruning along the way.
func TestSenderIndexFindsEveryCandidate(t *testing.T) {
	const window = 24 * time.Hour
	base := time.Date(2026, 11, 16, 9, 0, 0, 0, time.UTC)
	for seed := range uint64(20) {
		t.Run(fmt.Sprint(seed), func(t *testing.T) {
			rng := rand.New(rand.NewPCG(seed, 11))
			x := newSenderIndex()
			var all []*Ref
			clock := base
			for seq := range 2000 {
				clock = clock.Add(time.Duration(rng.IntN(600)) * time.Second)
				r := randomSender(rng, seq, clock)
				switch rng.IntN(20) {
				case 0:
					r.Date = time.Time{}
				case 1:
					r.Date = clock.Add(-time.Duration(rng.IntN(48)) * time.Hour)
				}
				var want []*Ref
				for _, c := range all {
					if c.FromDomain == r.FromDomain && IsCandidate(r, c, window) {
						want = append(want, c)
					}
				}
				if got := x.candidates(r, window); !slices.Equal(got, want) {
					t.Fatalf("message %d: candidates %v, want %v", seq, refSeqs(got), refSeqs(want))
				}
				x.add(r)
				if r.FromDomain != "" {
					all = append(all, r)
				}
				if x.n != len(all) {
					t.Fatalf("message %d: %d counted, %d indexed", seq, x.n, len(all))
				}
				if seq%97 == 96 {
					// The Stream's rule, with a cut-off that moves back
					// and forth as a forged date can move it.
					cut := clock.Add(-time.Duration(rng.IntN(72)) * time.Hour)
					stale := func(c *Ref) bool {
						if c.Date.IsZero() {
							return seq+1-c.Seq > 200
						}
						return c.Date.Before(cut) && seq+1-c.Seq > 200
					}
					x.pruneStale(cut, seq+1, 200, seq+1) // no ZIP mail waits
					all = slices.DeleteFunc(all, stale)
					if x.n != len(all) {
						t.Fatalf("after pruning: %d counted, %d indexed", x.n, len(all))
					}
				}
			}
		})
	}
}

func refSeqs(rs []*Ref) []int {
	var out []int
	for _, r := range rs {
		out = append(out, r.Seq)
	}
	return out
}
