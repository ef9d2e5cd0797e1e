package model

import (
	"cmp"
	"slices"
)

// maxKeptOrders bounds the orders a table keeps for keys other than its
// current one: the three keys the console's s, S and < lead to next
// (Table.SortJobIn), the one left, and one more, at 4 bytes and a bit
// (its ties) a message each. With four, the oldest dropped was often one
// of the three, which was then sorted again (a review counted 800 jobs
// over 400 random keys against 415 with five).
const maxKeptOrders = 5

// SetSort re-sorts the table by k, keeping the selection. An order kept
// for k (SortJobIn, or k the key before) is taken rather than sorted
// again; k the key before reversed (the S key) is the order left,
// flipped by its ties (flipByTies: under a millisecond at 100,000
// messages), found first by comparing neighbours when the order has none
// (tiesByComparing); and the order left is kept, with its ties, for when
// the operator comes back.
func (t *Table) SetSort(k SortKey) {
	if k == t.sort {
		return
	}
	left := &SortJob{table: t, key: t.sort, gen: t.gen, n: int32(t.n), order: t.order, ties: t.orderTies}
	flip := k.Column == t.sort.Column
	t.sort = k
	if flip && !t.hasOrder(k) {
		if left.ties == nil {
			left.ties = t.tiesByComparing(left.order) // kept with the order left, too
		}
		t.order, t.orderTies = flipByTies(left.order, left.ties)
	} else {
		t.sortAll()
	}
	t.keepOrder(left)
	t.view = t.applyFilter(t.order, t.view[:0])
	t.reselect(t.cursor)
}

// sortAll sorts order by the current key, from an order kept for it
// when there is one.
func (t *Table) sortAll() {
	j := t.takeOrder(t.sort)
	if j == nil {
		j = t.awaitJob(t.sort)
	}
	if j == nil {
		j = t.prepareSort(t.sort, nil)
		j.Run()
	}
	t.order, t.orderTies = t.extend(j)
}

// awaitJob takes the fresh job out for k and its order, nil when there
// is none: it waits for one that has begun, and runs one not yet begun
// itself, here. Right after a scan, the console's first sort key found
// the job sorting ahead for it under way, and sorted again beside it on
// the other core: 70-100 ms from the key to the screen at 100,000
// messages, where the job alone needs 25. At a million, the first key
// found the job for it handed out and not yet begun (the two cores busy
// 344 ms after it was handed out): sorting again beside it took fresh
// arrays, 28 MB at the console's peak, and 1.48 s from the key to the
// screen, as both sorts shared the cores. The job's arrays are filled
// already, from a room made away from Update; the goroutine it was
// handed to finds it begun and returns (Run).
func (t *Table) awaitJob(k SortKey) *SortJob {
	x := slices.IndexFunc(t.jobsOut, t.freshFor(k))
	if x < 0 {
		return nil
	}
	j := t.jobsOut[x]
	t.jobsOut = slices.Delete(t.jobsOut, x, x+1)
	j.Run() // here, unless it has begun: then it waits for it to end
	j.taken = true
	return j
}

// SortJobIn returns a job to sort the table by k, taken into room where
// it fits (SortRoom; nil: arrays of its own), or nil when the table has
// a current order for k, or a job out for it, or k is the other
// direction of an order with its ties (flipByTies). The caller runs it
// away from the table and hands it back to AdoptSort, so that when the
// operator picks k the list is re-sorted by taking its order. Taking a
// job reads every row once (a few milliseconds at 100,000 messages);
// the sort is the job's Run.
func (t *Table) SortJobIn(room *SortRoom, k SortKey) *SortJob {
	if !t.lacksOrder(k) {
		return nil
	}
	j := t.prepareSort(k, room)
	t.jobsOut = append(t.jobsOut, j)
	return j
}

// LacksOrder reports whether SortJobIn would return a job for any of
// keys: cheap, for a front end to ask after every event.
func (t *Table) LacksOrder(keys ...SortKey) bool {
	return slices.ContainsFunc(keys, t.lacksOrder)
}

// lacksOrder reports whether k is not the current key nor its other
// direction with ties to flip by, and the table has neither a fresh
// order kept for it nor a fresh job out.
func (t *Table) lacksOrder(k SortKey) bool {
	flips := k == t.sort.Flip() && t.orderTies != nil
	return k != t.sort && !flips && !t.hasOrder(k) && !slices.ContainsFunc(t.jobsOut, t.freshFor(k))
}

// AdoptSort keeps the order j found, unless the table's rows changed
// since it was taken (a new exception policy, a verification, a
// removal), or it is no longer worth keeping. A job another table
// handed out is ignored.
func (t *Table) AdoptSort(j *SortJob) {
	if j.table != t || j.taken {
		return
	}
	t.jobsOut = slices.DeleteFunc(t.jobsOut, func(o *SortJob) bool { return o == j || !t.fresh(o) })
	if j.order == nil || j.key == t.sort {
		return
	}
	t.keepOrder(j)
}

// hasOrder reports whether the table keeps a usable order for k.
func (t *Table) hasOrder(k SortKey) bool { return slices.ContainsFunc(t.kept, t.freshFor(k)) }

// freshFor returns whether a job is for k and still fresh.
func (t *Table) freshFor(k SortKey) func(*SortJob) bool {
	return func(j *SortJob) bool { return j.key == k && t.fresh(j) }
}

// fresh reports whether j's order can still serve: the rows it sorted
// are unchanged, and the messages that arrived since (merged in by
// extend) are at most an eighth of the table, beyond which sorting
// afresh costs less than sorting and merging them.
func (t *Table) fresh(j *SortJob) bool {
	return j.gen == t.gen && t.n-int(j.n) <= t.n/8
}

// keepOrder keeps j's order, in place of any for the same key, dropping
// the orders no longer fresh and then the oldest beyond maxKeptOrders.
func (t *Table) keepOrder(j *SortJob) {
	t.kept = slices.DeleteFunc(t.kept, func(o *SortJob) bool { return o.key == j.key || !t.fresh(o) })
	if !t.fresh(j) {
		return
	}
	t.kept = append(t.kept, j)
	if len(t.kept) > maxKeptOrders {
		t.kept = slices.Delete(t.kept, 0, len(t.kept)-maxKeptOrders)
	}
}

// takeOrder removes and returns the order kept for k, nil when none is
// fresh.
func (t *Table) takeOrder(k SortKey) *SortJob {
	if x := slices.IndexFunc(t.kept, t.freshFor(k)); x >= 0 {
		j := t.kept[x]
		t.kept = slices.Delete(t.kept, x, x+1)
		return j
	}
	return nil
}

// rowsChanged is called when rows change in place (an edit, a removal):
// every kept order and job out sorted the old rows.
func (t *Table) rowsChanged() {
	t.gen++
	t.kept, t.jobsOut = nil, nil
	t.orderTies = nil
}

// extend returns j's order with the messages that arrived since j was
// taken merged in, and its ties while none did (nil after).
func (t *Table) extend(j *SortJob) ([]int32, []uint64) {
	if int(j.n) == t.n {
		return j.order, j.ties
	}
	batch := make([]int32, 0, t.n-int(j.n))
	for i := j.n; i < int32(t.n); i++ {
		batch = append(batch, i)
	}
	slices.SortFunc(batch, func(a, b int32) int { return t.compareBy(j.key, a, b) })
	return t.mergeBy(j.key, j.order, batch), nil
}

// compare orders two arrival indexes by the sort key, then by arrival so
// that the order is total and the sort therefore stable.
func (t *Table) compare(a, b int32) int { return t.compareBy(t.sort, a, b) }

// compareBy is compare by the key k.
func (t *Table) compareBy(k SortKey, a, b int32) int {
	c := CompareRows(k.Column, t.line(a), t.line(b))
	if k.Desc {
		c = -c
	}
	if c != 0 {
		return c
	}
	return cmp.Compare(a, b)
}

// merge merges the sorted batch into dst, both sorted by the current
// key (mergeBy).
func (t *Table) merge(dst, batch []int32) []int32 { return t.mergeBy(t.sort, dst, batch) }

// mergeBy merges the batch into dst, both sorted by k, in place, from the
// back: each batch element finds its place by binary search and the run
// of dst after it moves up in one copy, so a batch of k costs k·log n
// comparisons and one pass of memory moves rather than n comparisons.
func (t *Table) mergeBy(k SortKey, dst, batch []int32) []int32 {
	n, m := len(dst), len(batch)
	if m == 0 {
		return dst
	}
	dst = slices.Grow(dst, m)[:n+m]
	hi := n // dst[:hi] is still unmoved
	w := n + m
	for j := m - 1; j >= 0; j-- {
		b := batch[j]
		// First position in dst[:hi] whose element sorts after b.
		lo, top := 0, hi
		for lo < top {
			mid := int(uint(lo+top) >> 1)
			if t.compareBy(k, dst[mid], b) > 0 {
				top = mid
			} else {
				lo = mid + 1
			}
		}
		run := hi - lo
		w -= run
		copy(dst[w:w+run], dst[lo:hi])
		hi = lo
		w--
		dst[w] = b
	}
	return dst
}
