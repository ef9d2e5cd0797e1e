package ppap

import (
	"encoding/binary"
	"errors"
	"fmt"
	"maps"
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

// influenceVersion changes with Influence.MarshalBinary's layout (2:
// the domains, the closers and the latest date's place; the first
// layout still unpacks, without them).
const influenceVersion = 2

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
	for _, p := range removed {
		if x.Influential(p) {
			return nil, fmt.Errorf("ppap: message %d has influence", p)
		}
	}
	return x.moved(removed, func(int) bool { return true }), nil
}

// moved is x with the places at removed taken out and the others moved
// up past them: the marks, the domains, the latest date's place, and
// the closers of the ZIP mails keep (neither they nor their closer
// taken out).
func (x *Influence) moved(removed []int, keep func(zip int) bool) *Influence {
	out := &Influence{n: x.n - len(removed), SawZip: x.SawZip, SawUndated: x.SawUndated, LateZip: x.LateZip,
		closers: map[int]int{}, latest: -1}
	if x.hasDomains() {
		out.domains = make([]uint32, 0, out.n)
	}
	for p := range x.n {
		q, gone := placeAfter(removed, p)
		if gone {
			continue
		}
		if x.Influential(p) {
			out.mark(q)
		}
		if x.hasDomains() {
			out.domains = append(out.domains, x.domains[p])
		}
	}
	for z, c := range x.closers {
		qz, goneZ := placeAfter(removed, z)
		qc, goneC := placeAfter(removed, c)
		if !goneZ && !goneC && keep(z) {
			out.closers[qz] = qc
		}
	}
	if q, gone := placeAfter(removed, x.latest); x.latest >= 0 && !gone {
		out.latest = q
	}
	return out
}

// hasDomains reports whether x holds the From domain of every place: an
// Influence unpacked from the first layout holds none.
func (x *Influence) hasDomains() bool { return len(x.domains) == x.n }

// Extended returns the Influence of x's listing followed by the mail a
// Stream resumed from its Tail was written (TrackInfluence): that
// stream's places, and the places before it that it read as candidates.
func (x *Influence) Extended(resumed *Influence) (*Influence, error) {
	if resumed.n < x.n {
		return nil, errors.New("ppap: the resumed stream's listing is shorter than the one it resumed")
	}
	out := &Influence{n: resumed.n, SawZip: x.SawZip || resumed.SawZip, SawUndated: x.SawUndated || resumed.SawUndated,
		LateZip: x.LateZip || resumed.LateZip, closers: maps.Clone(x.closers), latest: x.latest}
	if out.closers == nil {
		out.closers = map[int]int{}
	}
	maps.Copy(out.closers, resumed.closers) // a ZIP mail the tail held is closed by new mail
	if resumed.latest >= 0 {
		out.latest = resumed.latest
	}
	if x.hasDomains() && len(resumed.domains) == resumed.n {
		out.domains = append(slices.Clone(x.domains), resumed.domains[x.n:]...)
	}
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
// places, the flags (a byte: the three of Influence, then whether the
// domains follow), the latest date's place plus one, one bit a place,
// 64 to a word, each word little-endian, each place's domain hash (4
// bytes, little-endian), then the count of closers and, for each ZIP
// mail by ascending place, its place after the last one's and its
// closer's after its own.
func (x *Influence) MarshalBinary() ([]byte, error) {
	words := (x.n + 63) / 64
	// Sized for all of it: the domains alone are 4 MB at a million.
	b := make([]byte, 0, 32+8*words+4*len(x.domains)+2*binary.MaxVarintLen64*len(x.closers))
	b = binary.AppendUvarint(b, influenceVersion)
	b = binary.AppendUvarint(b, uint64(x.n))
	var flags byte
	for i, f := range []bool{x.SawZip, x.SawUndated, x.LateZip, x.hasDomains()} {
		if f {
			flags |= 1 << i
		}
	}
	b = append(b, flags)
	b = binary.AppendUvarint(b, uint64(x.latest+1))
	for i := range words {
		var w uint64
		if i < len(x.bits) {
			w = x.bits[i]
		}
		b = binary.LittleEndian.AppendUint64(b, w)
	}
	if x.hasDomains() {
		for _, d := range x.domains {
			b = binary.LittleEndian.AppendUint32(b, d)
		}
	}
	zips := slices.Sorted(maps.Keys(x.closers))
	b = binary.AppendUvarint(b, uint64(len(zips)))
	last := -1
	for _, z := range zips {
		b = binary.AppendUvarint(b, uint64(z-last))
		b = binary.AppendUvarint(b, uint64(x.closers[z]-z))
		last = z
	}
	return b, nil
}

// UnmarshalBinary unpacks what MarshalBinary packed, in either layout.
func (x *Influence) UnmarshalBinary(b []byte) error {
	v, k := binary.Uvarint(b)
	if k <= 0 || v != 1 && v != influenceVersion {
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
	u := Influence{n: int(n), SawZip: flags&1 != 0, SawUndated: flags&2 != 0, LateZip: flags&4 != 0,
		closers: map[int]int{}, latest: -1}
	if v == 1 && flags>>3 != 0 || flags>>4 != 0 {
		return errInfluence
	}
	if v == influenceVersion {
		latest, k := binary.Uvarint(b)
		if k <= 0 || latest > n {
			return errInfluence
		}
		u.latest, b = int(latest)-1, b[k:]
	}
	words := (int(n) + 63) / 64
	if len(b) < 8*words {
		return errInfluence
	}
	u.bits = make([]uint64, words)
	for i := range u.bits {
		u.bits[i] = binary.LittleEndian.Uint64(b[8*i:])
	}
	b = b[8*words:]
	if r := int(n) % 64; r != 0 && u.bits[words-1]>>r != 0 {
		return errInfluence // a place past the listing
	}
	if v == 1 {
		if len(b) != 0 {
			return errInfluence
		}
		*x = u
		return nil
	}
	if flags&8 != 0 {
		if uint64(len(b)) < 4*n {
			return errInfluence
		}
		u.domains = make([]uint32, n)
		for i := range u.domains {
			u.domains[i] = binary.LittleEndian.Uint32(b[4*i:])
		}
		b = b[4*n:]
	}
	count, k := binary.Uvarint(b)
	if k <= 0 || count > n {
		return errInfluence
	}
	b = b[k:]
	last := -1
	for range count {
		dz, k := binary.Uvarint(b)
		if k <= 0 || dz == 0 || dz > n {
			return errInfluence
		}
		b = b[k:]
		dc, k := binary.Uvarint(b)
		if k <= 0 || dc == 0 || dc > n {
			return errInfluence
		}
		b = b[k:]
		z := last + int(dz)
		c := z + int(dc)
		if c >= int(n) {
			return errInfluence // a place past the listing
		}
		u.closers[z], last = c, z
	}
	if len(b) != 0 {
		return errInfluence
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
	out := &Tail{seq: t.seq - len(removed), latest: t.latest, inexact: t.inexact || len(removed) > 0,
		indexed: indexedWithout(t.indexed, removed)}
	move := movedUp(removed)
	for _, h := range t.held {
		nh, err := h.movedBy(move)
		if err != nil {
			return nil, err
		}
		out.held = append(out.held, nh)
	}
	return out, nil
}

// indexedWithout is indexed, a Tail's places, without those at removed
// (ascending places), moved up past them.
func indexedWithout(indexed, removed []int) []int {
	var out []int
	for _, p := range indexed {
		if q, gone := placeAfter(removed, p); !gone {
			out = append(out, q)
		}
	}
	return out
}

// movedUp moves a held message's place up past the places at removed
// (ascending); an error for one taken out.
func movedUp(removed []int) func(int) (int, error) {
	return func(p int) (int, error) {
		q, gone := placeAfter(removed, p)
		if gone {
			return 0, fmt.Errorf("%w: message %d, taken out, is held", ErrNoTail, p)
		}
		return q, nil
	}
}

// movedBy is h with its place, its pins' and its notes' ZIP mails'
// moved by move: up past messages taken out (Tail.Without), or from a
// Repair's stream to the listing (Repair.Tail).
func (h tailHeld) movedBy(move func(int) (int, error)) (tailHeld, error) {
	var err error
	nh := tailHeld{zip: h.zip}
	if nh.seq, err = move(h.seq); err != nil {
		return tailHeld{}, err
	}
	for _, p := range h.pins {
		q, err := move(p)
		if err != nil {
			return tailHeld{}, err
		}
		nh.pins = append(nh.pins, q)
	}
	for _, n := range h.notes {
		if n.seq, err = move(n.seq); err != nil {
			return tailHeld{}, err
		}
		nh.notes = append(nh.notes, n)
	}
	return nh, nil
}
