package app

import (
	"hash/maphash"
	"math/bits"

	"mxaudit/model"
)

// rowIndex finds a listed row's position by its ID, for rowReplay: a
// table of positions addressed by the hash of the ID, the IDs being
// the rows' own, read back through the rows. It takes 8 to 16 bytes a
// row, where a map[model.MessageID]int32 took 49 MB at 1,000,000
// messages (a string header, an int32 and the map's own room a row).
// Its room is made once for the rows a listing can hand out, so it
// never grows.
type rowIndex struct {
	seed  maphash.Seed
	slots []int32 // a row's position plus one; 0 is empty
	mask  uint64
}

// newRowIndex returns an index with room for n rows, at most half full.
func newRowIndex(n int) *rowIndex {
	size := uint64(1) << bits.Len64(uint64(max(n, 4))*2-1)
	return &rowIndex{seed: maphash.MakeSeed(), slots: make([]int32, size), mask: size - 1}
}

// rowIDs gives the ID of the row at a position, for rowIndex.
type rowIDs interface {
	rowID(at int32) model.MessageID
}

// add records that the row at position at has its ID (rows.rowID); a
// row with the same ID recorded before gives way, as a map's would.
func (x *rowIndex) add(rows rowIDs, at int32) {
	id := rows.rowID(at)
	for i := maphash.String(x.seed, string(id)) & x.mask; ; i = (i + 1) & x.mask {
		if p := x.slots[i]; p == 0 || rows.rowID(p-1) == id {
			x.slots[i] = at + 1
			return
		}
	}
}

// find returns the position of the row with the given ID.
func (x *rowIndex) find(rows rowIDs, id model.MessageID) (int32, bool) {
	for i := maphash.String(x.seed, string(id)) & x.mask; ; i = (i + 1) & x.mask {
		p := x.slots[i]
		if p == 0 {
			return 0, false
		}
		if rows.rowID(p-1) == id {
			return p - 1, true
		}
	}
}
