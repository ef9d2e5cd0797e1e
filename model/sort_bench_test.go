package model

import (
	"math/rand/v2"
	"testing"
)

// BenchmarkSetSort100k measures re-sorting 100,000 messages by one
// column, flipping the direction each time, the work of the console's s
// and S keys when no order is ready for the key (the orders kept are
// dropped before each sort, as a change to the rows drops them).
func BenchmarkSetSort100k(b *testing.B) {
	tab := NewTable()
	tab.Append(randomMessages(rand.New(rand.NewPCG(1, 2)), 100_000)...)
	for c := range NumColumns {
		b.Run(c.String(), func(b *testing.B) {
			desc := false
			for b.Loop() {
				desc = !desc
				tab.rowsChanged()
				tab.SetSort(SortKey{Column: c, Desc: desc})
			}
		})
	}
}

// BenchmarkSortAhead100k measures a job sorting ahead (SortJobIn, then
// Run, as the console runs it on a goroutine of its own): taking it, in
// Update, and sorting, away from it.
func BenchmarkSortAhead100k(b *testing.B) {
	tab := NewTable()
	tab.Append(randomMessages(rand.New(rand.NewPCG(1, 2)), 100_000)...)
	for _, c := range []Column{ColumnDate, ColumnFrom, ColumnSubject} {
		b.Run(c.String(), func(b *testing.B) {
			for b.Loop() {
				tab.rowsChanged()
				for _, j := range sortJobs(tab, SortKey{Column: c, Desc: true}) {
					j.Run()
				}
			}
		})
		// Taking the job alone: the part that runs in Update, with its
		// arrays, and into room made beforehand (SortRoom), as the
		// console takes it.
		b.Run(c.String()+"/take", func(b *testing.B) {
			for b.Loop() {
				tab.rowsChanged()
				sortJobs(tab, SortKey{Column: c, Desc: true})
			}
		})
		b.Run(c.String()+"/take into room", func(b *testing.B) {
			k := SortKey{Column: c, Desc: true}
			for b.Loop() {
				b.StopTimer()
				tab.rowsChanged()
				room := NewSortRoom(tab.SortRoomFor(k))
				b.StartTimer()
				tab.SortJobIn(room, k)
			}
		})
	}
}
