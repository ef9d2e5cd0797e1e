package mailsrc

import (
	"bytes"
	"slices"
)

// sort puts the records in delivery order and keeps one per ID: the first
// of a run, so the copy in cur/ when a message was seen in both folders
// (the newer place of a file that moved while the listing ran). The
// bytes of the dropped copies' names stay until the next listing.
//
// Each chunk is sorted in place and the chunks are merged straight into
// the 8-byte slots, each chunk dropped once merged: copying the records
// into one slice to sort them would hold them twice, and that moment was
// the peak of a whole scan without PPAP at 1,000,000 messages.
func (x *maildirIndex) sort() {
	n := 0
	var keys []uint64
	var moved []maildirRec
	for _, c := range x.added {
		keys, moved = x.sortChunk(c, keys, moved)
		n += len(c)
	}
	x.slots = make([]maildirSlot, 0, n)
	m := chunkMerge{x: x}
	for i, c := range x.added {
		if len(c) > 0 {
			m.heads = append(m.heads, chunkHead{chunk: i})
		}
	}
	m.init()
	var last maildirRec
	for len(m.heads) > 0 {
		top := &m.heads[0]
		r := x.added[top.chunk][top.at]
		if len(x.slots) == 0 || r.stamp != last.stamp || !bytes.Equal(x.id(r.maildirSlot), x.id(last.maildirSlot)) {
			x.slots = append(x.slots, r.maildirSlot)
			last = r
		}
		if top.at++; top.at == len(x.added[top.chunk]) {
			x.added[top.chunk] = nil
			m.heads[0] = m.heads[len(m.heads)-1]
			m.heads = m.heads[:len(m.heads)-1]
		}
		m.down(0)
	}
	x.added = nil
}

// A chunk's records are sorted by their stamps as numbers first, each
// with its place in the chunk in the low bits (sortKey): slices.Sort on
// integers compares inline, where sorting the records with compare
// called it through a function value (sorting was nearly half the time
// to a 100,000-message Maildir's first entry). Only the records that share a
// stamp (a few delivered in the same second) are then put in compare's
// order among themselves.
const (
	sortKeyPlaceBits = maildirRecChunkBits // a chunk's places
	// sortKeyStampMax is the largest stamp a key tells apart; a larger
	// one (a name of over 15 digits, or none: math.MaxInt64) keys as it,
	// and those are ordered by compare.
	sortKeyStampMax = 1<<(64-sortKeyPlaceBits-1) - 1
)

// sortKey is the key of the record of stamp at place in its chunk.
func sortKey(stamp int64, place int) uint64 {
	return uint64(min(max(stamp, 0), sortKeyStampMax))<<sortKeyPlaceBits | uint64(place)
}

// sortChunk sorts c in compare's order, with keys and moved as room it
// may reuse, and returns them for the next chunk.
func (x *maildirIndex) sortChunk(c []maildirRec, keys []uint64, moved []maildirRec) ([]uint64, []maildirRec) {
	keys = keys[:0]
	for i, r := range c {
		keys = append(keys, sortKey(r.stamp, i))
	}
	slices.Sort(keys)
	moved = moved[:0]
	for _, k := range keys {
		moved = append(moved, c[k&(1<<sortKeyPlaceBits-1)])
	}
	copy(c, moved)
	for i := 0; i < len(c); {
		j := i + 1
		for j < len(c) && keys[j]>>sortKeyPlaceBits == keys[i]>>sortKeyPlaceBits {
			j++
		}
		if j-i > 1 {
			slices.SortFunc(c[i:j], x.compare)
		}
		i = j
	}
	return keys, moved
}

// chunkHead is the next record of one sorted chunk in the merge.
type chunkHead struct{ chunk, at int }

// chunkMerge is the merge's heap of chunk heads, least record on top.
// It is written out: container/heap, which calls through an interface
// for every comparison and swap, took two fifths of the sort.
type chunkMerge struct {
	x     *maildirIndex
	heads []chunkHead
}

func (m *chunkMerge) less(i, j int) bool {
	a, b := m.heads[i], m.heads[j]
	ra, rb := m.x.added[a.chunk][a.at], m.x.added[b.chunk][b.at]
	if ra.stamp != rb.stamp {
		return ra.stamp < rb.stamp
	}
	return m.x.compare(ra, rb) < 0
}

// init orders the heap.
func (m *chunkMerge) init() {
	for i := len(m.heads)/2 - 1; i >= 0; i-- {
		m.down(i)
	}
}

// down moves head i down to its place.
func (m *chunkMerge) down(i int) {
	for {
		least := i
		if l := 2*i + 1; l < len(m.heads) && m.less(l, least) {
			least = l
		}
		if r := 2*i + 2; r < len(m.heads) && m.less(r, least) {
			least = r
		}
		if least == i {
			return
		}
		m.heads[i], m.heads[least] = m.heads[least], m.heads[i]
		i = least
	}
}
