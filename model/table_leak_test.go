package model

import (
	"fmt"
	"reflect"
	"testing"
)

// TestUpdateOverwritesOwnedRows checks that repeated policy changes over
// the table's own messages change them in their slots, leaving no dead
// copy behind, while a shared message is still replaced by a copy.
func TestUpdateOverwritesOwnedRows(t *testing.T) {
	tab := NewTable()
	var owned []Message
	for i := range 3000 { // three chunks
		owned = append(owned, msg(fmt.Sprintf("o%04d", i), withDate(1+i%28)))
	}
	tab.Append(owned...)
	shared := msg("s", withDate(2))
	tab.AppendShared(&shared)
	before := map[MessageID]*Message{}
	tab.Each(func(m *Message) { before[m.ID] = m })
	for round := range 5 {
		tab.Update(func(m *Message) bool {
			m.Exception = &ExceptionMatch{ID: round + 1}
			return true
		})
	}
	tab.Each(func(m *Message) {
		if m.Exception == nil || m.Exception.ID != 5 {
			t.Fatalf("%s: exception %+v, want the last round's", m.ID, m.Exception)
		}
		switch {
		case m.ID == "s" && m == before["s"]:
			t.Fatal("the shared message was written in place")
		case m.ID != "s" && m != before[m.ID]:
			t.Fatalf("%s: a new copy replaced the owned one, which stays in its chunk", m.ID)
		}
	})
	if shared.Exception != nil {
		t.Fatal("Update wrote through to the shared message")
	}
	slots := 0
	for _, c := range tab.owned {
		slots += len(c)
	}
	if slots != len(owned) {
		t.Fatalf("%d owned slots for %d messages", slots, len(owned))
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
	for i := range one.Len() {
		r, m := one.RowAt(i), one.At(i)
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
	one.Update(func(m *Message) bool {
		if m.ID != "m0001" {
			return false
		}
		m.Exception = &ExceptionMatch{ID: 3}
		return true
	})
	if !reflect.DeepEqual(*rows.Row(ptrs[1]), before) {
		t.Fatal("Update wrote into the shared row")
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
