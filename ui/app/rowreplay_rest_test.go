package app

import (
	"context"
	"errors"
	"testing"
	"time"

	"mxaudit/analysis/scan"
	"mxaudit/mailsrc"
	"mxaudit/model"
)

// TestRowReplayRestFailsClosed: a row replay closes the cache once its
// first block is out (the lock is free while the rows go out), and a
// rest replayed after a damaged block opens it again; should the cache
// then hold a listed message's result elsewhere than the scan checked
// (another process took the lock meanwhile and wrote it anew), the
// scan stops with errReplay rather than emit that result beside the
// snapshot's pairing. The same rest, the cache untouched, is replayed
// (TestRowSnapshotIsWhatTheScanEmits).
func TestRowReplayRestFailsClosed(t *testing.T) {
	defer func(n int) { rowsPerBlock = n }(rowsPerBlock)
	rowsPerBlock = 50
	a, _, cfg := keptQuarantine(t, Options{})
	untilRows(t, a)
	damageRows(t, cfg) // the rest comes as messages
	var entries []mailsrc.Entry
	if err := a.src.List(context.Background(), func(e mailsrc.Entry) error {
		entries = append(entries, e)
		return nil
	}); err != nil {
		t.Fatal(err)
	}
	rows, rewritten := 0, 0
	_, err := a.ScanRows(context.Background(), func(model.Message) error { return nil }, func(*model.Row) error {
		rows++
		if rows > 1 {
			return nil
		}
		// The first row is out: the cache is free to take, as another
		// process would, and every result is written anew.
		deadline := time.Now().Add(10 * time.Second)
		c := a.openCache()
		for c == nil || c.Stats().ReadOnly {
			if c != nil {
				c.Close()
			}
			if time.Now().After(deadline) {
				t.Fatal("the cache stayed locked while the rows went out")
			}
			time.Sleep(10 * time.Millisecond)
			c = a.openCache()
		}
		defer c.Close()
		for _, e := range entries {
			key := scan.StampKey(scan.StampSum(e))
			if m, ok := c.Get(key); ok {
				m.Subject += " (analysed again)" // the same bytes would not be written again
				if err := c.Put(key, m); err != nil {
					t.Fatal(err)
				}
				rewritten++
			}
		}
		return nil
	}, nil, nil)
	if rows == 0 || rows == len(entries) || rewritten < len(entries)/2 {
		t.Fatalf("%d of %d rows handed out, %d results written again: the test checks no rest", rows, len(entries), rewritten)
	}
	if !errors.Is(err, errReplay) {
		t.Fatalf("a rest replayed from a cache written again since the check: %v", err)
	}
}
