package ppap

import (
	"bytes"
	"encoding/binary"
	"fmt"
	"math/rand/v2"
	"reflect"
	"slices"
	"testing"
)

// freePlaces draws a set of places x lets go of (none influential), in
// ascending order; nil when there is none or x is Positional.
func freePlaces(rng *rand.Rand, x *Influence) []int {
	if x.Positional() {
		return nil
	}
	var out []int
	for p := range x.Len() {
		if !x.Influential(p) && rng.IntN(3) == 0 {
			out = append(out, p)
		}
	}
	return out
}

// without is list with the places removed taken out.
func without(list []listed, removed []int) []listed {
	var out []listed
	for i, l := range list {
		if _, gone := placeAfter(removed, i); !gone {
			out = append(out, l)
		}
	}
	return out
}

// influenceTail pairs mails through a Stream that tracks its Influence
// and returns its Tail (nil for ErrNoTail) and Influence.
func influenceTail(t *testing.T, an analyzer, cfg Config, mails []listed) (*Tail, *Influence) {
	t.Helper()
	st, _, _ := writeTracked(t, an, cfg, mails)
	tail, _ := tailThenClose(t, st)
	return tail, st.Influence()
}

// TestTailWithout: the Tail of a listing, with messages the Influence
// lets go of taken out (Tail.Without), is the Tail of the listing
// without them; so is the Influence (Influence.Without), but for the
// places no longer influential.
func TestTailWithout(t *testing.T) {
	cfg, an, mix := shortSetup(t)
	mix.senders = append(mix.senders, "news@list.example")
	mix.undatedOneIn = 1 << 30
	rng := rand.New(rand.NewPCG(23, 18))
	tried := 0
	for trial := range 40 {
		list := mix.listing(rng, fmt.Sprintf("t%d", trial), 14)
		tail, x := influenceTail(t, an, cfg, list)
		removed := freePlaces(rng, x)
		if tail == nil || len(removed) == 0 {
			continue
		}
		tried++
		got, err := tail.Without(removed)
		if err != nil {
			t.Fatalf("trial %d: %v", trial, err)
		}
		want, wantX := influenceTail(t, an, cfg, without(list, removed))
		if want == nil {
			t.Fatalf("trial %d: the listing without %v gives no tail", trial, removed)
		}
		if !got.Inexact() {
			t.Fatalf("trial %d: a tail with messages taken out is not inexact", trial)
		}
		got.latest, want.latest, want.inexact = got.latest.UTC(), want.latest.UTC(), true
		if !reflect.DeepEqual(got, want) {
			t.Fatalf("trial %d: without %v the tail is\n%+v\nnot\n%+v", trial, removed, *got, *want)
		}
		gotX, err := x.Without(removed)
		if err != nil {
			t.Fatal(err)
		}
		for p := range wantX.Len() {
			if wantX.Influential(p) && !gotX.Influential(p) {
				t.Fatalf("trial %d: place %d has influence in the listing without %v, which Without lost", trial, p, removed)
			}
		}
	}
	if tried < 15 {
		t.Fatalf("only %d listings had a tail and messages to take out", tried)
	}
	if _, err := (&Influence{n: 3, bits: []uint64{2}}).Without([]int{1}); err == nil {
		t.Fatal("an influential message was taken out")
	}
}

// TestRemovedThenResumed is what a scan after a release and new mail
// does: the listing paired and its Tail taken, messages without
// influence taken out (Tail.Without), and a Stream resumed from there
// with the new mail. Every message must come out as pairing the listing
// as it is now emits it, and the Influence joined (Without, then
// Extended) must let go of no message whose removal from the listing as
// it is now changes another.
func TestRemovedThenResumed(t *testing.T) {
	cfg, an, mix := shortSetup(t)
	mix.senders = append(mix.senders, "news@list.example")
	mix.undatedOneIn = 1 << 30
	rng := rand.New(rand.NewPCG(24, 18))
	var tally removalTally
	resumed := 0
	for trial := range 40 {
		list := mix.listing(rng, fmt.Sprintf("t%d", trial), 16)
		cut := 10
		tail, x := influenceTail(t, an, cfg, list[:cut])
		removed := freePlaces(rng, x)
		if tail == nil || len(removed) == 0 {
			continue
		}
		tail, err := tail.Without(removed)
		if err != nil {
			t.Fatal(err)
		}
		x, err = x.Without(removed)
		if err != nil {
			t.Fatal(err)
		}
		now := append(without(list[:cut], removed), list[cut:]...)
		st, out, _ := resumeWritten(t, an, cfg, now, tail, cut-len(removed), len(now), func(st *Stream) { st.TrackInfluence() })
		if err := st.Close(); err != nil {
			t.Fatal(err)
		}
		whole, _, _ := influenceRun(t, an, cfg, now)
		for id, m := range out {
			if !reflect.DeepEqual(m, whole[id]) {
				t.Fatalf("trial %d: %s comes out of the resumed stream otherwise", trial, id)
			}
		}
		resumed++
		ext, err := x.Extended(st.Influence())
		if err != nil {
			t.Fatal(err)
		}
		checkRemovalsBy(t, rng, an, cfg, now, whole, ext, 3, 0, &tally)
	}
	if resumed < 15 || tally.allowed < 60 {
		t.Fatalf("resumed %d listings, allowed %d removals: too few", resumed, tally.allowed)
	}
}

// TestInfluencePacks: an Influence unpacks as it was packed, one of
// the first layout still unpacks (without domains), and a damaged one
// does not unpack.
func TestInfluencePacks(t *testing.T) {
	x := &Influence{n: 130, SawZip: true, LateZip: true, domains: make([]uint32, 130), closers: map[int]int{3: 9, 64: 129}, latest: 100}
	for _, p := range []int{0, 63, 64, 129} {
		x.mark(p)
	}
	for i := range x.domains {
		x.domains[i] = domainHash(fmt.Sprintf("d%d.example", i%7))
	}
	b, err := x.MarshalBinary()
	if err != nil {
		t.Fatal(err)
	}
	var back Influence
	if err := back.UnmarshalBinary(b); err != nil || !reflect.DeepEqual(&back, x) {
		t.Fatalf("unpacked as %+v (%v), not %+v", back, err, *x)
	}
	// The first layout: version, count, flags, the bits.
	v1 := append([]byte{1}, b[1:4]...)
	v1[3] &^= 8
	for _, w := range x.bits {
		v1 = binary.LittleEndian.AppendUint64(v1, w)
	}
	if err := back.UnmarshalBinary(v1); err != nil || back.hasDomains() || back.latest != -1 || !slices.Equal(back.bits, x.bits) {
		t.Fatalf("the first layout unpacked as %+v (%v)", back, err)
	}
	bitsAt := 5 // version, count (2 bytes), flags, latest
	past := bytes.Clone(b)
	past[bitsAt+8*2+7] |= 0x80 // place 191, past the listing's 130
	closerPast := bytes.Clone(b)
	closerPast[len(closerPast)-1] = 70 // 64+70, past the end
	for name, bad := range map[string][]byte{"empty": nil, "cut": b[:len(b)-1], "longer": append(bytes.Clone(b), 0),
		"place past the end": past, "closer past the end": closerPast,
		"unknown flag": append(append(bytes.Clone(b[:3]), b[3]|16), b[4:]...)} {
		if err := new(Influence).UnmarshalBinary(bad); err == nil {
			t.Errorf("%s: unpacked", name)
		}
	}
}
