package ppap

import (
	"math/rand/v2"
	"testing"
)

// TestRepairsCountsRepaired: Repairs equals the count of Repaired places,
// for random Influences (few domains, so collisions with removed ones are
// frequent), removed sets including both ends, and Influences Extended
// from a resumed one whose earlier domains are 0.
func TestRepairsCountsRepaired(t *testing.T) {
	rng := rand.New(rand.NewPCG(1, 2))
	check := func(x *Influence, removed []int) {
		t.Helper()
		r, err := x.Repair(removed)
		if err != nil {
			t.Fatalf("Repair(%v): %v", removed, err)
		}
		want := 0
		for q := range r.Len() {
			if r.Repaired(q) {
				want++
			}
		}
		if got := r.Repairs(); got != want {
			t.Fatalf("n=%d removed=%v: Repairs()=%d, Repaired count=%d", x.n, removed, got, want)
		}
	}
	mk := func(n int) *Influence {
		x := &Influence{n: n, closers: map[int]int{}, latest: -1, domains: make([]uint32, n)}
		for p := range n {
			x.domains[p] = uint32(rng.IntN(4)) // 0 included
			if rng.IntN(3) == 0 {
				x.mark(p)
			}
		}
		for z := range n {
			if x.Influential(z) && z+1 < n && rng.IntN(2) == 0 {
				x.closers[z] = z + 1 + rng.IntN(n-z-1)
			}
		}
		return x
	}
	for range 2000 {
		n := 1 + rng.IntN(40)
		x := mk(n)
		var removed []int
		for p := range n {
			if rng.IntN(4) == 0 {
				removed = append(removed, p)
			}
		}
		check(x, removed)
		check(x, []int{0})
		check(x, []int{n - 1})
		if n > 1 {
			check(x, []int{0, n - 1})
		}
		all := make([]int, n)
		for i := range all {
			all[i] = i
		}
		check(x, all)
		check(x, nil)
		// Extended from a resumed stream: its domains before x.n are 0.
		m := n + rng.IntN(10)
		res := &Influence{n: m, closers: map[int]int{}, latest: -1, domains: make([]uint32, m)}
		for p := n; p < m; p++ {
			res.domains[p] = uint32(1 + rng.IntN(4))
			if rng.IntN(3) == 0 {
				res.mark(p)
			}
		}
		e, err := x.Extended(res)
		if err != nil {
			t.Fatal(err)
		}
		if !e.hasDomains() {
			t.Fatal("Extended lost the domains")
		}
		for p := range n {
			if e.domains[p] != x.domains[p] {
				t.Fatalf("Extended: domain %d is %d, want x's %d", p, e.domains[p], x.domains[p])
			}
		}
		removed = removed[:0]
		for p := range m {
			if rng.IntN(4) == 0 {
				removed = append(removed, p)
			}
		}
		check(e, removed)
		check(e, []int{m - 1})
	}
}
