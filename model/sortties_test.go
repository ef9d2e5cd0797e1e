package model

import (
	"fmt"
	"math/rand/v2"
	"slices"
	"strings"
	"testing"
	"time"
)

// tieMessages are messages with many ties in every column, and texts
// that agree past the sort's radix depth or differ only in length.
func tieMessages() []Message {
	msgs := benchMessages(2000) // 28 dates, 977 senders, a fifth DMARC failures
	msgs = append(msgs, rowMessages(rand.New(rand.NewPCG(3, 4)), 300)...)
	long := strings.Repeat("Invoice 2026-12 for the account ", 4) // 128 bytes in common
	for i := range 200 {
		m := msg(fmt.Sprintf("t%03d", i), withDate(1+i%3), withFrom(fmt.Sprintf("s%d@x.example", i%4)))
		m.Subject = long + fmt.Sprint(i%7)
		switch i % 10 {
		case 0:
			m.Subject = "ab"
		case 1:
			m.Subject = "ab\x00"
		}
		msgs = append(msgs, m)
	}
	for i, d := range []time.Time{
		time.Date(1600, 1, 1, 0, 0, 0, 0, time.UTC), // outside 1677–2262, as undated mail (year 1)
		time.Date(1600, 1, 1, 0, 0, 0, 1, time.UTC),
		time.Date(1600, 1, 1, 0, 0, 1, 0, time.UTC),
		time.Date(1600, 1, 1, 0, 0, 0, 0, time.UTC),
		time.Date(3000, 1, 1, 0, 0, 0, 0, time.UTC),
		time.Date(3000, 1, 1, 0, 0, 0, 0, time.UTC),
	} {
		msgs = append(msgs, msg(fmt.Sprintf("far%d", i), func(m *Message) { m.Date = d }))
	}
	return msgs
}

// checkTies fails unless the table's ties mark exactly the neighbours of
// its order that compare equal in its column.
func checkTies(t *testing.T, tb *Table) {
	t.Helper()
	if tb.orderTies == nil {
		t.Fatalf("%v: no ties kept with the order", tb.sort)
	}
	for x := 1; x < len(tb.order); x++ {
		equal := CompareRows(tb.sort.Column, tb.line(tb.order[x-1]), tb.line(tb.order[x])) == 0
		if got := isSet(tb.orderTies, int32(x)); got != equal {
			t.Fatalf("%v: tie at %d is %v, the rows compare equal: %v", tb.sort, x, got, equal)
		}
	}
}

// TestFlipByTiesIsTheSort: the S key, flipping an order by its ties,
// gives the order a sort by the other direction gives, for every column
// both ways, and keeps the ties true, so that flipping again does too.
func TestFlipByTiesIsTheSort(t *testing.T) {
	msgs := tieMessages()
	for c := range NumColumns {
		for _, desc := range []bool{false, true} {
			k := SortKey{Column: c, Desc: desc}
			flip := NewTable()
			flip.Append(msgs...)
			flip.SetSort(SortKey{Column: (c + 1) % NumColumns})
			flip.kept = nil        // not the order the appends merged, which has no ties
			flip.SetSort(k.Flip()) // sorted: the job's ties
			checkTies(t, flip)
			for _, want := range []SortKey{k, k.Flip(), k} {
				flip.kept = nil // no order kept: the flip is made from the current one
				flip.SetSort(want)
				checkTies(t, flip)
				sorted := NewTable()
				sorted.Append(msgs...)
				sorted.SetSort(SortKey{Column: (c + 1) % NumColumns})
				sorted.SetSort(want)
				if got, want := ids(flip), ids(sorted); !slices.Equal(got, want) {
					t.Fatalf("%v: flipped order differs from the sort (%d rows)", k, len(got))
				}
			}
		}
	}
}

// TestTiesUnknownAfterChange: an order merged with arrivals, or over
// rows removed, has no ties, and the S key then sorts: still the sort's
// order, with ties again.
func TestTiesUnknownAfterChange(t *testing.T) {
	msgs := tieMessages()
	for _, tt := range []struct {
		name   string
		column Column
		change func(*Table)
	}{
		{"arrivals", ColumnFrom, func(tb *Table) { tb.Append(msgs[2000:]...) }},
		{"removal", ColumnSubject, func(tb *Table) { tb.Remove(map[MessageID]bool{msgs[7].ID: true}) }},
	} {
		t.Run(tt.name, func(t *testing.T) {
			k := SortKey{Column: tt.column}
			tb := NewTable()
			tb.Append(msgs[:2000]...)
			tb.SetSort(k)
			tt.change(tb)
			if tb.orderTies != nil {
				t.Fatalf("ties kept after the order changed")
			}
			tb.kept = nil
			tb.SetSort(k.Flip())
			checkTies(t, tb)
			want := NewTable()
			want.Append(msgs[:2000]...)
			tt.change(want)
			want.SetSort(k.Flip())
			if got, want := ids(tb), ids(want); !slices.Equal(got, want) {
				t.Fatalf("order after the change differs from the sort")
			}
		})
	}
}

// TestKeptOrderTakenBackAfterArrivals: an order kept with its ties and
// taken back once messages arrived is merged with them, and its ties are
// dropped: the S key then sorts, to the sort's order.
func TestKeptOrderTakenBackAfterArrivals(t *testing.T) {
	msgs := tieMessages()
	k := SortKey{Column: ColumnDomain}
	tb := NewTable()
	tb.Append(msgs[:2000]...)
	tb.SetSort(k)
	tb.SetSort(SortKey{Column: ColumnSize}) // k's order kept, with its ties
	tb.Append(msgs[2000:2100]...)
	tb.SetSort(k) // taken back, merged with the arrivals
	if tb.orderTies != nil {
		t.Fatalf("ties kept with an order merged with arrivals")
	}
	tb.SetSort(k.Flip())
	want := NewTable()
	want.Append(msgs[:2100]...)
	want.SetSort(k.Flip())
	if got, want := ids(tb), ids(want); !slices.Equal(got, want) {
		t.Fatalf("order differs from the sort")
	}
}

// TestNoJobForAFlipByTies: sorting ahead asks for no job for the other
// direction of an order with ties, and does once the ties are unknown.
func TestNoJobForAFlipByTies(t *testing.T) {
	tb := NewTable()
	tb.Append(tieMessages()...)
	tb.SetSort(SortKey{Column: ColumnSize})
	flip := tb.Sort().Flip()
	if tb.LacksOrder(flip) || tb.SortJobIn(nil, flip) != nil {
		t.Fatalf("a job asked for %v, which the ties flip", flip)
	}
	tb.Append(msg("late"))
	if !tb.LacksOrder(flip) {
		t.Fatalf("no job asked for %v once its ties are unknown", flip)
	}
}
