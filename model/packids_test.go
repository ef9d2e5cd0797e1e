package model

import (
	"math/rand/v2"
	"slices"
	"strings"
	"testing"
	"unsafe"
)

// TestPackIDsCopies checks that PackIDs keeps the IDs' values, empty
// and long ones too, in their order, and copies them out of the
// caller's larger text.
func TestPackIDsCopies(t *testing.T) {
	text := "one two three" + strings.Repeat("x", 300)
	ids := []MessageID{MessageID(text[:3]), MessageID(text[4:7]), MessageID(text[8:]), "", "é"}
	want := slices.Clone(ids)
	p := PackIDs(slices.Values(ids))
	if got := slices.Collect(p.All()); !slices.Equal(got, want) || p.Len() != len(want) {
		t.Fatalf("PackIDs = %q (%d), want %q", got, p.Len(), want)
	}
	lo := uintptr(unsafe.Pointer(unsafe.StringData(text)))
	for id := range p.All() {
		if p := uintptr(unsafe.Pointer(unsafe.StringData(string(id)))); len(id) > 0 && p >= lo && p < lo+uintptr(len(text)) {
			t.Fatalf("packed ID %q is a slice of the caller's text", id)
		}
	}
	for id := range p.All() {
		if id == "two" {
			break // a loop that stops early stops the iteration
		}
	}
	n := 0
	for _, id := range want {
		n += len(id)
	}
	if got := len(p.packed); got != n+len(want)+1 {
		t.Errorf("packed into %d bytes, want the IDs' %d and a byte each but the long one's 2", got, n)
	}
	if got := slices.Collect(PackIDs(slices.Values([]MessageID(nil))).All()); len(got) != 0 {
		t.Errorf("no IDs packed as %q", got)
	}
}

// BenchmarkPackIDs100k measures what the console does as its watch
// asks for the IDs listed (ui/console's sendIDs), on 100,000 messages
// sorted by date: in Update, the IDs gathered in arrival order
// (ArrivalIDs); in a command, packed. For comparison, the IDs gathered
// in the list's order.
func BenchmarkPackIDs100k(b *testing.B) {
	tab := NewTable()
	tab.Append(randomMessages(rand.New(rand.NewPCG(1, 2)), 100_000)...)
	tab.SetSort(SortKey{Column: ColumnDate})
	b.Run("gathered", func(b *testing.B) {
		for b.Loop() {
			tab.ArrivalIDs()
		}
	})
	ids := tab.ArrivalIDs()
	b.Run("packed", func(b *testing.B) {
		for b.Loop() {
			PackIDs(slices.Values(ids))
		}
	})
	b.Run("list order", func(b *testing.B) {
		for b.Loop() {
			ids := make([]MessageID, 0, tab.Total())
			tab.EachRow(func(r *Row) { ids = append(ids, r.ID()) })
		}
	})
}
