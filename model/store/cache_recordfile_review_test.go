package store

import (
	"bytes"
	"fmt"
	"sync"
	"testing"
)

// TestRecordFileReopenWhileClosing: handles reopened while the cache
// closes (run with -race) either fail, or read exactly the message's
// bytes at its place.
func TestRecordFileReopenWhileClosing(t *testing.T) {
	for round := range 20 {
		dir, _ := fillCache(t, 20)
		c := openTestCache(t, dir)
		var wg sync.WaitGroup
		for w := range 4 {
			wg.Add(1)
			go func() {
				defer wg.Done()
				for i := range 20 {
					m, ok := c.GetEncoded(fmt.Sprintf("7/%d", (i+w)%20))
					if !ok || m.Encoded.From == nil {
						continue
					}
					h, err := m.Encoded.From.Reopen()
					if err != nil {
						continue
					}
					b := make([]byte, len(m.Encoded.JSON))
					_, err = h.ReadAt(b, m.Encoded.At)
					h.Close()
					if err != nil || !bytes.Equal(b, m.Encoded.JSON) {
						t.Errorf("round %d: read %v, equal %v", round, err, bytes.Equal(b, m.Encoded.JSON))
					}
				}
			}()
		}
		c.Close()
		wg.Wait()
	}
}
