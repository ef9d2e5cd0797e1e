package model

import (
	"fmt"
	"reflect"
	"testing"
)

// TestUpdateOverwritesOwnedRows checks that repeated policy changes over
// the table's own rows change them in their slots, leaving no dead copy
// behind, while a shared row is replaced by one of the table's own and
// never written.
func TestUpdateOverwritesOwnedRows(t *testing.T) {
	tab := NewTable()
	var owned []Message
	for i := range 3000 { // three chunks
		owned = append(owned, msg(fmt.Sprintf("o%04d", i), withDate(1+i%28)))
	}
	tab.Append(owned...)
	shared := msg("s", withDate(2))
	rows := NewSharedRows()
	rows.Add(&shared)
	tab.ShareRows(rows)
	tab.AppendShared(&shared)
	sharedBefore := *rows.Row(&shared)
	before := map[MessageID]*Row{}
	tab.EachRow(func(r *Row) { before[r.ID] = r })
	if before["s"] != rows.Row(&shared) {
		t.Fatal("the table does not list the shared row")
	}
	for round := range 5 {
		tab.UpdateRows(func(r *Row) (Row, bool) {
			return r.WithException(&ExceptionMatch{ID: round + 1}), true
		})
	}
	tab.EachRow(func(r *Row) {
		if r.Exception == nil || r.Exception.ID != 5 {
			t.Fatalf("%s: exception %+v, want the last round's", r.ID, r.Exception)
		}
		switch {
		case r.ID == "s" && r == before["s"]:
			t.Fatal("the shared row was written in place")
		case r.ID != "s" && r != before[r.ID]:
			t.Fatalf("%s: a new row replaced the owned one, which stays in its chunk", r.ID)
		}
	})
	if !reflect.DeepEqual(*rows.Row(&shared), sharedBefore) {
		t.Fatal("UpdateRows wrote through to the shared row")
	}
	slots := 0
	for _, c := range tab.ownLines {
		slots += len(c)
	}
	if slots != len(owned)+1 { // the shared message's own row, made once
		t.Fatalf("%d own row slots for %d messages", slots, len(owned)+1)
	}
}

// TestTablesShareRows checks that tables listing shared messages point
// at the rows their SharedRows holds instead of building their own, that
// Update gives a table its own row for the changed message while the
// shared one stays, and that a forgotten or unknown message gets a row of
// the table's own.
func TestTablesShareRows(t *testing.T) {
	msgs := make([]Message, 2500)
	ptrs := make([]*Message, len(msgs))
	for i := range msgs {
		msgs[i] = msg(fmt.Sprintf("m%04d", i), withFrom(fmt.Sprintf("Sender %d <s%d@x.example>", i%7, i)))
		ptrs[i] = &msgs[i]
	}
	rows := NewSharedRows()
	rows.Add(ptrs[:2000]...)
	rows.Forget(ptrs[0])
	one, other := NewTable(), NewTable()
	for _, tab := range []*Table{one, other} {
		tab.ShareRows(rows)
		tab.AppendShared(ptrs...)
	}
	byID := map[MessageID]*Message{}
	for _, m := range ptrs {
		byID[m.ID] = m
	}
	for i := range one.Len() {
		r := one.RowAt(i)
		m := byID[r.ID]
		want := rows.Row(m)
		switch {
		case want != nil && r != want:
			t.Fatalf("%s: the table built its own row for a shared one", m.ID)
		case want == nil && (m.ID == "m0000" || m.ID >= "m2000") && r.ID != m.ID:
			t.Fatalf("%s: own row for %s", m.ID, r.ID)
		case want == nil && m.ID != "m0000" && m.ID < "m2000":
			t.Fatalf("%s: no shared row", m.ID)
		}
	}
	before := *rows.Row(ptrs[1])
	one.UpdateRows(func(r *Row) (Row, bool) {
		if r.ID != "m0001" {
			return *r, false
		}
		return r.WithException(&ExceptionMatch{ID: 3}), true
	})
	if !reflect.DeepEqual(*rows.Row(ptrs[1]), before) {
		t.Fatal("UpdateRows wrote into the shared row")
	}
	if got := one.RowAt(one.Find("m0001")); got == rows.Row(ptrs[1]) || got.Exception == nil {
		t.Fatalf("the updated table lists %+v, want its own row with the exception", got)
	}
	if other.RowAt(other.Find("m0001")) != rows.Row(ptrs[1]) {
		t.Fatal("the other table lost the shared row")
	}
	one.SetFilter(Filter{NoException: true})
	if one.Find("m0001") >= 0 || other.Find("m0001") < 0 {
		t.Fatal("the filter does not see the updated row")
	}
}
