package app

import (
	"fmt"
	"testing"

	"mxaudit/model"
)

// TestRowIndex: every row added is found at its position, in a table
// from nearly empty to half full; a row whose ID was added before
// takes its place, as a map's key would; an ID not added is not found.
func TestRowIndex(t *testing.T) {
	for _, n := range []int{0, 1, 3, 4, 5, 64, 1000, 1024, 4097} {
		t.Run(fmt.Sprint(n), func(t *testing.T) {
			rows := make([]model.Row, n)
			listed := make([]*model.Row, n)
			for i := range rows {
				id := fmt.Sprintf("cur/%d.M%d.host", i/2, i) // IDs sharing their starts
				if i > 0 && i%10 == 0 {
					id = string(listed[i-1].ID()) // a repeat
				}
				rows[i] = model.NewRow(&model.Message{ID: model.MessageID(id)})
				listed[i] = &rows[i]
			}
			x := newRowIndex(n)
			ids := rowsOfIDs(listed)
			if len(x.slots) < 2*n {
				t.Fatalf("%d slots for %d rows", len(x.slots), n)
			}
			for i := range listed {
				x.add(ids, int32(i))
			}
			for i := range listed {
				want := i
				if i+1 < n && (i+1)%10 == 0 {
					want = i + 1 // the repeat added after it
				}
				if at, ok := x.find(ids, listed[i].ID()); !ok || int(at) != want {
					t.Fatalf("%s found at %d (%v), want %d", listed[i].ID(), at, ok, want)
				}
			}
			for _, id := range []model.MessageID{"", "cur/0.M1.hos", "absent"} {
				if at, ok := x.find(ids, id); ok {
					t.Errorf("%q found at %d", id, at)
				}
			}
		})
	}
}

// rowsOfIDs gives the IDs of rows in a slice, for rowIndex.
type rowsOfIDs []*model.Row

func (l rowsOfIDs) rowID(at int32) model.MessageID { return l[at].ID() }
