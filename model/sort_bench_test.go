package model

import (
	"math/rand/v2"
	"testing"
)

// BenchmarkSetSort100k measures re-sorting 100,000 messages by one
// column, flipping the direction each time, the work of the console's s
// and S keys.
func BenchmarkSetSort100k(b *testing.B) {
	tab := NewTable()
	tab.Append(randomMessages(rand.New(rand.NewPCG(1, 2)), 100_000)...)
	for c := range NumColumns {
		b.Run(c.String(), func(b *testing.B) {
			desc := false
			for b.Loop() {
				desc = !desc
				tab.SetSort(SortKey{Column: c, Desc: desc})
			}
		})
	}
}
