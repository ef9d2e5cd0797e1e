package store

import (
	"cmp"
	"encoding/binary"
	"iter"
	"maps"
	"math/bits"
	"slices"
)

// digestTable holds the index entries of the keys of one digest prefix
// (digestPrefixes), by the 32 bytes each key spells.
//
// Those the index file gave when the cache opened are in sorted, an
// array in the order of their digests, the rest in more, a map. Built
// from the file, the maps took most of the time to open the cache: at
// 100,000 messages (216,000 entries) 115 ms of a warm start's first
// 300, making their tables and filling them entry by entry, each new
// page of them a fault. The array is read from the file in order, into
// memory mapped in at once (package prefault), and searched instead: a
// digest's top bits point to the few slots it can be in (first), so a
// lookup touches two or three cache lines, as a map's does.
//
// A key is in sorted or in more, never both: a key of sorted removed
// and put again takes its slot back. A removed slot keeps its place
// with a zero entry (a live entry's length is never zero).
type digestTable struct {
	sorted []digestSlot
	live   int // the slots of sorted not removed
	// first[b] is the first slot of sorted whose digest's top bits
	// (the first 8 bytes, big-endian, shifted right by shift) are b or
	// more; it has one element past the last bucket.
	first []int32
	shift uint
	more  map[[32]byte]cacheEntry
}

// digestSlot is a key's digest and its entry.
type digestSlot struct {
	sum [32]byte
	e   cacheEntry
}

// newDigestTable returns an empty table whose map holds about n keys
// without growing.
func newDigestTable(n int) *digestTable {
	return &digestTable{more: make(map[[32]byte]cacheEntry, n)}
}

// setSorted makes slots, strictly ordered by digest and every entry
// live, the table's array. The caller hands slots over.
func (t *digestTable) setSorted(slots []digestSlot) {
	t.sorted, t.live = slots, len(slots)
	// About one bucket for each one or two slots: a lookup then compares
	// one or two digests, and the buckets take 2 to 4 bytes a slot.
	b := max(bits.Len(uint(len(slots)))-1, 0)
	b = min(b, 24)
	t.shift = uint(64 - b)
	t.first = make([]int32, 1<<b+1)
	i := 0
	for bucket := range t.first {
		for i < len(slots) && int(t.bucket(&slots[i].sum)) < bucket {
			i++
		}
		t.first[bucket] = int32(i)
	}
}

// bucket is the bucket of sum in first.
func (t *digestTable) bucket(sum *[32]byte) uint64 {
	return binary.BigEndian.Uint64(sum[:8]) >> t.shift // a shift of 64 is 0
}

// slot returns the place of sum in sorted, or -1.
func (t *digestTable) slot(sum *[32]byte) int {
	if len(t.sorted) == 0 {
		return -1
	}
	b := t.bucket(sum)
	lo, hi := int(t.first[b]), int(t.first[b+1])
	for lo < hi { // few slots: the first that is not before sum
		mid := int(uint(lo+hi) >> 1)
		if compareSums(&t.sorted[mid].sum, sum) < 0 {
			lo = mid + 1
		} else {
			hi = mid
		}
	}
	if lo < len(t.sorted) && t.sorted[lo].sum == *sum {
		return lo
	}
	return -1
}

// get returns sum's entry.
func (t *digestTable) get(sum [32]byte) (cacheEntry, bool) {
	if i := t.slot(&sum); i >= 0 {
		e := t.sorted[i].e
		return e, e.n > 0
	}
	e, ok := t.more[sum]
	return e, ok
}

// put sets sum's entry; e.n is not zero.
func (t *digestTable) put(sum [32]byte, e cacheEntry) {
	if i := t.slot(&sum); i >= 0 {
		if t.sorted[i].e.n == 0 {
			t.live++
		}
		t.sorted[i].e = e
		return
	}
	t.more[sum] = e
}

// remove deletes sum's entry.
func (t *digestTable) remove(sum [32]byte) {
	if i := t.slot(&sum); i >= 0 {
		if t.sorted[i].e.n > 0 {
			t.live--
		}
		t.sorted[i].e = cacheEntry{}
		return
	}
	delete(t.more, sum)
}

// len returns the number of keys.
func (t *digestTable) len() int { return t.live + len(t.more) }

// clear removes every key.
func (t *digestTable) clear() {
	t.sorted, t.live, t.first, t.shift = nil, 0, nil, 0
	clear(t.more)
}

// all yields every digest and its entry, in no particular order. The
// caller may remove keys meanwhile, as with a map.
func (t *digestTable) all() iter.Seq2[[32]byte, cacheEntry] {
	return func(yield func([32]byte, cacheEntry) bool) {
		for i := range t.sorted {
			if s := t.sorted[i]; s.e.n > 0 && !yield(s.sum, s.e) {
				return
			}
		}
		for sum, e := range t.more {
			if !yield(sum, e) {
				return
			}
		}
	}
}

// inOrder yields every digest and its entry in the order of the
// digests, as the index file holds them: the array's slots merged with
// the map's digests, which are sorted first (32 bytes each, held
// meanwhile). The caller changes nothing meanwhile.
func (t *digestTable) inOrder() iter.Seq2[[32]byte, cacheEntry] {
	return func(yield func([32]byte, cacheEntry) bool) {
		more := slices.SortedFunc(maps.Keys(t.more), func(a, b [32]byte) int { return compareSums(&a, &b) })
		i := 0
		for _, s := range t.sorted {
			if s.e.n == 0 {
				continue
			}
			for ; i < len(more) && compareSums(&more[i], &s.sum) < 0; i++ {
				if !yield(more[i], t.more[more[i]]) {
					return
				}
			}
			if !yield(s.sum, s.e) {
				return
			}
		}
		for ; i < len(more); i++ {
			if !yield(more[i], t.more[more[i]]) {
				return
			}
		}
	}
}

// compareSlots orders slots by digest.
func compareSlots(a, b digestSlot) int { return compareSums(&a.sum, &b.sum) }

// compareSums orders digests as bytes.Compare does, 8 bytes at a time:
// nearly always the first 8 differ.
func compareSums(a, b *[32]byte) int {
	for i := 0; i < len(a); i += 8 {
		if x, y := binary.BigEndian.Uint64(a[i:]), binary.BigEndian.Uint64(b[i:]); x != y {
			return cmp.Compare(x, y)
		}
	}
	return 0
}

// sortSlots orders slots read from an index file by digest and keeps,
// of a digest held twice, the slot read last, as filling a map would:
// a file this cache wrote holds them so already, and is only checked.
func sortSlots(slots []digestSlot) []digestSlot {
	ordered := true
	for i := 1; i < len(slots) && ordered; i++ {
		ordered = compareSlots(slots[i-1], slots[i]) < 0
	}
	if ordered {
		return slots
	}
	slices.SortStableFunc(slots, compareSlots)
	out := slots[:0]
	for i, s := range slots {
		if i+1 < len(slots) && slots[i+1].sum == s.sum {
			continue // a later one follows
		}
		out = append(out, s)
	}
	return out
}
