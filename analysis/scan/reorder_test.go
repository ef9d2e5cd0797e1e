package scan

import (
	"math/rand/v2"
	"testing"
)

// TestReorderGivesBackInTurn: outcomes that come back in any order
// within the window are taken in listing order, each once, and nothing
// is taken ahead of its turn or kept after it.
func TestReorderGivesBackInTurn(t *testing.T) {
	const window, total = 8, 1000
	r := newReorder(window)
	rng := rand.New(rand.NewPCG(5, 6))
	next, listed := 0, 0
	var flight []int // listed, not yet back
	for next < total {
		for listed < total && listed-next < window { // a slot per job
			flight = append(flight, listed)
			listed++
		}
		k := rng.IntN(len(flight))
		seq := flight[k]
		flight = append(flight[:k], flight[k+1:]...)
		r.put(outcome{seq: seq})
		for {
			o, ok := r.take(next)
			if !ok {
				break
			}
			if o.seq != next {
				t.Fatalf("took %d for %d", o.seq, next)
			}
			if _, again := r.take(next); again {
				t.Fatalf("%d taken twice", next)
			}
			next++
		}
		if _, ok := r.take(next); ok {
			t.Fatalf("%d taken before it came back", next)
		}
	}
	for i := range r.held {
		if r.held[i] || r.ring[i].seq != 0 {
			t.Fatalf("slot %d still holds an outcome", i)
		}
	}
}

// TestReorderRefusesAnOverlap: an outcome a window or more ahead of one
// still held is a broken bound, not a silent overwrite.
func TestReorderRefusesAnOverlap(t *testing.T) {
	r := newReorder(4)
	r.put(outcome{seq: 1})
	defer func() {
		if recover() == nil {
			t.Fatal("an outcome a window ahead replaced one still held")
		}
	}()
	r.put(outcome{seq: 5})
}
