package ppap

import (
	"encoding/binary"
	"errors"
	"fmt"
	"slices"
)

// A listing with messages taken out, none of them influential (see
// Influence), pairs as the listing did for every other message. What
// the Stream held of it once its listing was written (its Tail) and
// the Influence of it are those of the listing without them, at places
// moved up past the ones taken out: Without gives both, so that a later
// scan of the listing as it is now goes on from there.

// errInfluence is an Influence that does not unpack.
var errInfluence = errors.New("ppap: damaged influence record")

// influenceVersion changes with Influence.MarshalBinary's layout.
const influenceVersion = 1

// placeAfter returns, for a place of a listing with removed taken out
// (ascending places), its place in the listing without them, and whether
// it was taken out.
func placeAfter(removed []int, p int) (int, bool) {
	i, found := slices.BinarySearch(removed, p)
	return p - i, found
}

// checkRemoved reports whether removed are ascending places before n,
// each once.
func checkRemoved(removed []int, n int) error {
	for i, p := range removed {
		if p < 0 || p >= n || i > 0 && p <= removed[i-1] {
			return fmt.Errorf("ppap: places taken out are not ascending places of a listing of %d", n)
		}
	}
	return nil
}

// Without returns the Influence of the listing with the messages at
// removed (ascending places) taken out; an error when one of them is
// influential, or the listing is Positional: it then pairs otherwise.
func (x *Influence) Without(removed []int) (*Influence, error) {
	if err := checkRemoved(removed, x.n); err != nil {
		return nil, err
	}
	if x.Positional() {
		return nil, errors.New("ppap: the listing's outcome depends on places")
	}
	out := &Influence{n: x.n - len(removed), SawZip: x.SawZip, SawUndated: x.SawUndated, LateZip: x.LateZip}
	for p := range x.n {
		if !x.Influential(p) {
			continue
		}
		q, gone := placeAfter(removed, p)
		if gone {
			return nil, fmt.Errorf("ppap: message %d has influence", p)
		}
		out.mark(q)
	}
	return out, nil
}

// Extended returns the Influence of x's listing followed by the mail a
// Stream resumed from its Tail was written (TrackInfluence): that
// stream's places, and the places before it that it read as candidates.
func (x *Influence) Extended(resumed *Influence) (*Influence, error) {
	if resumed.n < x.n {
		return nil, errors.New("ppap: the resumed stream's listing is shorter than the one it resumed")
	}
	out := &Influence{n: resumed.n, SawZip: x.SawZip || resumed.SawZip, SawUndated: x.SawUndated || resumed.SawUndated,
		LateZip: x.LateZip || resumed.LateZip}
	out.bits = make([]uint64, (out.n+63)/64)
	for i := range out.bits {
		if i < len(x.bits) {
			out.bits[i] |= x.bits[i]
		}
		if i < len(resumed.bits) {
			out.bits[i] |= resumed.bits[i]
		}
	}
	return out, nil
}

// MarshalBinary packs the Influence: the layout's version, the count of
// places, the flags (a byte), then one bit a place, 64 to a word, each
// word little-endian.
func (x *Influence) MarshalBinary() ([]byte, error) {
	words := (x.n + 63) / 64
	b := binary.AppendUvarint(nil, influenceVersion)
	b = binary.AppendUvarint(b, uint64(x.n))
	var flags byte
	for i, f := range []bool{x.SawZip, x.SawUndated, x.LateZip} {
		if f {
			flags |= 1 << i
		}
	}
	b = append(b, flags)
	for i := range words {
		var w uint64
		if i < len(x.bits) {
			w = x.bits[i]
		}
		b = binary.LittleEndian.AppendUint64(b, w)
	}
	return b, nil
}

// UnmarshalBinary unpacks what MarshalBinary packed.
func (x *Influence) UnmarshalBinary(b []byte) error {
	v, k := binary.Uvarint(b)
	if k <= 0 || v != influenceVersion {
		return errInfluence
	}
	b = b[k:]
	n, k := binary.Uvarint(b)
	if k <= 0 || n > maxPlaces || len(b) < k+1 {
		return errInfluence
	}
	b = b[k:]
	flags := b[0]
	b = b[1:]
	words := (int(n) + 63) / 64
	if flags>>3 != 0 || len(b) != 8*words {
		return errInfluence
	}
	u := Influence{n: int(n), bits: make([]uint64, words),
		SawZip: flags&1 != 0, SawUndated: flags&2 != 0, LateZip: flags&4 != 0}
	for i := range u.bits {
		u.bits[i] = binary.LittleEndian.Uint64(b[8*i:])
	}
	if r := int(n) % 64; r != 0 && u.bits[words-1]>>r != 0 {
		return errInfluence // a place past the listing
	}
	*x = u
	return nil
}

// Without returns the Tail of the listing with the messages at removed
// (ascending places) taken out, none of them influential (Influence):
// its places moved up past them, and those taken out dropped from the
// sender index. An error when one of them is held, or named by a note:
// no message without influence is (a held one is a ZIP mail or a pin).
func (t *Tail) Without(removed []int) (*Tail, error) {
	if err := checkRemoved(removed, t.seq); err != nil {
		return nil, err
	}
	out := &Tail{seq: t.seq - len(removed), latest: t.latest, inexact: t.inexact || len(removed) > 0}
	for _, p := range t.indexed {
		if q, gone := placeAfter(removed, p); !gone {
			out.indexed = append(out.indexed, q)
		}
	}
	move := func(p int) (int, error) {
		q, gone := placeAfter(removed, p)
		if gone {
			return 0, fmt.Errorf("%w: message %d, taken out, is held", ErrNoTail, p)
		}
		return q, nil
	}
	for _, h := range t.held {
		var err error
		nh := tailHeld{zip: h.zip}
		if nh.seq, err = move(h.seq); err != nil {
			return nil, err
		}
		for _, p := range h.pins {
			q, err := move(p)
			if err != nil {
				return nil, err
			}
			nh.pins = append(nh.pins, q)
		}
		for _, n := range h.notes {
			if n.seq, err = move(n.seq); err != nil {
				return nil, err
			}
			nh.notes = append(nh.notes, n)
		}
		out.held = append(out.held, nh)
	}
	return out, nil
}
