package model

import (
	"math/rand/v2"
	"slices"
	"strings"
	"testing"
)

// TestLCPSorterIsStringsCompare sorts random texts over a small alphabet
// with NUL bytes, many equal and many sharing long beginnings, past a
// random number of shared bytes, both ways, and checks the order against
// a stable sort by strings.Compare and every LCP against the texts.
func TestLCPSorterIsStringsCompare(t *testing.T) {
	r := rand.New(rand.NewPCG(7, 11))
	for round := range 300 {
		past := r.IntN(12)
		prefix := strings.Repeat("p", past)
		n := 1 + r.IntN(300)
		text := make([]string, n)
		for i := range text {
			var b strings.Builder
			b.WriteString(prefix)
			if r.IntN(3) == 0 {
				b.WriteString(strings.Repeat("x", r.IntN(40)))
			}
			for range r.IntN(6) {
				b.WriteByte("\x00ab"[r.IntN(3)])
			}
			text[i] = b.String()
		}
		for _, desc := range []bool{false, true} {
			idx := make([]int32, n)
			for i := range idx {
				idx[i] = int32(i)
			}
			want := slices.Clone(idx)
			slices.SortStableFunc(want, func(a, b int32) int {
				c := strings.Compare(text[a], text[b])
				if desc {
					c = -c
				}
				return c
			})
			lcp := make([]int32, n)
			s := lcpSorter{text: text, past: past, desc: desc, tmp: make([]int32, n/2+1), tmpLCP: make([]int32, n/2+1)}
			s.sort(idx, lcp)
			if !slices.Equal(idx, want) {
				t.Fatalf("round %d, %d texts past %d, descending %v: order differs from strings.Compare's", round, n, past, desc)
			}
			for x := 1; x < n; x++ {
				a, b := text[idx[x-1]][past:], text[idx[x]][past:]
				if got, want := int(lcp[x]), commonPrefixLen(a, b); got != want {
					t.Fatalf("round %d: LCP at %d is %d, the texts share %d", round, x, got, want)
				}
			}
		}
	}
}

// TestSortJobNULTails runs jobs over texts sharing a long beginning and
// then differing only by NUL tails, some ending before the depth the
// comparisons start at, both ways, as a sender can make them.
func TestSortJobNULTails(t *testing.T) {
	shared := strings.Repeat("x", 200)
	var texts []string
	for k := range 40 {
		texts = append(texts, shared+strings.Repeat("\x00", k), shared[:150+k]+strings.Repeat("\x00", k%3))
	}
	r := rand.New(rand.NewPCG(2, 5))
	for _, n := range []int{smallTextRun, smallTextRun + 1, 1000} {
		sortJobTextTies(t, r, texts, n)
	}
}
