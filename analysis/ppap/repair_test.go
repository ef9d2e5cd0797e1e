package ppap

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"maps"
	"math/rand/v2"
	"reflect"
	"slices"
	"testing"

	"mxaudit/model"
)

// repairTally counts what checkRepairs tried.
type repairTally struct {
	repaired, refused int
	// changed counts the repairs after which another message came out
	// otherwise than before: the ones the check can fail on.
	changed int
	// tails counts the repairs whose Tail was compared, resumed those
	// resumed with new mail, and resumeRefused those whose new mail met
	// a late ZIP mail; latestGone counts the repairs that took out the
	// message with the latest date.
	tails, resumed, resumeRefused, latestGone int
}

// pairedWhole pairs list through a tracked Stream and returns what it
// emitted, its Tail (nil for ErrNoTail) and its Influence.
func pairedWhole(t *testing.T, an analyzer, cfg Config, list []listed) (map[model.MessageID]model.Message, *Tail, *Influence) {
	t.Helper()
	st, out, _ := writeTracked(t, an, cfg, list)
	tail, _ := tailThenClose(t, st)
	return out, tail, st.Influence()
}

// repairRun takes removed out of list, whose whole pairing's Influence
// is x and Tail is tail, through a Repair, and returns what it emitted,
// the Tail it gave (nil when tail is nil) and its Influence; an error
// when the Influence refuses it.
func repairRun(t *testing.T, an analyzer, cfg Config, list []listed, x *Influence, tail *Tail, removed []int) (
	map[model.MessageID]model.Message, *Tail, *Influence, error) {
	t.Helper()
	r, err := x.Repair(removed)
	if err != nil {
		return nil, nil, nil, err
	}
	repaired := 0
	for q := range r.Len() {
		if r.Repaired(q) {
			repaired++
		}
	}
	if r.Repairs() != repaired {
		t.Fatalf("Repairs() = %d, but %d places are Repaired", r.Repairs(), repaired)
	}
	ctx := context.Background()
	kept := without(list, removed)
	src := memSource{}
	for _, l := range kept {
		src[model.MessageID(l.id)] = rawMail(l.m)
	}
	got := map[model.MessageID]model.Message{}
	r.Start(ctx, cfg, src.open, func(m model.Message) error {
		if _, twice := got[m.ID]; twice {
			t.Fatalf("the repair emitted %s twice", m.ID)
		}
		got[m.ID] = m
		return nil
	})
	for q, l := range kept {
		if !r.Wants(q) {
			continue
		}
		id := model.MessageID(l.id)
		if err := r.Write(q, an.Analyze(ctx, id, bytes.NewReader(src[id]))); err != nil {
			t.Fatal(err)
		}
	}
	var next *Tail
	if tail != nil {
		if next, err = r.Tail(tail); err != nil && !errors.Is(err, ErrNoTail) {
			t.Fatal(err)
		}
	}
	if err := r.Close(); err != nil {
		t.Fatal(err)
	}
	for q, l := range kept {
		if _, ok := got[model.MessageID(l.id)]; ok != r.Repaired(q) {
			t.Fatalf("message %s: emitted %v, repaired %v", l.id, ok, r.Repaired(q))
		}
	}
	return got, next, r.Influence(), nil
}

// checkRepairs pairs list whole, then takes out of it, through a
// Repair, each of a few influential messages, then random sets of any
// messages; every message must come out as pairing the listing without
// them emits it (the Repair's own or, for the others, as before), the
// Tail must hold what that pairing's holds, and the Influence must mark
// every place that pairing's marks, with the same closers.
func checkRepairs(t *testing.T, rng *rand.Rand, an analyzer, cfg Config, mix shortMix, list []listed, tally *repairTally) {
	t.Helper()
	before, tail, x := pairedWhole(t, an, cfg, list)
	var sets [][]int
	var bound []int
	for p := range list {
		if x.Influential(p) {
			bound = append(bound, p)
		}
	}
	for _, k := range rng.Perm(len(bound))[:min(3, len(bound))] {
		sets = append(sets, []int{bound[k]})
	}
	for range 3 {
		var set []int
		for p := range list {
			if rng.IntN(4) == 0 {
				set = append(set, p)
			}
		}
		if len(set) > 0 && len(set) < len(list) {
			sets = append(sets, set)
		}
	}
	for _, removed := range sets {
		got, gotTail, gotX, err := repairRun(t, an, cfg, list, x, tail, removed)
		if err != nil {
			if !errors.Is(err, ErrNoRepair) {
				t.Fatal(err)
			}
			tally.refused++
			continue
		}
		tally.repaired++
		kept := without(list, removed)
		want, wantTail, wantX := pairedWhole(t, an, cfg, kept)
		changed := false
		for _, l := range kept {
			id := model.MessageID(l.id)
			out, ok := got[id]
			if !ok {
				out = before[id]
			}
			if !reflect.DeepEqual(out, want[id]) {
				t.Fatalf("without %v, %s comes out\n%+v\nnot\n%+v", removed, id, out, want[id])
			}
			changed = changed || !reflect.DeepEqual(before[id], want[id])
		}
		if changed {
			tally.changed++
		}
		_, latestGone := slices.BinarySearch(removed, x.latest)
		for p := range wantX.Len() {
			// The latest date's message, taken out, leaves the Tail
			// its date, which no message of the listing sets then.
			if wantX.Influential(p) && !gotX.Influential(p) && !(latestGone && p == wantX.latest) {
				t.Fatalf("without %v, place %d has influence, which the repair's Influence lost", removed, p)
			}
		}
		wantLatest := wantX.latest
		if latestGone {
			wantLatest = -1 // the Tail keeps the date; the Influence names no place
			tally.latestGone++
		}
		if !maps.Equal(gotX.closers, wantX.closers) || !slices.Equal(gotX.domains, wantX.domains) || gotX.latest != wantLatest {
			t.Fatalf("without %v, the closers %v, latest %d; pairing gives %v, %d", removed, gotX.closers, gotX.latest, wantX.closers, wantLatest)
		}
		if gotTail == nil || wantTail == nil {
			continue
		}
		tally.tails++
		if !reflect.DeepEqual(gotTail.held, wantTail.held) || gotTail.seq != wantTail.seq || !gotTail.latest.Equal(tail.latest) || !gotTail.inexact {
			t.Fatalf("without %v, the tail holds\n%+v\nnot\n%+v", removed, *gotTail, *wantTail)
		}
		for _, p := range wantTail.indexed {
			if _, ok := slices.BinarySearch(gotTail.indexed, p); !ok {
				t.Fatalf("without %v, the tail does not index place %d", removed, p)
			}
		}
		checkRepairedTail(t, rng, an, cfg, mix, kept, gotTail, gotX, tally)
	}
}

// checkRepairedTail resumes a Stream from tail, the Tail a Repair gave
// of the listing kept, with new mail drawn after it, and fails the test
// when a message comes out otherwise than pairing the whole listing
// emits it, unless the resumed stream met a late ZIP mail (refused
// after an inexact Tail, as ui/app does); the Influence joined must let
// go of no message whose removal changes another.
func checkRepairedTail(t *testing.T, rng *rand.Rand, an analyzer, cfg Config, mix shortMix, kept []listed, tail *Tail, x *Influence, tally *repairTally) {
	t.Helper()
	more := mix.listing(rng, fmt.Sprintf("new%d-", tally.tails), 4)
	if tally.tails%2 == 0 {
		for i := range more {
			more[i].m.zip, more[i].m.zipName = nil, "" // password mails, decoys and chat for the ZIP mails held
		}
	}
	now := append(slices.Clone(kept), more...)
	st, out, _ := resumeWritten(t, an, cfg, now, tail, len(kept), len(now), func(st *Stream) { st.TrackInfluence() })
	if err := st.Close(); err != nil {
		t.Fatal(err)
	}
	if st.Influence().LateZip {
		tally.resumeRefused++
		return
	}
	whole, _, _ := influenceRun(t, an, cfg, now)
	for id, m := range out {
		if !reflect.DeepEqual(m, whole[id]) {
			t.Fatalf("%s comes out of the stream resumed from a repaired tail otherwise", id)
		}
	}
	tally.resumed++
	if _, err := x.Extended(st.Influence()); err != nil {
		t.Fatal(err)
	}
}

// TestRepairMatchesWholePairing pairs short random listings of a few
// domains' ZIP mails, password mails, decoys and chat, takes messages
// out, influential ones among them, and pairs again only what a Repair
// pairs: the outcome must be the one pairing the whole listing as it is
// now gives.
func TestRepairMatchesWholePairing(t *testing.T) {
	cfg, an, mix := shortSetup(t)
	mix.senders = append(mix.senders, "news@list.example", "ops@sakura.example")
	mix.undatedOneIn = 1 << 30
	rng := rand.New(rand.NewPCG(31, 18))
	var tally repairTally
	for trial := range 60 {
		c := cfg
		if trial%2 == 1 {
			c.MaxCandidateMails = 1
		}
		checkRepairs(t, rng, an, c, mix, mix.listing(rng, fmt.Sprintf("t%d", trial), 16), &tally)
	}
	t.Logf("%+v", tally)
	if tally.repaired < 150 || tally.changed < 40 || tally.tails < 40 || tally.resumed < 40 || tally.latestGone < 10 {
		t.Fatalf("the listings tested too little: %+v", tally)
	}
}

// TestRepairRefuses: a listing whose outcome depends on places, or an
// Influence without domains, is not repaired.
func TestRepairRefuses(t *testing.T) {
	x := &Influence{n: 3, domains: []uint32{1, 2, 3}, latest: 2, closers: map[int]int{}}
	if _, err := x.Repair([]int{1}); err != nil {
		t.Fatal(err)
	}
	x.SawZip, x.SawUndated = true, true
	if _, err := x.Repair([]int{1}); !errors.Is(err, ErrNoRepair) {
		t.Fatalf("positional: %v", err)
	}
	if _, err := (&Influence{n: 2, latest: -1}).Repair([]int{1}); !errors.Is(err, ErrNoRepair) {
		t.Fatalf("no domains: %v", err)
	}
}

// TestRepairWhilePruning is TestRepairMatchesWholePairing over a
// listing long enough for the sender index to prune: the Repair's
// Stream, written part of the listing, prunes at other places.
func TestRepairWhilePruning(t *testing.T) {
	if testing.Short() {
		t.Skip("pairs a long listing a few times over")
	}
	cfg, an, mix := shortSetup(t)
	rng := rand.New(rand.NewPCG(32, 18))
	var tally repairTally
	list := longListing(rng, mix, "long", 3000, 12)
	checkRepairs(t, rng, an, cfg, mix, list, &tally)
	t.Logf("%+v", tally)
	if tally.repaired < 3 || tally.changed == 0 {
		t.Fatalf("the long listing tested too little: %+v", tally)
	}
}
