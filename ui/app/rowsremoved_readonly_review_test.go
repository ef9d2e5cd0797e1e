package app

import (
	"testing"

	"mxaudit/model/store"
)

// TestRowsRemovedReadOnlyKeepsUnrecordedList (concurrency review): a
// console whose cache another process holds (read-only) replays a
// listing with a message taken out in memory, records no snapshot, but
// still keeps its list, under the digest of the snapshot it did not
// record. That replaces the list of the snapshot the cache still holds:
// the next start, with the cache its own, finds no list for it and
// replays the messages instead of the rows.
func TestRowsRemovedReadOnlyKeepsUnrecordedList(t *testing.T) {
	r := oldNewsQuarantine(t, "1794788000", "1794788500")
	dir, cfg := r.dir, r.cfg
	a := r.console()
	r.remove("1794788000.M1P1.news")

	// Another process (here: this test) holds the cache.
	name, fp := cacheIdentity(t, dir, cfg)
	held, err := store.OpenCache(cfg.CacheDir, name, fp)
	if err != nil {
		t.Fatal(err)
	}
	s := scanRows(t, a)
	ro := scanRows(t, a) // and again, still read-only
	if err := held.Close(); err != nil {
		t.Fatal(err)
	}
	t.Logf("read-only: replayed %v, rows %d/%d, messages %d/%d", a.ScanReplayed(), len(s.rows), len(ro.rows), len(s.msgs), len(ro.msgs))

	after := scanRows(t, a)
	t.Logf("cache its own again: replayed %v, rows %d, messages %d", a.ScanReplayed(), len(after.rows), len(after.msgs))
	if len(after.rows) == 0 {
		t.Fatalf("the first start with the cache writable again handed out no row: the list kept was replaced by one of a snapshot never recorded")
	}
}
