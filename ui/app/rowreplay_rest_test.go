package app

import (
	"bytes"
	"context"
	"encoding/binary"
	"errors"
	"fmt"
	"os"
	"strings"
	"testing"
	"time"

	"mxaudit/analysis/scan"
	"mxaudit/model"
	"mxaudit/model/store"
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
	damageBlock(t, cfg, 3) // the rest comes as messages
	entries := listOf(t, a)
	rows, rewritten := 0, 0
	_, err := a.ScanRows(context.Background(), func(model.Message, *model.Row) error { return nil }, func(*model.Row) error {
		rows++
		if rows > 1 {
			return nil
		}
		// The first row is out: the cache is free to take, as another
		// process would, and every result is written anew.
		c := freeCache(t, a)
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

// damageBlock damages block k of cfg's row snapshot (a block is its
// length and row count, 4 bytes each, its rows, and a checksum), so that
// a scan hands out the k blocks before it as rows and the rest as
// messages; it returns the file's path.
func damageBlock(t *testing.T, cfg Config, k int) string {
	t.Helper()
	path, b := rowsFile(t, cfg)
	at := bytes.IndexByte(b, '\n') + 1
	for range k {
		at += 8 + int(binary.LittleEndian.Uint32(b[at:])) + 4
	}
	if at+12 >= len(b) {
		t.Fatalf("the row snapshot has no block %d", k)
	}
	b[at+8+3] ^= 0x20
	if err := os.WriteFile(path, b, 0o600); err != nil {
		t.Fatal(err)
	}
	return path
}

// freeCache waits until this process's scan no longer holds the cache,
// as another process would, and opens it as its writer.
func freeCache(t *testing.T, a *App) *store.Cache {
	t.Helper()
	deadline := time.Now().Add(10 * time.Second)
	for {
		c := a.openCache()
		if c != nil && !c.Stats().ReadOnly {
			return c
		}
		if c != nil {
			c.Close()
		}
		if time.Now().After(deadline) {
			t.Fatal("the cache stayed locked while the rows went out")
		}
		time.Sleep(10 * time.Millisecond)
	}
}

// TestRowReplayRestAnalysesUncachedAnew: a message the snapshot found
// without a cached result (one the analysis cannot cache) is analysed
// anew in a rest too, though another process, once the scan closed the
// cache, wrote a result under its key (found in review: the rest read
// it).
func TestRowReplayRestAnalysesUncachedAnew(t *testing.T) {
	defer func(n int) { rowsPerBlock = n }(rowsPerBlock)
	rowsPerBlock = 50
	a, _, cfg := keptQuarantine(t, Options{})
	untilRows(t, a)
	fresh := a.lastRowReplay().fresh
	entries := listOf(t, a)
	pos := -1
	for i, e := range entries {
		if _, ok := fresh[e.ID]; ok && i >= rowsPerBlock {
			pos = i
			break
		}
	}
	if pos < 0 {
		t.Fatal("no uncached message after the first block: the test checks none")
	}
	damageBlock(t, cfg, pos/rowsPerBlock)
	const planted = "written by another process"
	var got *model.Message
	written := false
	_, err := a.ScanRows(context.Background(), func(m model.Message, _ *model.Row) error {
		if m.ID == entries[pos].ID {
			got = &m
		}
		return nil
	}, func(*model.Row) error {
		if written {
			return nil
		}
		written = true
		c := freeCache(t, a)
		defer c.Close()
		if err := c.Put(scan.StampKey(scan.StampSum(entries[pos])), model.Message{ID: entries[pos].ID, Subject: planted, SHA256: "00"}); err != nil {
			t.Fatal(err)
		}
		return nil
	}, nil, nil)
	if err != nil {
		t.Fatal(err)
	}
	if got == nil || got.Subject == planted {
		t.Fatalf("the uncached message in the rest: %+v", got)
	}
}

// TestRowReplayKeepsACacheDueForCompactionOpen: a cache whose records
// are mostly dead is not closed while the rows go out, since closing it
// would compact it and move every record the replay's refs name; a rest
// after a damaged block is then replayed from it (found in review: the
// rest failed).
func TestRowReplayKeepsACacheDueForCompactionOpen(t *testing.T) {
	defer func(n int) { rowsPerBlock = n }(rowsPerBlock)
	rowsPerBlock = 50
	a, _, cfg := keptQuarantine(t, Options{})
	// putJunk writes n records under keys no message has.
	putJunk := func(n int, subject string) (path string, records int) {
		t.Helper()
		c := a.openCache()
		defer c.Close()
		for i := range n {
			if err := c.Put(fmt.Sprint("junk-", i), model.Message{ID: "junk", Subject: subject}); err != nil {
				t.Fatal(err)
			}
		}
		return c.Path(), c.Stats().Records
	}
	putJunk(500, "first") // before the messages' results
	s := untilRows(t, a)
	// Written again: the first records die, before the messages'
	// results, which compaction would then move. Then damaged records,
	// dead too, three times as many as all the others, so that the
	// next close compacts.
	path, records := putJunk(500, "again")
	f, err := os.OpenFile(path, os.O_WRONLY|os.O_APPEND, 0)
	if err != nil {
		t.Fatal(err)
	}
	_, err = f.WriteString(strings.Repeat("not a record\n", 3*records))
	if cerr := f.Close(); err != nil || cerr != nil {
		t.Fatal(err, cerr)
	}
	before, err := os.Stat(path)
	if err != nil {
		t.Fatal(err)
	}
	damageBlock(t, cfg, 1)
	var rows, msgs int
	_, err = a.ScanRows(context.Background(), func(model.Message, *model.Row) error { msgs++; return nil },
		func(*model.Row) error { rows++; return nil }, nil, nil)
	if err != nil || rows != rowsPerBlock || rows+msgs != len(s.rows) {
		t.Fatalf("%d rows and %d messages of %d: %v", rows, msgs, len(s.rows), err)
	}
	// The scan's end compacted it, after the rest.
	if after, err := os.Stat(path); err != nil || after.Size() >= before.Size() {
		t.Fatalf("the cache was not compacted (%d bytes, then %v): the test checks nothing", before.Size(), after)
	}
}
