package model

// Ties: which neighbours of an order hold equal values in its column.
//
// An order by one key, reversed, is not the order by the other direction:
// messages that compare equal stay in arrival order either way
// (compareBy), so each run of them must be put back as it was. Finding
// the runs again meant comparing every row with the next, reading each
// row where it lies: 13–16 ms in Update at 100,000 messages on the
// 2-core test machine, more than sorting afresh (6–13 ms), with the S
// key waiting on it. The job that sorts knows the runs as it finishes,
// from the keys and texts it holds, and keeps them beside the order, a
// bit a message (12.5 KB at 100,000): the order the other way is then
// its runs in reverse, each as it is, a copy with no comparison.

// tiesOf returns the ties of the job's order, sorted (SortJob.ties), for
// a column other than the text ones, whose ties settleText notes: bit x
// set when the messages at x-1 and x hold equal values. Equal keys are
// equal values, but for dates outside 1677–2262, which settleTies sorted
// by their full value, rewriting their keys: those are compared by far,
// every such date the job took, found through farAt (4 bytes an arrival,
// made only when a date is far; a map cost ten times that for mail dated
// 1600).
func (j *SortJob) tiesOf(order []int32, far []farDate) []uint64 {
	var farAt []int32 // arrival index → 1 + its place in far; 0: not far
	if len(far) > 0 {
		farAt = make([]int32, len(j.keys))
		for x, d := range far {
			farAt[d.i] = int32(x) + 1
		}
	}
	ties := make([]uint64, bitWords(len(order)))
	for x := 1; x < len(order); x++ {
		a, b := order[x-1], order[x]
		var equal bool
		switch {
		case farAt != nil && (farAt[a] != 0 || farAt[b] != 0):
			if farAt[a] != 0 && farAt[b] != 0 {
				da, db := far[farAt[a]-1], far[farAt[b]-1]
				equal = da.sec == db.sec && da.nsec == db.nsec
			}
		default:
			equal = j.keys[a] == j.keys[b]
		}
		if equal {
			setBit(ties, int32(x), true)
		}
	}
	return ties
}

// flipByTies returns order sorted the other way, and its ties: the runs
// of equal values in reverse order, each in its own, arrival, order.
// Within the result a run is still a run, so its ties are the same runs'.
func flipByTies(order []int32, ties []uint64) ([]int32, []uint64) {
	out := make([]int32, len(order))
	outTies := make([]uint64, len(ties))
	w := 0
	for hi := len(order); hi > 0; {
		lo := hi - 1
		for lo > 0 && isSet(ties, int32(lo)) {
			lo--
		}
		copy(out[w:], order[lo:hi])
		for x := w + 1; x < w+hi-lo; x++ {
			setBit(outTies, int32(x), true)
		}
		w += hi - lo
		hi = lo
	}
	return out, outTies
}

// tiesByComparing returns the ties of order, sorted by the table's
// current column, for an order whose ties are not known (merged with
// arrivals, or over rows removed): each row compared with the next,
// read where it lies, one pass where a sort makes several (at 100,000
// messages 4–16 ms, by column, on the 2-core test machine, against 12–17
// for a sort).
func (t *Table) tiesByComparing(order []int32) []uint64 {
	ties := make([]uint64, bitWords(len(order)))
	for x := 1; x < len(order); x++ {
		if CompareRows(t.sort.Column, t.line(order[x-1]), t.line(order[x])) == 0 {
			setBit(ties, int32(x), true)
		}
	}
	return ties
}

// bitWords is the number of 64-bit words that hold n bits.
func bitWords(n int) int { return (n + 63) / 64 }
