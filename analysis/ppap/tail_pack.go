package ppap

import (
	"encoding/binary"
	"errors"
	"slices"

	"mxaudit/model"
)

// tailVersion changes with Tail.MarshalBinary's layout (2: whether the
// tail is inexact, last). A tail of version 1 unpacks as an exact one.
const tailVersion = 2

// MarshalBinary packs the Tail: the layout's version, the next place,
// the latest date (a flag, then the time), the sender index's places
// (their count, then each as its distance from the one before), then
// the held messages (their count, then each: its distance from the one
// before, whether it is a waiting ZIP mail, its pins' places, and its
// notes: the place of the ZIP mail, then the link's fields), then
// whether it is inexact (Tail.Inexact).
func (t *Tail) MarshalBinary() ([]byte, error) {
	b := binary.AppendUvarint(nil, tailVersion)
	b = binary.AppendUvarint(b, uint64(t.seq))
	b = appendBool(b, !t.latest.IsZero())
	if !t.latest.IsZero() {
		b = appendTime(b, t.latest)
	}
	b = appendPlaces(b, t.indexed)
	b = binary.AppendUvarint(b, uint64(len(t.held)))
	last := -1
	for _, h := range t.held {
		b = binary.AppendUvarint(b, uint64(h.seq-last))
		last = h.seq
		b = appendBool(b, h.zip)
		b = binary.AppendUvarint(b, uint64(len(h.pins)))
		for _, p := range h.pins {
			b = binary.AppendUvarint(b, uint64(p))
		}
		b = binary.AppendUvarint(b, uint64(len(h.notes)))
		for _, n := range h.notes {
			b = binary.AppendUvarint(b, uint64(n.seq))
			b = appendString(b, string(n.link.Message))
			b = binary.AppendUvarint(b, uint64(n.link.Attachment))
			b = appendString(appendString(b, n.link.Filename), n.link.SHA256)
		}
	}
	return appendBool(b, t.inexact), nil
}

// appendPlaces packs ascending places: their count, then each as its
// distance from the one before (the first from -1).
func appendPlaces(b []byte, places []int) []byte {
	b = binary.AppendUvarint(b, uint64(len(places)))
	last := -1
	for _, p := range places {
		b = binary.AppendUvarint(b, uint64(p-last))
		last = p
	}
	return b
}

// maxPlaces bounds the listing a packed Tail may describe, far beyond
// any quarantine, so that places always fit an int.
const maxPlaces = 1 << 40

// errTail is a packed Tail that does not unpack, or does not describe a
// Stream's state.
var errTail = errors.New("ppap: the stream's tail does not unpack")

// UnmarshalBinary unpacks what MarshalBinary packed, replacing t. It
// checks what ResumeStream relies on: the places are ascending and
// before the next one, only a waiting ZIP mail pins, and it pins held
// messages other than itself, each once.
func (t *Tail) UnmarshalBinary(b []byte) error {
	r := unpacker{b: b, ok: true}
	version := r.uvarint()
	if version != 1 && version != tailVersion {
		return errTail
	}
	next := r.uvarint()
	if next > maxPlaces {
		return errTail
	}
	u := Tail{seq: int(next)}
	switch r.byte() {
	case 0:
	case 1:
		if u.latest = r.time(); u.latest.IsZero() {
			return errTail
		}
	default:
		return errTail
	}
	u.indexed = r.places(u.seq)
	heldCount := r.count()
	last := -1
	for range heldCount {
		if !r.ok {
			break
		}
		d := r.uvarint()
		if d == 0 || d >= uint64(u.seq-last) {
			return errTail
		}
		h := tailHeld{seq: last + int(d)}
		last = h.seq
		switch r.byte() {
		case 0:
		case 1:
			h.zip = true
		default:
			return errTail
		}
		for range r.count() {
			h.pins = append(h.pins, int(min(r.uvarint(), next)))
		}
		for range r.count() {
			n := note{seq: int(min(r.uvarint(), next))}
			n.link.Message = model.MessageID(r.bytes())
			n.link.Attachment = int(min(r.uvarint(), 1<<31))
			n.link.Filename, n.link.SHA256 = string(r.bytes()), string(r.bytes())
			h.notes = append(h.notes, n)
		}
		u.held = append(u.held, h)
	}
	if version >= 2 {
		switch r.byte() {
		case 0:
		case 1:
			u.inexact = true
		default:
			return errTail
		}
	}
	if !r.ok || len(r.b) > 0 || len(u.held) != heldCount || !u.pinsHeld() {
		return errTail
	}
	*t = u
	return nil
}

// pinsHeld reports whether only waiting ZIP mails pin, each pinning held
// messages other than itself, each once, and every note names a place
// of the listing.
func (t *Tail) pinsHeld() bool {
	held := make(map[int]bool, len(t.held))
	for _, h := range t.held {
		held[h.seq] = true
	}
	for _, h := range t.held {
		if len(h.pins) > 0 && !h.zip {
			return false
		}
		seen := map[int]bool{}
		for _, p := range h.pins {
			if !held[p] || p == h.seq || seen[p] {
				return false
			}
			seen[p] = true
		}
		if slices.ContainsFunc(h.notes, func(n note) bool { return n.seq >= t.seq }) {
			return false
		}
	}
	return true
}

// count reads a count of entries each taking at least a byte: no more
// than the bytes left, so that a damaged count allocates nothing.
func (r *unpacker) count() int {
	n := r.uvarint()
	if n > uint64(len(r.b)) {
		r.b, r.ok = nil, false
		return 0
	}
	return int(n)
}

// places reads what appendPlaces packed: ascending places before next.
func (r *unpacker) places(next int) []int {
	n := r.count()
	out := make([]int, 0, n)
	last := -1
	for range n {
		d := r.uvarint()
		if !r.ok || d == 0 || d >= uint64(next-last) {
			r.b, r.ok = nil, false
			return nil
		}
		last += int(d)
		out = append(out, last)
	}
	return out
}
