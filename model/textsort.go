package model

// Texts the radix passes leave tied past textRadixDepth are sorted here,
// by a merge sort that keeps, for each text, how many bytes it shares
// with the one before it (its LCP), and starts each comparison past
// what the two texts are known to share (Ng and Kakehi's LCP merge
// sort). Each byte a comparison reads past those is one that tells the
// two texts apart, or one more shared byte recorded for the next: a run
// is read about once past what its texts share with their neighbours,
// plus n log n steps that read no text. Comparing from the start of the
// texts' tails instead read, in each of n log n comparisons, all that two
// texts share: 100,000 subjects ending in NUL tails of up to 300 bytes,
// or sharing 1,000 bytes behind decoys that kept the radix passes from
// skipping them, took 0.2–0.5 s in Update; a sender chooses both.

// settleCompared puts in order a run of texts, in arrival order, that
// agree on their first past bytes, padded with zero bytes (settleText),
// and notes its ties, the run starting at position at of the order. As
// strings.Compare has it, a text ending before past is the beginning of
// every text longer than itself (the rest of which is padding), so the
// texts that end before past come first, by length, and then the others,
// by what lies past it; the other way round when descending. The merge
// sort is stable, so equal texts stay in arrival order.
func (j *SortJob) settleCompared(at int, run []int32, past int) {
	// The parts, the LCPs and the merge's room come from one scratch the
	// job keeps: runs of 9 to 16 texts, compared at once, are many where
	// texts share a long beginning in small groups.
	nShort := 0
	for _, i := range run {
		if len(j.text[i]) < past {
			nShort++
		}
	}
	nLong := len(run) - nShort
	half := nLong/2 + 1
	if need := len(run) + nLong + 2*half; cap(j.scratch) < need {
		j.scratch = make([]int32, need)
	}
	scratch := j.scratch[:cap(j.scratch)]
	short, long := scratch[:0:nShort], scratch[nShort:nShort:len(run)]
	lcp := scratch[len(run) : len(run)+nLong]
	tmp, tmpLCP := scratch[len(run)+nLong:][:half], scratch[len(run)+nLong+half:][:half]
	for _, i := range run {
		if len(j.text[i]) < past {
			short = append(short, i)
		} else {
			long = append(long, i)
		}
	}
	for _, i := range short {
		j.keys[i] = j.directed(uint64(len(j.text[i])))
	}
	radixSort(short, j.keys)
	sorter := lcpSorter{text: j.text, past: past, desc: j.key.Desc, tmp: tmp, tmpLCP: tmpLCP}
	sorter.sort(long, lcp)

	// Ascending, the short texts first; descending, the long ones.
	shortAt, longAt := 0, len(short)
	if j.key.Desc {
		shortAt, longAt = len(long), 0
	}
	copy(run[shortAt:], short)
	copy(run[longAt:], long)
	for x := 1; x < len(short); x++ {
		if len(j.text[short[x-1]]) == len(j.text[short[x]]) {
			j.markTies(at+shortAt+x-1, 2)
		}
	}
	for x := 1; x < len(long); x++ {
		if n := int(lcp[x]); n == len(j.text[long[x-1]])-past && n == len(j.text[long[x]])-past {
			j.markTies(at+longAt+x-1, 2)
		}
	}
}

// lcpSorter sorts arrival indexes by their texts past past, in the
// direction desc, stably, computing each one's LCP with the one before.
type lcpSorter struct {
	text        []string
	past        int
	desc        bool
	tmp, tmpLCP []int32 // the left half of a merge, moved out of the way
}

// sort sorts a and sets lcp[x] to how many bytes past past the texts of
// a[x-1] and a[x] share (lcp[0] to 0).
func (s *lcpSorter) sort(a, lcp []int32) {
	if len(a) <= 1 {
		if len(a) == 1 {
			lcp[0] = 0
		}
		return
	}
	m := len(a) / 2
	s.sort(a[:m], lcp[:m])
	s.sort(a[m:], lcp[m:])
	s.merge(a, lcp, m)
}

// merge merges the sorted a[:m] and a[m:] with their LCPs into a. The
// next text of each side is compared with the last one merged through
// what it shares with it (ha, hb): the one sharing more sorts nearer to
// it, and so comes first, in either direction; only when both share as
// much are their bytes read, from there. Ties take the left side first:
// the merge is stable.
func (s *lcpSorter) merge(a, lcp []int32, m int) {
	left, leftLCP := s.tmp[:m], s.tmpLCP[:m]
	copy(left, a[:m])
	copy(leftLCP, lcp[:m])
	i, j, k := 0, m, 0
	ha, hb := int32(0), int32(0) // shared with the last text merged
	for i < m && j < len(a) {
		takeLeft := ha > hb
		if ha == hb {
			n, c := s.compareFrom(left[i], a[j], int(ha))
			takeLeft = c <= 0
			if takeLeft {
				hb = int32(n)
			} else {
				ha = int32(n)
			}
		}
		if takeLeft {
			a[k], lcp[k] = left[i], ha
			i++
			if i < m {
				ha = leftLCP[i]
			}
		} else {
			a[k], lcp[k] = a[j], hb
			j++
			if j < len(a) {
				hb = lcp[j]
			}
		}
		k++
	}
	if i < m {
		// The right side is through: the left's next text shares ha
		// with the last merged, and the rest what they share already.
		a[k], lcp[k] = left[i], ha
		for i, k = i+1, k+1; i < m; i, k = i+1, k+1 {
			a[k], lcp[k] = left[i], leftLCP[i]
		}
		return
	}
	if j < len(a) {
		// The left side is through: the right's rest is in place
		// (k == j), its next text sharing hb with the last merged.
		lcp[j] = hb
	}
}

// compareFrom compares the texts of x and y past s.past, in s's
// direction, knowing they share their first from bytes there: it returns
// how many they share and the order, negative when x comes first.
func (s *lcpSorter) compareFrom(x, y int32, from int) (int, int) {
	a, b := s.text[x][s.past:], s.text[y][s.past:]
	n := from + commonPrefixLen(a[from:], b[from:])
	var c int
	switch {
	case n == len(a) && n == len(b):
		c = 0
	case n == len(a):
		c = -1
	case n == len(b):
		c = 1
	case a[n] < b[n]:
		c = -1
	default:
		c = 1
	}
	if s.desc {
		c = -c
	}
	return n, c
}
