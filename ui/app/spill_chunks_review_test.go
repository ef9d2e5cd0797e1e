package app

// The tests of this file came from a review of the spill's records in
// chunks.

import (
	"errors"
	"fmt"
	"testing"

	"mxaudit/model"
)

// TestSpillPlacesAcrossChunks: with chunks of 3 records, places stay
// right across chunk ends, overflow (colliding keys), in-memory copies,
// compactions, Reset and Close.
func TestSpillPlacesAcrossChunks(t *testing.T) {
	defer func(c int) { chunkLen = c }(chunkLen)
	chunkLen = 3 // before NewSpill: the spill is built and used under it
	s := NewSpill(t.TempDir())
	defer s.Close()
	s.compactMin = 1 << 10
	s.keyOf = func(id model.MessageID) uint64 { return uint64(len(id)) % 5 } // many collide
	want := map[model.MessageID]string{}
	check := func(what string) {
		t.Helper()
		s.mu.Lock()
		for _, i := range s.index {
			if int(i) >= s.recs.len() || i < 0 && int(-i-1) >= len(s.mem) {
				t.Fatalf("%s: place %d out of %d records", what, i, s.recs.len())
			}
		}
		for _, i := range s.overflow {
			if int(i) >= s.recs.len() {
				t.Fatalf("%s: overflow place %d out of %d records", what, i, s.recs.len())
			}
		}
		s.mu.Unlock()
		for id, subj := range want {
			m, err := s.Get(id)
			if err != nil || m.Subject != subj {
				t.Fatalf("%s: %s: %q, %v; want %q", what, id, m.Subject, err, subj)
			}
		}
	}
	compactions := 0
	for round := range 30 {
		var batch []model.Message
		for i := range 20 {
			id := model.MessageID(fmt.Sprintf("m%d-%s", (round*20+i)%97, "xxxxxxx"[:i%7]))
			subj := fmt.Sprintf("round %d message %d %0200d", round, i, 0)
			if i%9 == 0 {
				subj = `\ufffd literally` + subj // lossy: kept in memory
			}
			batch = append(batch, model.Message{ID: id, Subject: subj})
			want[id] = subj
		}
		retired := s.retired
		s.Put(batch...)
		if s.retired != retired {
			compactions++
		}
		var gone []model.MessageID
		for id := range want {
			if len(gone) < 15 {
				gone = append(gone, id)
			}
		}
		s.Forget(gone...)
		for _, id := range gone {
			delete(want, id)
			if _, err := s.Get(id); !errors.Is(err, ErrNotSpilled) {
				t.Fatalf("round %d: %s after Forget: %v", round, id, err)
			}
		}
		check(fmt.Sprint("round ", round))
		if round == 20 {
			s.Reset()
			for id := range want {
				if _, err := s.Get(id); !errors.Is(err, ErrNotSpilled) {
					t.Fatalf("after Reset: %s: %v", id, err)
				}
			}
			clear(want)
		}
	}
	if compactions == 0 {
		t.Fatal("no compaction ran")
	}
	s.Close()
	if _, err := s.Get("m1-"); !errors.Is(err, ErrNotSpilled) {
		t.Fatalf("after Close: %v", err)
	}
}

// TestChunkListKeepsItsChunkLength: a list made, or first added to,
// under one chunkLen reads back under another (a test that changes it
// while a spill or a held listing of another is in use); it panicked,
// and a spill's lock stayed held.
func TestChunkListKeepsItsChunkLength(t *testing.T) {
	defer func(c int) { chunkLen = c }(chunkLen)
	chunkLen = 4
	made := newChunkList[int](10)
	var zero chunkList[int]
	for i := range 10 {
		made.add(i)
		zero.add(i)
	}
	chunkLen = 16
	for i := range 10 {
		if *made.at(i) != i || *zero.at(i) != i {
			t.Fatalf("element %d: %d, %d", i, *made.at(i), *zero.at(i))
		}
	}
	made.dropBefore(8)
	if made.gone != 8 {
		t.Fatalf("let go of %d, want the first two chunks of 4", made.gone)
	}
	s := func() *Spill {
		chunkLen = 2
		defer func() { chunkLen = 16 }()
		s := NewSpill(t.TempDir())
		for i := range 9 {
			s.Put(model.Message{ID: model.MessageID(fmt.Sprint("m", i)), Subject: "s"})
		}
		return s
	}()
	defer s.Close()
	if m, err := s.Get("m8"); err != nil || m.ID != "m8" {
		t.Fatalf("Get after chunkLen changed: %v %v", m.ID, err)
	}
}
