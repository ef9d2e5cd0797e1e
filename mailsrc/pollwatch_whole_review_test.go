package mailsrc

// The tests of this file came from a review of the watch by hashes
// (pollwatch_whole.go): the whole watch against a copy of the map-based
// watch it replaced, over random scripts of listings.

import (
	"context"
	"errors"
	"fmt"
	"maps"
	"math/rand/v2"
	"slices"
	"testing"
	"time"

	"mxaudit/model"
)

// scriptSource serves one scripted listing a call (names, then maybe an
// error after a prefix of them), from one reused, scrubbed buffer.
type scriptSource struct {
	lists [][]string
	errAt []int // -1: no error; else fail after that many names
	n     int
}

var errScript = errors.New("scripted failure")

func (s *scriptSource) listIDBytes(ctx context.Context, fn func([]byte) error) error {
	i := s.n
	s.n++
	buf := make([]byte, 0, 64)
	for k, name := range s.lists[i] {
		if s.errAt[i] == k {
			return errScript
		}
		buf = append(buf[:0], name...)
		if err := fn(buf); err != nil {
			return err
		}
		clear(buf[:cap(buf)])
	}
	if s.errAt[i] >= len(s.lists[i]) {
		return errScript
	}
	return nil
}

// refWatch is a12ba24's WatchFrom loop body for a whole source, with maps.
// listed, when set, is what a fingerprint (Known.Listed) was made of:
// while untaken, a listing of exactly those names, each once, in any
// order, is the same, and one that is not takes untaken in.
type refWatch struct {
	held    map[model.MessageID]int64
	untaken []model.MessageID
	listed  []string
	src     *scriptSource
}

func (r *refWatch) list() (map[model.MessageID]int64, error) {
	out := map[model.MessageID]int64{}
	err := r.src.listIDBytes(context.Background(), func(b []byte) error { out[model.MessageID(b)] = 0; return nil })
	return out, err
}

func (r *refWatch) poll(fn func(Change)) (bool, error) {
	if r.untaken != nil && r.listed != nil {
		var names []string
		err := r.src.listIDBytes(context.Background(), func(b []byte) error { names = append(names, string(b)); return nil })
		switch {
		case err != nil:
			return false, err
		case slices.Equal(slices.Sorted(slices.Values(names)), slices.Sorted(slices.Values(r.listed))):
			return true, nil
		}
		r.listed = nil
	}
	if r.untaken != nil {
		r.held = map[model.MessageID]int64{}
		for _, id := range r.untaken {
			r.held[id] = 0
		}
		r.untaken = nil
	}
	first, err := r.list()
	switch {
	case err != nil:
		return false, err
	case r.held != nil && sameIDs(r.held, first):
		return true, nil
	case r.held == nil:
		r.held = first
		reportAdded(slices.Collect(maps.Keys(first)), fn)
		return true, nil
	}
	last, err := r.list()
	if err != nil {
		return false, err
	}
	r.held = reportSized(r.held, first, last, "test", fn) // the sized watch's, with every size 0
	return sameIDs(r.held, last), nil
}

// TestWholeWatchAgreesWithTheMapWatch drives the new wholeWatch.poll and the old
// algorithm through the same random listings (duplicates, partial
// failures in the first or second listing, known nil / empty / lazy,
// lazy with the fingerprint of the known IDs or of another set).
func TestWholeWatchAgreesWithTheMapWatch(t *testing.T) {
	universe := []string{"a", "b", "c", "d", "e", "f", "g", "h"}
	for seed := range uint64(3000) {
		r := rand.New(rand.NewPCG(seed, 1))
		s := &scriptSource{}
		for range 40 {
			var l []string
			for _, n := range universe[:r.IntN(4)*len(universe)/3] { // empty a quarter of the time
				if r.IntN(3) > 0 {
					l = append(l, n)
					if r.IntN(8) == 0 {
						l = append(l, n) // read twice
					}
				}
			}
			r.Shuffle(len(l), func(i, j int) { l[i], l[j] = l[j], l[i] })
			e := -1
			if r.IntN(6) == 0 {
				e = r.IntN(len(l) + 1)
			}
			s.lists, s.errAt = append(s.lists, l), append(s.errAt, e)
		}
		s2 := &scriptSource{lists: s.lists, errAt: s.errAt}
		ref := &refWatch{src: s2}
		w := &wholeWatch{src: s}
		var known []model.MessageID
		switch r.IntN(4) {
		case 0: // nil: Watch
		case 1:
			known = []model.MessageID{}
		default:
			for _, n := range universe[:r.IntN(len(universe))] {
				known = append(known, model.MessageID(n))
			}
		}
		lazy := r.IntN(2) == 0
		if known != nil {
			if lazy {
				ref.untaken, w.untaken = known, slices.Values(known)
				switch r.IntN(3) {
				case 0: // none: a stamp
				case 1: // the scan's own
					ref.listed = idStrings(known)
				default: // of another set, maybe with a name twice
					ref.listed = slices.Clone(universe[:r.IntN(len(universe))])
					if len(ref.listed) > 0 && r.IntN(2) == 0 {
						ref.listed = append(ref.listed, ref.listed[0])
					}
				}
				if ref.listed != nil {
					var sum IDSetSum
					for _, n := range ref.listed {
						sum.Add(model.MessageID(n))
					}
					w.listed = &sum
				}
			} else {
				ref.held = map[model.MessageID]int64{}
				for _, id := range known {
					ref.held[id] = 0
				}
				w.held, w.holds = heldOf(slices.Values(known)), true
			}
		}
		for step := 0; s.n < len(s.lists)-1 && s2.n < len(s.lists)-1; step++ {
			var got, want []string
			gs, gerr := w.poll(context.Background(), 0, "test", func(c Change) { got = append(got, fmt.Sprint(c.Kind, c.IDs)) })
			ws, werr := ref.poll(func(c Change) { want = append(want, fmt.Sprint(c.Kind, c.IDs)) })
			if gs != ws || (gerr == nil) != (werr == nil) || !slices.Equal(got, want) || s.n != s2.n {
				t.Fatalf("seed %d step %d: new (%v %v %v) old (%v %v %v)", seed, step, gs, gerr, got, ws, werr, want)
			}
		}
	}
}

// TestReportWholeLetsRemovedIDsGo: the array reportWhole filters in place
// holds no removed message's ID past the returned length.
func TestReportWholeLetsRemovedIDsGo(t *testing.T) {
	known := heldOf(slices.Values(idsOf("a", "b", "c", "d")))
	first := listNames(t, known, "a")
	second := listNames(t, known, "a")
	held := reportWhole(known, first, second, "test", func(Change) {})
	if len(held) != 1 {
		t.Fatalf("held %v", held)
	}
	var stale []model.MessageID
	for _, e := range known[len(held):] {
		if e.id != "" && e.id != held[0].id {
			stale = append(stale, e.id)
		}
	}
	if len(stale) > 0 {
		t.Errorf("the held set's array still references removed IDs %v", stale)
	}
}

// TestSumOfIDAllocatesNothing: a name is hashed from the directory's
// buffer as it is, a million times a listing.
func TestSumOfIDAllocatesNothing(t *testing.T) {
	b := []byte("1700000000.M123456P7890Q12.mx1.example.org")
	if n := testing.AllocsPerRun(1000, func() { _ = sumOfID(b) }); n != 0 {
		t.Errorf("sumOfID([]byte) allocates %v", n)
	}
}

// TestWholeWatchCancelledWhileSettling: a cancelled settle reports nothing
// and leaves the held set as it was.
func TestWholeWatchCancelledWhileSettling(t *testing.T) {
	w := &wholeWatch{src: namesSource{"a", "b"}, held: heldOf(slices.Values(idsOf("a"))), holds: true}
	ctx, cancel := context.WithCancel(context.Background())
	cancel()
	var changes []Change
	same, err := w.poll(ctx, time.Hour, "test", func(c Change) { changes = append(changes, c) })
	if !errors.Is(err, context.Canceled) || same || changes != nil || len(w.held) != 1 || w.held[0].id != "a" {
		t.Fatalf("same %v err %v changes %v held %v", same, err, changes, w.held)
	}
}

func idStrings(ids []model.MessageID) []string {
	out := make([]string, len(ids))
	for i, id := range ids {
		out[i] = string(id)
	}
	return out
}
