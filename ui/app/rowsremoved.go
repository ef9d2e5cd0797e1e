package app

import (
	"fmt"
	"slices"

	"mxaudit/model"
)

// A console's list kept after messages were taken out. The list a
// console keeps (the row snapshot) is the snapshot's listing's, in
// blocks of rowsPerBlock rows by listing place, and named by the
// snapshot's digest: after a release or a delete, a start that replays
// the snapshot with those messages taken out (replayRemoved) reads that
// list, drops the rows of the messages taken out, and hands out the
// rest in blocks of rowsPerBlock again, each row checked against the
// listing as it is now, as any kept list is. It then keeps the list of
// the listing as it is now under the snapshot recorded for it. Replaying
// the messages instead took 30 s at a million messages.

// listRemoval is the list a replay after messages were taken out reads:
// the one kept under the snapshot's digest before (digest), of its count
// rows, without those at removed, ascending places of that listing.
// recorded says the snapshot of the listing as it is now was recorded:
// otherwise (a cache another process holds, a write that failed) no
// list is kept of it, and the one kept stays that of the snapshot the
// cache still holds (the concurrency review).
type listRemoval struct {
	digest   string
	count    int
	removed  []int
	recorded bool
}

// blockSource gives a list's rows block by block (rowsReader.next).
type blockSource interface {
	next() ([]model.Row, error)
}

// withoutRemoved gives the rows of a kept list of count rows, in blocks
// of per rows (the last fewer), without those at removed places.
type withoutRemoved struct {
	src     blockSource
	removed []int
	per     int
	place   int // the listing place of the next row src gives
	count   int
	buf     []model.Row
}

func newWithoutRemoved(src blockSource, r *listRemoval, per int) *withoutRemoved {
	return &withoutRemoved{src: src, removed: r.removed, per: per, count: r.count}
}

// next returns the next block: per rows, or the last ones.
func (w *withoutRemoved) next() ([]model.Row, error) {
	for len(w.buf) < w.per && w.place < w.count {
		rows, err := w.src.next()
		if err != nil {
			return nil, err
		}
		if len(rows) > w.count-w.place || len(rows) != w.per && w.place+len(rows) != w.count {
			return nil, fmt.Errorf("%w: a block of %d rows at %d, not %d", errRowsWrong, len(rows), w.place, w.per)
		}
		for _, r := range rows {
			if _, gone := slices.BinarySearch(w.removed, w.place); !gone {
				w.buf = append(w.buf, r)
			}
			w.place++
		}
	}
	if len(w.buf) == 0 {
		return nil, fmt.Errorf("%w: no rows left", errRowsWrong)
	}
	n := min(w.per, len(w.buf))
	out := slices.Clone(w.buf[:n])
	rest := copy(w.buf, w.buf[n:])
	clear(w.buf[rest:])
	w.buf = w.buf[:rest]
	return out, nil
}
