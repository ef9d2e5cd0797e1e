package model

import (
	"cmp"
	"math/rand/v2"
	"slices"
	"strings"
	"testing"
)

// TestRadixSortIsAStableSort checks radixSort against a stable
// comparison sort on keys of many shapes: one value, a few, only high
// bytes varying (dates), only low ones (ranks), all random, and every
// key inverted (a descending sort); sizes on both sides of radixMin.
func TestRadixSortIsAStableSort(t *testing.T) {
	r := rand.New(rand.NewPCG(3, 9))
	shapes := map[string]func() uint64{
		"one value":  func() uint64 { return 42 },
		"few values": func() uint64 { return uint64(r.IntN(5)) },
		"high bytes": func() uint64 { return uint64(r.IntN(1000)) << 40 },
		"low bytes":  func() uint64 { return uint64(r.IntN(300)) },
		"random":     r.Uint64,
		"inverted":   func() uint64 { return ^uint64(r.IntN(70000)) },
		"extremes":   func() uint64 { return []uint64{0, 1 << 63, ^uint64(0)}[r.IntN(3)] },
	}
	for name, key := range shapes {
		for _, n := range []int{0, 1, 2, radixMin - 1, radixMin, 1000, 20000} {
			es := make([]sortEntry, n)
			for i := range es {
				es[i] = sortEntry{key: key(), i: int32(i)}
			}
			want := slices.Clone(es)
			slices.SortStableFunc(want, func(a, b sortEntry) int { return cmp.Compare(a.key, b.key) })
			radixSort(es)
			if !slices.Equal(es, want) {
				t.Errorf("%s, %d entries: radixSort differs from a stable sort", name, n)
			}
		}
	}
}

// TestSortJobTextTies runs jobs over texts made to tie: shared 8-byte
// prefixes, texts equal but for trailing zero bytes, texts that agree
// past textRadixDepth, many copies of each, in both directions, and
// checks the order against strings.Compare, then arrival.
func TestSortJobTextTies(t *testing.T) {
	long := strings.Repeat("x", textRadixDepth+3)
	texts := []string{"", "a", "a\x00", "a\x00\x00", "abcdefgh", "abcdefgh\x00", "abcdefghi", "abcdefgha",
		"請求書", "請求書の送付", long, long + "a", long + "b", long[:textRadixDepth], "zz"}
	r := rand.New(rand.NewPCG(8, 1))
	for _, n := range []int{len(texts), 300, 5000} {
		text := make([]string, n)
		for i := range text {
			text[i] = texts[r.IntN(len(texts))]
		}
		for _, desc := range []bool{false, true} {
			j := &SortJob{key: SortKey{Column: ColumnSubject, Desc: desc}, text: slices.Clone(text),
				es: make([]sortEntry, n), done: make(chan struct{})}
			for i := range j.es {
				j.es[i] = sortEntry{key: stringPrefix(text[i]), i: int32(i)}
			}
			j.Run()
			want := make([]int32, n)
			for i := range want {
				want[i] = int32(i)
			}
			slices.SortFunc(want, func(a, b int32) int {
				c := strings.Compare(text[a], text[b])
				if desc {
					c = -c
				}
				return cmp.Or(c, cmp.Compare(a, b))
			})
			if !slices.Equal(j.order, want) {
				t.Errorf("%d texts, descending %v: the job's order differs from strings.Compare's", n, desc)
			}
		}
	}
}
