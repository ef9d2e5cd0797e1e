package app

import (
	"context"
	"errors"
	"sync"
	"testing"

	"mxaudit/model"
)

// TestSpillCompactsWhatLeft checks that a spill whose messages mostly
// left (as under a long-running "mxaudit serve") is rewritten smaller,
// that every message still kept reads back as it was put, even while the
// compaction runs, and that a forgotten one is gone.
func TestSpillCompactsWhatLeft(t *testing.T) {
	msgs := spillMessages(t, 600)
	s := NewSpill(t.TempDir())
	defer s.Close()
	s.compactMin = 64 << 10
	putInBatches(s, msgs[:400], 100)
	before := s.end
	gone := make([]model.MessageID, 0, 300)
	for i := range 300 {
		gone = append(gone, msgs[i].ID)
	}
	s.Forget(gone...)

	// Readers run through the compaction the next Put sets off.
	ctx, stop := context.WithCancel(context.Background())
	var wg sync.WaitGroup
	var readErr error
	var once sync.Once
	for w := range 2 {
		wg.Go(func() {
			for i := 0; ctx.Err() == nil; i++ {
				m := msgs[300+(i*7+w)%100]
				if _, err := s.Message(context.Background(), m.ID); err != nil {
					once.Do(func() { readErr = err })
				}
			}
		})
	}
	putInBatches(s, msgs[400:], 100)
	stop()
	wg.Wait()
	if readErr != nil {
		t.Fatalf("a read during the compaction failed: %v", readErr)
	}
	if s.retired == nil {
		t.Fatal("no compaction ran")
	}
	if s.end >= before {
		t.Errorf("the file is %d bytes after the compaction, %d before", s.end, before)
	}
	for i, m := range msgs {
		got, err := s.Get(m.ID)
		switch {
		case i < 300 && !errors.Is(err, ErrNotSpilled):
			t.Fatalf("%s: read back after Forget (%v)", m.ID, err)
		case i < 300:
		case err != nil:
			t.Fatalf("%s: %v", m.ID, err)
		case !sameJSON(t, got, m) || !got.Date.Equal(m.Date):
			t.Fatalf("%s read back different after the compaction", m.ID)
		}
	}
}
