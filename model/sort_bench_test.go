package model

import (
	"math/rand/v2"
	"strconv"
	"strings"
	"testing"
	"time"
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

// BenchmarkSetSortSharedSubjects100k sorts 100,000 subjects that share
// their first 1,000 bytes and end in a number, as a sender can make
// them, the way SetSort sorts when no order is ready: in Update.
func BenchmarkSetSortSharedSubjects100k(b *testing.B) {
	msgs := randomMessages(rand.New(rand.NewPCG(1, 2)), 100_000)
	shared := strings.Repeat("請求書 invoice ", 60)[:1000]
	for i := range msgs {
		msgs[i].Subject = shared + strconv.Itoa((i*7919)%100_000)
	}
	benchSetSortSubject(b, msgs)
}

// benchSetSortSubject times SetSort by subject over msgs, as in Update
// when no order is ready.
func benchSetSortSubject(b *testing.B, msgs []Message) {
	tab := NewTable()
	tab.Append(msgs...)
	for b.Loop() {
		b.StopTimer() // by another column first, so that no order is flipped
		tab.SetSort(SortKey{Column: ColumnDate})
		tab.rowsChanged() // and none kept
		b.StartTimer()
		tab.SetSort(SortKey{Column: ColumnSubject})
	}
}

// BenchmarkSetSortPartingSubjects100k sorts subjects that part a few at
// a time, P+"x"*k+"y" for k from 999 down to 0, a hundred of each,
// arriving longest first (a review's shape against skipping what texts
// share), as SetSort sorts them in Update.
func BenchmarkSetSortPartingSubjects100k(b *testing.B) {
	msgs := randomMessages(rand.New(rand.NewPCG(1, 2)), 100_000)
	p := strings.Repeat("請求書 ", 10)
	for i := range msgs {
		msgs[i].Subject = p + strings.Repeat("x", 999-i/100) + "y"
	}
	benchSetSortSubject(b, msgs)
}

// BenchmarkSetSortNULTailSubjects100k sorts 100,000 subjects that share
// 1,000 bytes and then differ only by a tail of NUL bytes, 0 to 299 long
// (a review's shape): equal but for their length however far the radix
// passes go, they are settled by comparison, which must not read the
// shared bytes again each time.
func BenchmarkSetSortNULTailSubjects100k(b *testing.B) {
	msgs := randomMessages(rand.New(rand.NewPCG(1, 2)), 100_000)
	shared := strings.Repeat("x", 1000)
	for i := range msgs {
		msgs[i].Subject = shared + strings.Repeat("\x00", (i*7919)%300)
	}
	benchSetSortSubject(b, msgs)
}

// BenchmarkSortJobFarDates200k runs a job sorting by date 200,000
// messages that a sender dated 1600, beyond what a key holds: each is
// settled from the job's far dates.
func BenchmarkSortJobFarDates200k(b *testing.B) {
	msgs := randomMessages(rand.New(rand.NewPCG(1, 2)), 200_000)
	for i := range msgs {
		msgs[i].Date = time.Date(1600, 1, 1, 0, 0, (i*7919)%200_000, i%1000, time.UTC)
	}
	tab := NewTable()
	tab.Append(msgs...)
	for b.Loop() {
		b.StopTimer()
		tab.rowsChanged()
		jobs := sortJobs(tab, SortKey{Column: ColumnDate, Desc: true})
		b.StartTimer()
		for _, j := range jobs {
			j.Run()
		}
	}
}

// BenchmarkSetSortDecoySubjects100k sorts 100,000 subjects sharing 1,000
// bytes with a number at the end, as BenchmarkSetSortSharedSubjects100k,
// behind two decoys arriving first at each 8-byte level up to 80, which
// part from the others there and from each other: the first two texts of
// every run then disagree on their next 8 bytes, so that no skip is made
// (a review's shape).
func BenchmarkSetSortDecoySubjects100k(b *testing.B) {
	benchSetSortSubject(b, decoySubjectMessages(100_000, japaneseShared))
}

// BenchmarkSetSortDecoySubjectsASCII100k is
// BenchmarkSetSortDecoySubjects100k with an ASCII shared part: cut at
// any 8-byte depth, a decoy still agrees with the others up to it (a
// review's shape: the Japanese text's cuts split characters, which
// lower-casing turns into U+FFFD, so that some of its decoys part
// earlier than meant).
func BenchmarkSetSortDecoySubjectsASCII100k(b *testing.B) {
	benchSetSortSubject(b, decoySubjectMessages(100_000, asciiShared))
}

// The shared parts of the decoy subjects: 1,000 bytes each.
var (
	japaneseShared = strings.Repeat("請求書 invoice ", 60)[:1000]
	asciiShared    = strings.Repeat("invoice ", 125)
)

// decoySubjectMessages returns n messages for BenchmarkSetSortDecoySubjects100k
// whose subjects share shared.
func decoySubjectMessages(n int, shared string) []Message {
	msgs := randomMessages(rand.New(rand.NewPCG(1, 2)), n)
	var subjects []string
	for depth := 0; depth <= textRadixDepth+16; depth += 8 {
		subjects = append(subjects, shared[:depth]+"\x01decoy-a", shared[:depth]+"\x02decoy-b")
	}
	for i := range msgs {
		if i < len(subjects) {
			msgs[i].Subject = subjects[i]
			continue
		}
		msgs[i].Subject = shared + strconv.Itoa((i*7919)%n)
	}
	return msgs
}
