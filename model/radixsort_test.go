package model

import (
	"cmp"
	"fmt"
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
			// The indexes come in an order of their own, so that a sort
			// that put equal keys in index order would be caught too.
			keys, idx := make([]uint64, n), r.Perm(n)
			for i := range keys {
				keys[i] = key()
			}
			sorted := make([]int32, n)
			for x, i := range idx {
				sorted[x] = int32(i)
			}
			want := slices.Clone(sorted)
			slices.SortStableFunc(want, func(a, b int32) int { return cmp.Compare(keys[a], keys[b]) })
			radixSort(sorted, keys)
			if !slices.Equal(sorted, want) {
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
	// Texts sharing 1,000 bytes and more (sharedPast): ending within
	// the shared part, in zero bytes, parting after it at various
	// depths, and with numbers at their end as a sender would send them.
	shared := strings.Repeat("請求書 invoice ", 60)[:1000]
	longTexts := []string{shared, shared + "\x00", shared[:999], shared[:500] + "y", shared + "a", shared + "a\x00",
		shared + "b" + shared, shared + "b" + shared + "c", shared + "b" + shared[:7], "z"}
	for i := range 40 {
		longTexts = append(longTexts, fmt.Sprintf("%s%d", shared, i*37), fmt.Sprintf("%s%s%d", shared, shared, i))
	}
	r := rand.New(rand.NewPCG(8, 1))
	for _, tt := range []struct {
		texts []string
		sizes []int
	}{{texts, []int{len(texts), 300, 5000}}, {longTexts, []int{len(longTexts), smallTextRun, smallTextRun + 1, 300, 5000}}} {
		for _, n := range tt.sizes {
			sortJobTextTies(t, r, tt.texts, n)
		}
	}
}

// sortJobTextTies runs a job over n texts drawn from texts, both ways,
// and compares its order with strings.Compare's, then arrival's.
func sortJobTextTies(t *testing.T, r *rand.Rand, texts []string, n int) {
	t.Helper()
	text := make([]string, n)
	for i := range text {
		text[i] = texts[r.IntN(len(texts))]
	}
	for _, desc := range []bool{false, true} {
		j := &SortJob{key: SortKey{Column: ColumnSubject, Desc: desc}, text: slices.Clone(text),
			keys: make([]uint64, n), idx: make([]int32, n), done: make(chan struct{})}
		for i := range n {
			j.keys[i], j.idx[i] = stringPrefix(text[i]), int32(i)
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
		for x := 1; x < n; x++ {
			if tied := text[j.order[x-1]] == text[j.order[x]]; isSet(j.ties, int32(x)) != tied {
				t.Fatalf("%d texts, descending %v: tie at %d noted %v, the texts equal: %v", n, desc, x, !tied, tied)
			}
		}
	}
}

// TestSortJobDecoySubjects checks the order of a job over subjects that
// share 1,000 bytes behind decoys keeping the radix passes from skipping
// what they share (BenchmarkSetSortDecoySubjects100k): compared past the
// radix passes.
func TestSortJobDecoySubjects(t *testing.T) {
	for _, shared := range []string{japaneseShared, asciiShared} {
		msgs := decoySubjectMessages(3000, shared)
		text := make([]string, len(msgs))
		for i := range msgs {
			text[i] = msgs[i].Subject
		}
		sortJobTextTies(t, rand.New(rand.NewPCG(3, 3)), text, len(text))
	}
}

// TestSortJobComparedTexts runs jobs over texts that reach the
// comparisons past the radix passes (settleCompared): a shared part
// longer than textRadixDepth, cut anywhere around the depths the passes
// stop at, then short tails of zero bytes and letters, many equal, so
// that texts ending before the depth compared from are met, in both
// directions and behind decoys that keep the passes from skipping.
func TestSortJobComparedTexts(t *testing.T) {
	r := rand.New(rand.NewPCG(5, 9))
	shared := strings.Repeat("abcdefgh", 40)
	tails := []string{"", "\x00", "\x00\x00", "\x00\x00\x00\x00\x00\x00\x00\x00\x00", "a", "\x00a", "a\x00", "b", "\x01"}
	var texts []string
	for depth := 0; depth <= textRadixDepth+16; depth += 8 {
		texts = append(texts, shared[:depth]+"\x01decoy-a", shared[:depth]+"\x02decoy-b")
	}
	for range 200 {
		cut := textRadixDepth - 4 + r.IntN(60)
		if r.IntN(4) == 0 {
			cut = 200 + r.IntN(100)
		}
		texts = append(texts, shared[:cut]+tails[r.IntN(len(tails))]+tails[r.IntN(len(tails))])
	}
	for _, n := range []int{smallTextRun, smallTextRun + 1, 300, 5000} {
		sortJobTextTies(t, r, texts, n)
	}
}
