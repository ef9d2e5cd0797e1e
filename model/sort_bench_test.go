package model

import (
	"math/rand/v2"
	"testing"
)

// BenchmarkSetSort100k measures re-sorting 100,000 messages by each
// column in turn, the work of the console's s key.
func BenchmarkSetSort100k(b *testing.B) {
	tab := NewTable()
	tab.Append(randomMessages(rand.New(rand.NewPCG(1, 2)), 100_000)...)
	c := ColumnDate
	for b.Loop() {
		c = c.Next()
		tab.SetSort(SortKey{Column: c})
	}
}
