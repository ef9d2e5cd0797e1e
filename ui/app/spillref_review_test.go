package app

import (
	"sync"
	"testing"

	"mxaudit/model"
)

// TestSpillOutsideLiveAndClose: records of the cache's file never count
// in the spill's live bytes (put, forgotten, replaced), and Close
// closes the handle on that file.
func TestSpillOutsideLiveAndClose(t *testing.T) {
	file := &fileOfRecords{}
	msgs := recordsIn(t, file, "m", 10)
	s := NewSpill(t.TempDir())
	s.Put(msgs...)
	fresh := model.Message{ID: "fresh", Subject: "anew"}
	s.Put(fresh)
	live := s.live
	s.Forget(msgs[0].ID, msgs[1].ID)
	s.Put(msgs[2]) // replaced by itself
	if s.live != live {
		t.Fatalf("live went from %d to %d dropping records of the cache's file", live, s.live)
	}
	if file.open.Load() != 1 {
		t.Fatalf("%d handles open on the cache's file, want 1", file.open.Load())
	}
	s.Close()
	if n := file.open.Load(); n != 0 {
		t.Fatalf("%d handles on the cache's file left open after Close", n)
	}
}

// TestSpillResetLetsTheCachesFileGo: after a reload (Reset) no record
// names the old cache file: its handle is closed (a compacted cache's
// old file, possibly GBs, must not stay pinned for weeks under
// "mxaudit serve"), and the next scan's cache file is named rather than
// copied.
func TestSpillResetLetsTheCachesFileGo(t *testing.T) {
	first := &fileOfRecords{}
	msgs := recordsIn(t, first, "m", 5)
	s := NewSpill(t.TempDir())
	defer s.Close()
	s.Put(msgs...)
	s.Reset()
	if n := first.open.Load(); n != 0 {
		t.Errorf("%d handles on the first cache file still open after Reset", n)
	}
	second := recordsIn(t, &fileOfRecords{}, "n", 5)
	s.Put(second...)
	if s.end != 0 {
		t.Errorf("after a reload, the next cache file's messages were copied (%d bytes)", s.end)
	}
	for _, m := range second {
		if got, err := s.Get(m.ID); err != nil || got.Subject != m.Subject {
			t.Fatalf("%s: %q, %v", m.ID, got.Subject, err)
		}
	}
}

// TestSpillOutsidePutCloseRace: Put naming the cache's file while the
// console closes the spill (run with -race).
func TestSpillOutsidePutCloseRace(t *testing.T) {
	for range 50 {
		file := &fileOfRecords{}
		msgs := recordsIn(t, file, "m", 4)
		s := NewSpill(t.TempDir())
		var wg sync.WaitGroup
		wg.Add(2)
		go func() { defer wg.Done(); s.Put(msgs[0]); s.Put(msgs[1:]...) }()
		go func() { defer wg.Done(); s.Close() }()
		wg.Wait()
	}
}
