package model

import (
	"fmt"
	"slices"
	"testing"
)

func shownIDs(t *Table) []MessageID {
	out := make([]MessageID, t.Len())
	for i := range out {
		out[i] = t.RowAt(i).ID()
	}
	return out
}

func TestTableRemove(t *testing.T) {
	tests := []struct {
		name     string
		filter   Filter
		cursor   int
		remove   []MessageID
		want     []MessageID
		selected MessageID
		total    int
	}{
		{"one in the middle", Filter{}, 0, []MessageID{"b"}, []MessageID{"a", "c", "d"}, "a", 3},
		{"the selected one falls on the next", Filter{}, 1, []MessageID{"b"}, []MessageID{"a", "c", "d"}, "c", 3},
		{"the last selected falls on the new last", Filter{}, 3, []MessageID{"d"}, []MessageID{"a", "b", "c"}, "c", 3},
		{"unknown IDs change nothing", Filter{}, 0, []MessageID{"x"}, []MessageID{"a", "b", "c", "d"}, "a", 4},
		{"a hidden message leaves the total", Filter{Text: "c"}, 0, []MessageID{"a"}, []MessageID{"c"}, "c", 3},
		{"all", Filter{}, 2, []MessageID{"a", "b", "c", "d"}, []MessageID{}, "", 0},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			tb := NewTable()
			tb.Append(msg("a", withDate(1)), msg("b", withDate(2)), msg("c", withDate(3)), msg("d", withDate(4)))
			tb.SetFilter(tt.filter)
			tb.SetCursor(tt.cursor)
			ids := map[MessageID]bool{}
			for _, id := range tt.remove {
				ids[id] = true
			}
			tb.Remove(ids)
			if got := shownIDs(tb); !slices.Equal(got, tt.want) {
				t.Fatalf("shown %v, want %v", got, tt.want)
			}
			if tb.Total() != tt.total {
				t.Fatalf("total %d, want %d", tb.Total(), tt.total)
			}
			var sel MessageID
			if s := tb.SelectedRow(); s != nil {
				sel = s.ID()
			}
			if sel != tt.selected {
				t.Fatalf("selected %q, want %q", sel, tt.selected)
			}
			for _, id := range tt.remove {
				if tb.RowByID(id) != nil {
					t.Fatalf("RowByID finds removed %s", id)
				}
			}
			// Removed messages stay out when the filter or sort changes.
			tb.SetFilter(Filter{})
			tb.SetSort(SortKey{Column: ColumnDate, Desc: true})
			if tb.Len() != tt.total {
				t.Fatalf("after a new filter and sort %d shown, want %d", tb.Len(), tt.total)
			}
		})
	}
}

func TestTableUpdateResortsAndRefilters(t *testing.T) {
	tb := NewTable()
	tb.Append(msg("a", withDate(1)), msg("b", withDate(2)), msg("c", withDate(3)))
	tb.SetSort(SortKey{Column: ColumnException})
	tb.SetFilter(Filter{NoException: true})
	tb.SetCursor(2) // c
	// An exception now covers b: it leaves the no-exception filter and
	// sorts differently; the selection stays on c.
	tb.UpdateRows(func(r *Row) (Row, bool) {
		if r.ID() != "b" {
			return *r, false
		}
		return r.WithException(&ExceptionMatch{ID: 7}), true
	})
	if got := shownIDs(tb); !slices.Equal(got, []MessageID{"a", "c"}) {
		t.Fatalf("shown %v", got)
	}
	if tb.SelectedRow().ID() != "c" {
		t.Fatalf("selected %s", tb.SelectedRow().ID())
	}
	tb.SetFilter(Filter{})
	if tb.RowByID("b").Exception == nil || tb.Len() != 3 {
		t.Fatal("the change was lost")
	}
	if last := tb.RowAt(2).ID(); last != "b" && tb.RowAt(0).ID() != "b" {
		t.Fatalf("b was not re-sorted by its exception: %v", shownIDs(tb))
	}
}

// fourArrivals is a table of c, a, d and b, arrived in that order,
// sorted by date the other way and filtered to show one.
func fourArrivals() *Table {
	tb := NewTable()
	tb.Append(msg("c", withDate(3)), msg("a", withDate(1)))
	tb.Append(msg("d", withDate(4)), msg("b", withDate(2)))
	tb.SetSort(SortKey{Column: ColumnDate, Desc: true})
	tb.SetFilter(Filter{Text: "a"})
	return tb
}

// TestTableArrivalRows: every row still in the table, shown or not, in
// the order it arrived, whatever the sort; removed rows are left out.
func TestTableArrivalRows(t *testing.T) {
	tb := fourArrivals()
	ids := func() []MessageID {
		var out []MessageID
		for _, r := range tb.ArrivalRows() {
			out = append(out, r.ID())
		}
		return out
	}
	if got := ids(); !slices.Equal(got, []MessageID{"c", "a", "d", "b"}) {
		t.Fatalf("arrival order %v", got)
	}
	tb.Remove(map[MessageID]bool{"d": true})
	if got := ids(); !slices.Equal(got, []MessageID{"c", "a", "b"}) {
		t.Fatalf("after a removal %v", got)
	}
}

// TestTableArrivalIDs: the IDs of the messages still listed, shown or
// not, in arrival order, and the rows stay the table's own: a removal
// after still shrinks them to their ID (Remove), unlike after
// ArrivalRows.
func TestTableArrivalIDs(t *testing.T) {
	tb := fourArrivals()
	if got := tb.ArrivalIDs(); !slices.Equal(got, []MessageID{"c", "a", "d", "b"}) {
		t.Fatalf("arrival order %v", got)
	}
	tb.Remove(map[MessageID]bool{"d": true})
	if got := tb.ArrivalIDs(); !slices.Equal(got, []MessageID{"c", "a", "b"}) {
		t.Fatalf("after a removal %v", got)
	}
	if r := tb.line(2); r.text != string(r.ID()) {
		t.Errorf("the removed row keeps %q: taking the IDs handed the rows out", r.text)
	}
	for i := range int32(tb.n) {
		if isSet(tb.sharedLine, i) {
			t.Fatalf("row %d marked shared", i)
		}
	}
}

// TestTableClear: Clear leaves a table that lists nothing, with its sort
// and filter, and that then holds new messages as a new table would:
// only theirs, in their arrival order, none of the old rows' places
// left, and no order kept or sorting elsewhere of the old rows adopted.
func TestTableClear(t *testing.T) {
	tb := NewTable()
	tb.Append(msg("a", withDate(1)), msg("b", withDate(2)), msg("c", withDate(3)))
	sort, filter := SortKey{Column: ColumnDate, Desc: true}, Filter{Text: "x"}
	tb.SetSort(sort)
	tb.SetFilter(filter)
	jobs := sortJobs(tb, SortKey{Column: ColumnFrom})
	for _, j := range jobs {
		j.Run()
	}
	tb.Clear()
	if tb.Total() != 0 || tb.Len() != 0 || tb.SelectedRow() != nil || tb.Sort() != sort || tb.Filter().Text != filter.Text {
		t.Fatalf("after Clear: total %d, shown %d, sort %v, filter %q", tb.Total(), tb.Len(), tb.Sort(), tb.Filter().Text)
	}
	tb.SetFilter(Filter{})
	tb.Append(msg("x", withDate(5)), msg("y", withDate(4)))
	for _, j := range jobs {
		tb.AdoptSort(j)
	}
	tb.SetSort(SortKey{Column: ColumnFrom})
	var arrived []MessageID
	for _, r := range tb.ArrivalRows() {
		arrived = append(arrived, r.ID())
	}
	if !slices.Equal(arrived, []MessageID{"x", "y"}) || tb.removed != 0 || tb.Total() != 2 || tb.Len() != 2 {
		t.Fatalf("after Clear and two arrivals: %v, removed %d, total %d, shown %d", arrived, tb.removed, tb.Total(), tb.Len())
	}
	if got := shownIDs(tb); !slices.Equal(got, []MessageID{"x", "y"}) && !slices.Equal(got, []MessageID{"y", "x"}) {
		t.Fatalf("shown %v", got)
	}
}

// TestSortedAheadFlipIsTheFlip: the order sorted ahead for the other
// direction (a SortJob, as the console's S key takes it) is the order
// SetSort's flip gives, ties in arrival order either way, after
// arrivals and removals.
func TestSortedAheadFlipIsTheFlip(t *testing.T) {
	for _, col := range []Column{ColumnDate, ColumnFrom, ColumnSize} {
		var msgs []Message
		for i := range 40 {
			// Few distinct values: many ties.
			msgs = append(msgs, msg(fmt.Sprintf("m%02d", i), withDate(i%4), withFrom(fmt.Sprintf("s%d", i%3)), withSize(int64(i%5))))
		}
		ahead, flipped := NewTable(), NewTable()
		for _, tb := range []*Table{ahead, flipped} {
			tb.Append(msgs[:30]...)
			tb.SetSort(SortKey{Column: col})
			tb.Remove(map[MessageID]bool{"m03": true, "m17": true})
			tb.Append(msgs[30:]...)
		}
		k := SortKey{Column: col, Desc: true}
		for _, j := range sortJobs(ahead, k) {
			j.Run()
			ahead.AdoptSort(j)
		}
		if !ahead.hasOrder(k) {
			t.Fatalf("%v: no order sorted ahead", k)
		}
		ahead.SetSort(k)
		flipped.SetSort(k)
		if got, want := shownIDs(ahead), shownIDs(flipped); !slices.Equal(got, want) {
			t.Fatalf("%v: sorted ahead %v, flipped %v", k, got, want)
		}
	}
}
