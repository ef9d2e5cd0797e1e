package ppap

import (
	"fmt"
	"math/rand/v2"
	"reflect"
	"testing"
)

// TestTailOfAResumedStream: a stream resumed from the Tail taken at one
// place and written the mail up to a later one is then in the state of
// a stream written the whole listing up to there (stateOf), and its own
// Tail is that stream's: a scan that records a snapshot from a resumed
// stream (ui/app's recordExtended) can be resumed from again, as often
// as mail comes. Short random listings (those of TestResumedAtEveryPlace)
// are cut at every pair of places.
func TestTailOfAResumedStream(t *testing.T) {
	cfg, an, mix := shortSetup(t)
	rng := rand.New(rand.NewPCG(27, 54))
	chained, heldAny := 0, false
	for trial := range 12 {
		list := mix.listing(rng, fmt.Sprintf("c%d", trial), 12)
		for first := 1; first < len(list); first++ {
			_, tail, _ := streamTail(t, an, cfg, list[:first])
			if tail == nil {
				continue // ErrNoTail: no stream to resume
			}
			for second := first + 1; second <= len(list); second++ {
				_, whole, wholeState := streamTail(t, an, cfg, list[:second])
				next, state := resumedTail(t, an, cfg, list, tail, first, second)
				if whole == nil {
					if next != nil {
						t.Fatalf("trial %d, %d then %d: the resumed stream gave a tail where the whole one had none", trial, first, second)
					}
					continue
				}
				if state != wholeState {
					t.Fatalf("trial %d, %d then %d: resumed and written to\n%s\nnot as the whole listing's stream:\n%s", trial, first, second, state, wholeState)
				}
				if next == nil || !reflect.DeepEqual(next.Held(), whole.Held()) || next.Len() != whole.Len() ||
					!reflect.DeepEqual(next.held, whole.held) || !reflect.DeepEqual(next.indexed, whole.indexed) || !next.latest.Equal(whole.latest) {
					t.Fatalf("trial %d, %d then %d: the resumed stream's tail\n%+v\nis not the whole listing's\n%+v", trial, first, second, next, whole)
				}
				chained++
				heldAny = heldAny || len(next.held) > 0
			}
		}
	}
	if chained == 0 || !heldAny {
		t.Fatalf("%d chained tails, one holding a message %v: the test shows less than it says", chained, heldAny)
	}
}

// resumedTail resumes a Stream with cfg from tail (taken at from),
// writes list[from:to], and returns its Tail (nil for ErrNoTail) and
// its state (stateOf) once written.
func resumedTail(t *testing.T, an analyzer, cfg Config, list []listed, tail *Tail, from, to int) (*Tail, string) {
	t.Helper()
	st, _, _ := resumeWritten(t, an, cfg, list, tail, from, to, nil)
	return tailThenClose(t, st)
}
