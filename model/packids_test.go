package model

import (
	"math/rand/v2"
	"slices"
	"testing"
	"unsafe"
)

// TestPackIDsCopies checks that PackIDs keeps the IDs' values and
// copies them out of the caller's larger text.
func TestPackIDsCopies(t *testing.T) {
	text := "one two three"
	ids := []MessageID{MessageID(text[:3]), MessageID(text[4:7]), MessageID(text[8:]), ""}
	want := slices.Clone(ids)
	got := PackIDs(ids)
	if !slices.Equal(got, want) {
		t.Fatalf("PackIDs = %q, want %q", got, want)
	}
	lo := uintptr(unsafe.Pointer(unsafe.StringData(text)))
	for _, id := range got {
		if p := uintptr(unsafe.Pointer(unsafe.StringData(string(id)))); len(id) > 0 && p >= lo && p < lo+uintptr(len(text)) {
			t.Fatalf("packed ID %q is a slice of the caller's text", id)
		}
	}
}

// BenchmarkPackIDs100k measures what the console does in Update as its
// watch starts (Table.PackedIDs) on 100,000 messages sorted by date, and
// for comparison the same IDs taken in the list's order.
func BenchmarkPackIDs100k(b *testing.B) {
	tab := NewTable()
	tab.Append(randomMessages(rand.New(rand.NewPCG(1, 2)), 100_000)...)
	tab.SetSort(SortKey{Column: ColumnDate})
	b.Run("arrival order", func(b *testing.B) {
		for b.Loop() {
			tab.PackedIDs()
		}
	})
	b.Run("list order", func(b *testing.B) {
		for b.Loop() {
			ids := make([]MessageID, 0, tab.Total())
			tab.EachRow(func(r *Row) { ids = append(ids, r.ID()) })
			PackIDs(ids)
		}
	})
}
