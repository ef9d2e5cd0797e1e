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
	shared := NewRowBuilder().Rows([]Message{msg("s", withDate(2))})[0]
	tab.AppendSharedRows(shared)
	sharedBefore := *shared
	before := map[MessageID]*Row{}
	tab.EachRow(func(r *Row) { before[r.ID()] = r })
	if before["s"] != shared {
		t.Fatal("the table does not list the shared row")
	}
	for round := range 5 {
		tab.UpdateRows(func(r *Row) (Row, bool) {
			return r.WithException(&ExceptionMatch{ID: round + 1}), true
		})
	}
	tab.EachRow(func(r *Row) {
		if r.Exception == nil || r.Exception.ID != 5 {
			t.Fatalf("%s: exception %+v, want the last round's", r.ID(), r.Exception)
		}
		switch {
		case r.ID() == "s" && r == before["s"]:
			t.Fatal("the shared row was written in place")
		case r.ID() != "s" && r != before[r.ID()]:
			t.Fatalf("%s: a new row replaced the owned one, which stays in its chunk", r.ID())
		}
	})
	if !reflect.DeepEqual(*shared, sharedBefore) {
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

// TestTablesShareRows checks that tables listing shared rows point at
// them instead of building their own, that UpdateRows gives a table its
// own row for the changed message while the shared one stays, and that
// rows of the table's own mix with shared ones.
func TestTablesShareRows(t *testing.T) {
	msgs := make([]Message, 2500)
	for i := range msgs {
		msgs[i] = msg(fmt.Sprintf("m%04d", i), withFrom(fmt.Sprintf("Sender %d <s%d@x.example>", i%7, i)))
	}
	shared := NewRowBuilder().Rows(msgs[:2000])
	byID := map[MessageID]*Row{}
	for _, r := range shared {
		byID[r.ID()] = r
	}
	one, other := NewTable(), NewTable()
	for _, tab := range []*Table{one, other} {
		tab.AppendSharedRows(shared...)
		tab.Append(msgs[2000:]...)
	}
	if one.Len() != len(msgs) {
		t.Fatalf("the table lists %d messages, want %d", one.Len(), len(msgs))
	}
	for i := range one.Len() {
		r := one.RowAt(i)
		want, isShared := byID[r.ID()]
		switch {
		case isShared && r != want:
			t.Fatalf("%s: the table built its own row for a shared one", r.ID())
		case !isShared && r.ID() < "m2000":
			t.Fatalf("%s: a row of the table's own for a shared message", r.ID())
		}
	}
	before := *byID["m0001"]
	one.UpdateRows(func(r *Row) (Row, bool) {
		if r.ID() != "m0001" {
			return *r, false
		}
		return r.WithException(&ExceptionMatch{ID: 3}), true
	})
	if !reflect.DeepEqual(*byID["m0001"], before) {
		t.Fatal("UpdateRows wrote into the shared row")
	}
	if got := one.RowAt(one.Find("m0001")); got == byID["m0001"] || got.Exception == nil {
		t.Fatalf("the updated table lists %+v, want its own row with the exception", got)
	}
	if other.RowAt(other.Find("m0001")) != byID["m0001"] {
		t.Fatal("the other table lost the shared row")
	}
	one.SetFilter(Filter{NoException: true})
	if one.Find("m0001") >= 0 || other.Find("m0001") < 0 {
		t.Fatal("the filter does not see the updated row")
	}
}
