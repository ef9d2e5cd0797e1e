package app

import (
	"errors"
	"fmt"
	"strings"
	"sync"
	"testing"

	"mxaudit/model"
)

// TestSpillConcurrentPutGetClose (found in review): batches
// put from several goroutines, replacing one another's messages, while
// readers read them back and the spill is closed midway. Every read is
// the message of its ID (of some version) or an error; none panics.
func TestSpillConcurrentPutGetClose(t *testing.T) {
	s := NewSpill(t.TempDir())
	const writers, readers, ids, rounds = 4, 4, 300, 40
	msg := func(id, v int) model.Message {
		return model.Message{ID: model.MessageID(fmt.Sprintf("m/%d", id)), Subject: fmt.Sprintf("m/%d#%d %s", id, v, strings.Repeat("x", id%97)),
			To: []string{fmt.Sprintf("to%d@example.com", id)}}
	}
	var wg sync.WaitGroup
	stop := make(chan struct{})
	for w := range writers {
		wg.Go(func() {
			for r := range rounds {
				batch := make([]model.Message, 0, 64)
				for i := range 64 {
					batch = append(batch, msg((w*64+i+r*7)%ids, r))
				}
				s.Put(batch...)
			}
		})
	}
	var bad sync.Map
	for range readers {
		wg.Go(func() {
			for i := 0; ; i++ {
				select {
				case <-stop:
					return
				default:
				}
				id := model.MessageID(fmt.Sprintf("m/%d", i%ids))
				m, err := s.Get(id)
				switch {
				case err == nil:
					if m.ID != id || !strings.HasPrefix(m.Subject, string(id)+"#") || len(m.To) != 1 {
						bad.Store(id, m.Subject)
					}
				case errors.Is(err, ErrSpillDamaged):
					bad.Store(id, err.Error())
				}
			}
		})
	}
	wg.Go(func() {
		// Close while writers and readers are still going.
		for s.Len() < ids/2 {
		}
		s.Close()
		close(stop)
	})
	wg.Wait()
	bad.Range(func(k, v any) bool { t.Errorf("%v read back as %v", k, v); return true })
	if _, err := s.Get("m/1"); !errors.Is(err, ErrNotSpilled) {
		t.Errorf("after Close: %v", err)
	}
}

// Len is for the stress test only.
func (s *Spill) Len() int {
	s.mu.Lock()
	defer s.mu.Unlock()
	return len(s.index)
}
