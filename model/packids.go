package model

import (
	"encoding/binary"
	"iter"
	"strings"
)

// PackedIDs are message IDs copied into one string of their own, each
// after its length as a uvarint (packStrings' layout), for a long-lived
// set of them, such as a live watch's. IDs read from rows are slices of
// each row's text (a row snapshot's block, an arena chunk), which the
// set would otherwise keep alive after the rows are dropped; one string
// is also one allocation where 100,000 IDs were 100,000. A set is read
// in order only (All), so it keeps no index: about one byte a message
// beside the IDs, where a []MessageID of the copies took 16 (16 MB of
// 43 at a million messages).
type PackedIDs struct {
	packed string
	n      int
}

// PackIDs packs the IDs ids yields, which it ranges over twice (to
// size the string, then to fill it): ids must yield the same IDs each
// time, in any order (a map's keys).
func PackIDs(ids iter.Seq[MessageID]) PackedIDs {
	size, n := 0, 0
	for id := range ids {
		size += uvarintLen(len(id)) + len(id)
		n++
	}
	var b strings.Builder // not []byte: string(b) would copy it all
	b.Grow(size)
	var length [binary.MaxVarintLen64]byte
	for id := range ids {
		b.Write(binary.AppendUvarint(length[:0], uint64(len(id))))
		b.WriteString(string(id))
	}
	return PackedIDs{packed: b.String(), n: n}
}

// uvarintLen is the length of n as a uvarint.
func uvarintLen(n int) int {
	l := 1
	for ; n >= 0x80; n >>= 7 {
		l++
	}
	return l
}

// Len is the number of IDs.
func (p PackedIDs) Len() int { return p.n }

// All yields the IDs in the order they were packed.
func (p PackedIDs) All() iter.Seq[MessageID] {
	return func(yield func(MessageID) bool) {
		anyPacked(p.packed, func(id string) bool { return !yield(MessageID(id)) })
	}
}
