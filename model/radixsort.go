package model

import (
	"cmp"
	"slices"
)

// radixMin is the fewest entries radixSort sorts by digits: below it a
// comparison sort costs less than clearing and summing the counts.
const radixMin = 256

// radixSort sorts es by key, stably: entries with equal keys keep their
// order. It sorts by one byte of the key at a time, from the least
// significant (LSD radix sort), skipping the bytes every key shares: a
// few linear passes over the entries where a comparison sort calls its
// comparison n·log n times. A job sorting 100,000 messages by date took
// 51 ms with slices.SortFunc, nearly all of it in the comparison.
func radixSort(es []sortEntry) {
	n := len(es)
	if n < radixMin {
		slices.SortStableFunc(es, func(a, b sortEntry) int { return cmp.Compare(a.key, b.key) })
		return
	}
	// One pass counts every byte of every key; a byte whose count is the
	// whole of one value is shared by all keys, and sorting by it would
	// move nothing.
	var counts [8][256]int
	for i := range es {
		k := es[i].key
		for d := range 8 {
			counts[d][byte(k>>(8*d))]++
		}
	}
	src, dst := es, make([]sortEntry, n)
	for d := range 8 {
		c := &counts[d]
		if c[byte(es[0].key>>(8*d))] == n {
			continue
		}
		at := 0
		for b := range c {
			c[b], at = at, at+c[b]
		}
		shift := 8 * d
		for _, e := range src {
			b := byte(e.key >> shift)
			dst[c[b]] = e
			c[b]++
		}
		src, dst = dst, src
	}
	if &src[0] != &es[0] {
		copy(es, src)
	}
}
