package app

import (
	"context"
	"os"
	"path/filepath"
	"slices"
	"testing"
	"time"

	"mxaudit/model/store"
)

// oldNews is the date of the mails deliverOldNews delivers: long before
// every other message of the test quarantine, so that a mail of it
// closes no ZIP mail's window and is no candidate of one.
var oldNews = time.Date(2001, 1, 1, 0, 0, 0, 0, time.UTC)

// removedScan scans dir (removedScans' cfg) and fails the test unless it
// replayed as wantReplayed and printed what a scan without any cache
// prints.
type removedScans struct {
	t   *testing.T
	dir string
	cfg Config
}

func (r removedScans) scanned(what string, wantReplayed bool) []string {
	r.t.Helper()
	want := freshSorted(r.t, r.dir, r.cfg)
	got, replayed := scanSorted(r.t, r.dir, r.cfg, Options{})
	if replayed != wantReplayed {
		r.t.Fatalf("%s: replayed %v, want %v", what, replayed, wantReplayed)
	}
	if !slices.Equal(got, want) {
		r.t.Fatalf("%s: the scan printed other messages than a scan without cache (%d, want %d)", what, len(got), len(want))
	}
	return want
}

func (r removedScans) remove(name string) {
	r.t.Helper()
	names, _ := filepath.Glob(filepath.Join(r.dir, "*", name+"*"))
	if len(names) != 1 {
		r.t.Fatalf("%s: %d files", name, len(names))
	}
	if err := os.Remove(names[0]); err != nil {
		r.t.Fatal(err)
	}
}

// oldNewsQuarantine is the test quarantine with a mail of old news
// delivered under each name (deliverNewsDated, a minute apart from
// oldNews on), and a cache directory of its own.
func oldNewsQuarantine(t *testing.T, names ...string) removedScans {
	t.Helper()
	dir := snapshotQuarantine(t)
	for i, at := range names {
		deliverNewsDated(t, dir, at+".M1P1.news", oldNews.Add(time.Duration(i)*time.Minute))
	}
	cfg := Config{}
	cfg.Offline, cfg.CacheDir = true, t.TempDir()
	return removedScans{t, dir, cfg}
}

// console opens r's quarantine as the console does, its lists kept in
// blocks of 50 rows (several, each moved by the rows taken out), and
// scans it until it hands out the list it kept.
func (r removedScans) console() *App {
	r.t.Helper()
	old := rowsPerBlock
	rowsPerBlock = 50
	r.t.Cleanup(func() { rowsPerBlock = old })
	a, err := Open(context.Background(), r.dir, r.cfg, Options{})
	if err != nil {
		r.t.Fatal(err)
	}
	r.t.Cleanup(func() { a.Close() })
	untilRows(r.t, a)
	return a
}

// TestSnapshotReplayedAfterRemovals: a scan after messages were taken out
// of the listing (a release, a delete) replays the snapshot when none of
// them was one another message's outcome depended on, and records the
// listing as it is now (the next scan replays it as unchanged), with new
// mail after it too, and pairing's own (a copy of a password mail, paired
// from the tail moved up past the messages taken out); taking out a
// password mail pairs through the stream. Each scan prints what a scan
// without any cache prints.
func TestSnapshotReplayedAfterRemovals(t *testing.T) {
	r := oldNewsQuarantine(t, "1794788000", "1794788500", "1794798000", "1794798500", "1794818000", "1794818500")
	dir := r.dir
	r.scanned("cold", false)
	out := r.scanned("unchanged", true)

	r.remove("1794788000.M1P1.news")
	r.scanned("one taken out", true)
	r.scanned("then unchanged", true)

	r.remove("1794798000.M1P1.news")
	deliverNews(t, dir, "1999999990.M1P1.news")
	r.scanned("one taken out, new mail after", true)
	r.scanned("then unchanged, again", true)

	// New mail pairing reads, after another message is taken out.
	r.remove("1794818000.M1P1.news")
	pw, _ := maildirFile(t, dir, out, `"password_for":[`)
	deliverCopyOf(t, dir, pw, "1999999992.M1P1.copy")
	r.scanned("one taken out, a password mail's copy after", true)
	r.scanned("and unchanged", true)

	// A password mail taken out: its ZIP mail pairs otherwise, and a
	// Repair pairs its domain again (snapshotrepair.go); so does a ZIP
	// mail taken out, whose password mail loses its note.
	if err := os.Remove(pw); err != nil {
		t.Fatal(err)
	}
	r.scanned("a password mail taken out", true)
	out = r.scanned("recorded again", true)
	zip, _ := maildirFile(t, dir, out, `"password_source":"1`)
	if err := os.Remove(zip); err != nil {
		t.Fatal(err)
	}
	r.scanned("a ZIP mail taken out", true)
	r.scanned("and recorded again", true)
}

// TestRepairPastItsBoundPairsTheWholeListing: taking out a password mail
// calls for a Repair of its domain (as above); one that would pair again
// more than repairMost messages is not made, and the scan pairs the
// whole listing instead, prints what a scan without cache prints, and
// records the listing as it is now, which the next scan replays. A
// removal without influence is replayed still.
func TestRepairPastItsBoundPairsTheWholeListing(t *testing.T) {
	old := repairMost
	t.Cleanup(func() { repairMost = old })
	repairMost = func(int) int { return 0 }
	r := oldNewsQuarantine(t, "1794788000", "1794798000")
	r.scanned("cold", false)
	out := r.scanned("unchanged", true)

	r.remove("1794788000.M1P1.news")
	r.scanned("a mail without influence taken out", true)

	pw, _ := maildirFile(t, r.dir, out, `"password_for":[`)
	if err := os.Remove(pw); err != nil {
		t.Fatal(err)
	}
	r.scanned("a password mail taken out, past the bound", false)
	r.scanned("then unchanged", true)

	repairMost = old
	out = r.scanned("again", true)
	zip, _ := maildirFile(t, r.dir, out, `"password_source":"1`)
	if err := os.Remove(zip); err != nil {
		t.Fatal(err)
	}
	r.scanned("a ZIP mail taken out, within the bound", true)
}

// TestSnapshotTableDamaged: a table that is not the one the snapshot
// names, or does not unpack, replays no listing with messages taken
// out: the stream pairs, and records a snapshot that does.
func TestSnapshotTableDamaged(t *testing.T) {
	r := oldNewsQuarantine(t, "1794788000", "1794798000")
	dir, cfg := r.dir, r.cfg
	r.scanned("cold", false)
	for _, c := range []struct {
		name, removed string
		table         func(*listingTable)
	}{
		{"a key changed", "1794788000.M1P1.news", func(tb *listingTable) { tb.keys[0]++ }},
		{"positional", "1794798000.M1P1.news", func(tb *listingTable) { tb.infl.SawZip, tb.infl.SawUndated = true, true }},
	} {
		name, fp := cacheIdentity(t, dir, cfg)
		cache, err := store.OpenCache(cfg.CacheDir, name, fp)
		if err != nil {
			t.Fatal(err)
		}
		snap, ok := loadSnapshot(cache)
		if !ok || snap.Table == "" {
			t.Fatalf("%s: the snapshot names no table", c.name)
		}
		tb, ok := loadTable(cache, snap.Table, snap.Count)
		if !ok {
			t.Fatalf("%s: the table does not load", c.name)
		}
		c.table(tb)
		raw, err := tb.recordOf()
		if err != nil {
			t.Fatal(err)
		}
		if _, ok := putTable(cache, raw); !ok {
			t.Fatal("the table could not be rewritten")
		}
		if err := cache.Close(); err != nil {
			t.Fatal(err)
		}
		r.remove(c.removed)
		r.scanned(c.name, false)
		r.scanned(c.name+", then recorded again", true)
	}
}

// TestSnapshotExtendedKeepsItsTable: the snapshot of the whole listing a
// replay records after new mail (recordExtended) has its table, the new
// mail's keys and influence with it: one of that mail taken out later
// replays it too.
func TestSnapshotExtendedKeepsItsTable(t *testing.T) {
	h := newHeldBack(t, nil)
	h.deliverNewsScanned(t, 1999990000, extendAtWithoutList)
	r := removedScans{t, h.dir, h.cfg}
	r.scanned("the new mail come", true)
	after := snapshotOf(t, h.dir, h.cfg)
	if after.Table == "" {
		t.Fatal("the snapshot of the whole listing has no table")
	}
	r.remove("1999990100.M1P1.news")
	r.scanned("one of the new mail taken out", true)
	if s := snapshotOf(t, h.dir, h.cfg); s.Count != after.Count-1 || s.Table == "" {
		t.Fatalf("the snapshot recorded counts %d messages (table %q), want %d with a table", s.Count, s.Table, after.Count-1)
	}
}

// TestRowsReplayedAfterRemovals: the console's scan after messages were
// taken out hands out the list kept before without their rows, each
// what a scan without any cache emits, reads a message listed after
// them back as its row was made, and keeps the list of the listing as it
// is now, which the next scan hands out; new mail after them comes as
// messages.
func TestRowsReplayedAfterRemovals(t *testing.T) {
	r := oldNewsQuarantine(t, "1794788000", "1794788500", "1794798000")
	dir, cfg := r.dir, r.cfg
	a := r.console()

	r.remove("1794788000.M1P1.news")
	want := freshScan(t, dir, cfg)
	for _, step := range []string{"one taken out", "then unchanged"} {
		s := scanRows(t, a)
		if !a.ScanReplayed() || len(s.rows) != len(want) {
			t.Fatalf("%s: replayed %v, %d rows and %d messages, want %d rows", step, a.ScanReplayed(), len(s.rows), len(s.msgs), len(want))
		}
		sameAsFresh(t, step, a, s, want)
		last := s.rows[len(s.rows)-1].ID()
		if m, err := a.Message(context.Background(), last); err != nil || m.ID != last {
			t.Fatalf("%s: the last row's message read back as %q: %v", step, m.ID, err)
		}
	}

	r.remove("1794798000.M1P1.news")
	deliverNews(t, dir, "1999999990.M1P1.news")
	want = freshScan(t, dir, cfg)
	s := scanRows(t, a)
	if !a.ScanReplayed() || len(s.rows) != len(want)-1 || len(s.msgs) != 1 {
		t.Fatalf("one taken out, new mail after: replayed %v, %d rows and %d messages, want %d rows and 1 message",
			a.ScanReplayed(), len(s.rows), len(s.msgs), len(want)-1)
	}
	sameAsFresh(t, "one taken out, new mail after", a, s, want)
	if s := scanRows(t, a); !a.ScanReplayed() || len(s.rows) != len(want)-1 || len(s.msgs) != 1 {
		t.Fatalf("then unchanged: replayed %v, %d rows and %d messages", a.ScanReplayed(), len(s.rows), len(s.msgs))
	}
}

// TestRowsRepairedAfterRemovals: the console's scan after a password
// mail, then a ZIP mail, were taken out hands out the list kept before
// without their rows, the rows of the messages a Repair paired again
// made anew, each what a scan without any cache emits; the next scan
// hands out the list kept of the listing as it is now.
func TestRowsRepairedAfterRemovals(t *testing.T) {
	r := oldNewsQuarantine(t, "1794788000")
	dir, cfg := r.dir, r.cfg
	a := r.console()
	for _, marker := range []string{`"password_for":[`, `"password_source":"1`} {
		name, _ := maildirFile(t, dir, freshSorted(t, dir, cfg), marker)
		if err := os.Remove(name); err != nil {
			t.Fatal(err)
		}
		want := freshScan(t, dir, cfg)
		for _, step := range []string{marker + " taken out", "then unchanged"} {
			s := scanRows(t, a)
			if !a.ScanReplayed() || len(s.rows) != len(want) {
				t.Fatalf("%s: replayed %v, %d rows and %d messages, want %d rows", step, a.ScanReplayed(), len(s.rows), len(s.msgs), len(want))
			}
			sameAsFresh(t, step, a, s, want)
		}
	}
}
