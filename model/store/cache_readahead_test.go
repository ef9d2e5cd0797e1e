package store

import (
	"fmt"
	"testing"

	"mxaudit/model"
)

// TestReadAheadSeesLaterRecords: a block read while the file was shorter
// does not hide records flushed after it, and records read out of file
// order (a scan's and the pairings' interleaved) all come back right.
func TestReadAheadSeesLaterRecords(t *testing.T) {
	c := openTestCache(t, t.TempDir())
	put := func(i int) {
		if err := c.Put(fmt.Sprint("k", i), model.Message{ID: model.MessageID(fmt.Sprint(i)), Subject: fmt.Sprintf("%0400d", i)}); err != nil {
			t.Fatal(err)
		}
	}
	get := func(i int) {
		t.Helper()
		m, ok := c.Get(fmt.Sprint("k", i))
		if !ok || m.ID != model.MessageID(fmt.Sprint(i)) {
			t.Fatalf("record %d: %v %q", i, ok, m.ID)
		}
	}
	for i := range 1000 {
		put(i)
		if err := c.Flush(); err != nil {
			t.Fatal(err)
		}
		get(i)
		get(i / 2)
		if i > 0 {
			get(i - 1)
		}
	}
	for i := range 1000 {
		get(i)
		get(999 - i)
	}
}
