package model

import (
	"fmt"
	"testing"
)

// livePins counts the rows whose interned sort keys the table pins.
func livePins(t *Table) int {
	n := 0
	for _, c := range t.pins {
		for _, p := range c {
			if p != (rowPins{}) {
				n++
			}
		}
	}
	return n
}

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

// TestRemoveAndUpdateDropPins checks that the handles keeping a shared
// row's sort keys interned go with the row, or with its shared keys.
func TestRemoveAndUpdateDropPins(t *testing.T) {
	msgs := make([]Message, 2500)
	ptrs := make([]*Message, len(msgs))
	for i := range msgs {
		msgs[i] = msg(fmt.Sprintf("m%04d", i), withFrom(fmt.Sprintf("Sender %d <s%d@x.example>", i%7, i)))
		ptrs[i] = &msgs[i]
	}
	tab := NewTable()
	tab.AppendShared(ptrs...)
	tab.Append(msg("own"))
	if got := livePins(tab); got != len(msgs) {
		t.Fatalf("%d rows pinned, want %d", got, len(msgs))
	}
	gone := map[MessageID]bool{}
	for i := 0; i < len(msgs); i += 3 {
		gone[msgs[i].ID] = true
	}
	if n := tab.Remove(gone); n != len(gone) {
		t.Fatalf("removed %d, want %d", n, len(gone))
	}
	if got, want := livePins(tab), len(msgs)-len(gone); got != want {
		t.Fatalf("after Remove %d rows pinned, want %d", got, want)
	}
	tab.Update(func(m *Message) bool {
		if m.ID != "m0001" {
			return false
		}
		m.Subject = "changed"
		return true
	})
	if got, want := livePins(tab), len(msgs)-len(gone)-1; got != want {
		t.Fatalf("after Update %d rows pinned, want %d", got, want)
	}
	tab.SetFilter(Filter{Text: "sender 3"})
	for i := range tab.Len() {
		if gone[tab.At(i).ID] {
			t.Fatalf("removed %s is shown", tab.At(i).ID)
		}
	}
}
