package app

import (
	"context"
	"fmt"
	"os"
	"path/filepath"
	"slices"
	"testing"
	"time"

	"mxaudit/model"
)

// TestFloodAfterAnotherProcessCompacts: the console's scan of a
// flood closes its cache once the first block of the kept list is out
// (CloseUnlessCompacting), which lets another process (a cron scan)
// take the cache, write, and compact it on its close (a new file,
// renamed into place) while the kept list is still being handed out.
// emitFlood then opens the cache file by its path and reads the new
// mail at the refs the check found, which the compaction moved.
// Want: the scan emits the new mail as a scan without cache does (the
// held path, before the commit, did: it depended on no file).
func TestFloodAfterAnotherProcessCompacts(t *testing.T) {
	defer func(n int) { rowsPerBlock = n }(rowsPerBlock)
	rowsPerBlock = 16
	h := floodQuarantine(t)
	a, dir, cfg := h.a, h.dir, h.cfg
	before := snapshotOf(t, dir, cfg)
	h.deliverNewsFrom(t, 1999990000, 20)
	h.passwordComes(t)
	want := freshScan(t, dir, cfg)

	compacted := false
	otherProcess := func() {
		// Wait for the console to let go of the cache, as the cron
		// scan's open would, then write and close it.
		deadline := time.Now().Add(10 * time.Second)
		for time.Now().Before(deadline) {
			c := a.openCache()
			if c == nil {
				t.Error("no cache")
				return
			}
			if c.Stats().ReadOnly {
				c.Close()
				time.Sleep(10 * time.Millisecond)
				continue
			}
			n := 3 * c.Stats().Entries
			for i := range n { // superseded records: more than half the file dead
				c.Put("other-process-key", model.Message{ID: "x", Subject: fmt.Sprint("rewrite ", i), SHA256: "00"})
			}
			if err := c.Close(); err != nil {
				t.Error(err)
			}
			compacted = c.Stats().Compacted
			return
		}
		t.Error("the console never let go of the cache")
	}
	rows := 0
	var s rowScan
	_, err := a.ScanRows(context.Background(), func(m model.Message, r *model.Row) error {
		s.msgs, s.msgRows = append(s.msgs, m), append(s.msgRows, r)
		return nil
	}, func(r *model.Row) error {
		s.rows = append(s.rows, r)
		if rows++; rows == before.Count {
			otherProcess() // the last row of the kept list: emitFlood comes next
		}
		return nil
	}, nil, nil)
	if !compacted {
		t.Fatal("the other process did not compact: the test shows nothing")
	}
	if err != nil {
		t.Fatalf("a compaction by another process while the kept list went out failed the scan after %d rows and %d of the %d new mails: %v",
			len(s.rows), len(s.msgs), len(want)-before.Count, err)
	}
	sameAsFresh(t, "a flood, the cache compacted meanwhile", a, s, want)
}

// TestFloodMixedPairing pins the flood's differential: more new
// mail than a check holds, among it the held ZIP mail's password mail,
// a mail of its sender pairing reads and leaves (resumedSame), a copy of
// the ZIP mail with its password mail's copy (both new: they pair with
// each other), and a copy of the ZIP mail whose password never comes;
// the console's scan and the CLI's emit what a scan without cache emits,
// and so do the next ones.
func TestFloodMixedPairing(t *testing.T) {
	h := floodQuarantine(t)
	a, dir, cfg := h.a, h.dir, h.cfg
	h.deliverMixedFlood(t)
	want := freshScan(t, dir, cfg)
	for _, id := range []model.MessageID{h.zip, "1999999990.M3P1.zipcopy"} {
		if i := slices.IndexFunc(want, func(m model.Message) bool { return m.ID == id }); i < 0 || opened(&want[i]) == "" {
			t.Fatalf("a scan without cache does not open %s: the test shows no pairing", id)
		}
	}
	s := scanRows(t, a)
	if !a.ScanReplayed() {
		t.Fatal("the flood was not replayed")
	}
	sameAsFresh(t, "a mixed flood (console)", a, s, want)
	sameAsFresh(t, "the next console scan", a, scanRows(t, a), want)
	if got, replayed := scanSorted(t, dir, cfg, Options{}); !replayed || !slices.Equal(got, freshSorted(t, dir, cfg)) {
		t.Fatalf("the CLI scan (replayed %v) printed other messages than a scan without cache", replayed)
	}
}

// TestFloodMixedPairingCLI: the same flood met first by the
// CLI's scan (replay with resumedSame).
func TestFloodMixedPairingCLI(t *testing.T) {
	h := floodQuarantine(t)
	dir, cfg := h.dir, h.cfg
	h.deliverMixedFlood(t)
	wantSorted := freshSorted(t, dir, cfg)
	for i := range 2 {
		if got, replayed := scanSorted(t, dir, cfg, Options{}); !replayed || !slices.Equal(got, wantSorted) {
			t.Fatalf("CLI scan %d (replayed %v) printed other messages than a scan without cache", i+1, replayed)
		}
	}
	sameAsFresh(t, "the console after", h.a, scanRows(t, h.a), freshScan(t, dir, cfg))
}

// deliverMixedFlood delivers, after h's snapshot, a mail of the ZIP
// mail's sender that pairing reads and leaves, 20 notices, a copy of the
// ZIP mail with a copy of its password mail, the password mail itself,
// and a copy of the ZIP mail whose password never comes.
func (h *heldBack) deliverMixedFlood(t *testing.T) {
	t.Helper()
	zipPath, _ := filepath.Glob(filepath.Join(h.dir, "*", string(h.zip)+"*"))
	pwRaw, err := os.ReadFile(h.aside)
	if err != nil || len(zipPath) != 1 {
		t.Fatal(err, zipPath)
	}
	h.senderWritesAgain(t)
	h.deliverNewsFrom(t, 1999990000, 20)
	deliverCopyOf(t, h.dir, zipPath[0], "1999999990.M3P1.zipcopy")
	if err := os.WriteFile(filepath.Join(h.dir, "new", "1999999991.M3P1.pwcopy"), pwRaw, 0o600); err != nil {
		t.Fatal(err)
	}
	h.passwordComes(t)
	deliverCopyOf(t, h.dir, zipPath[0], "1999999999.M9P1.lonezip")
}

// TestFloodWindowClosedFirst: in a flood, a mail without sender
// dated well after the held ZIP mail closes its window before its
// password mail comes: the ZIP mail stays shut, as a scan without cache
// leaves it, in the console's scan and the CLI's.
func TestFloodWindowClosedFirst(t *testing.T) {
	h := floodQuarantine(t)
	dir, cfg := h.dir, h.cfg
	h.deliverNewsFrom(t, 1999990000, 20)
	h.deliverWithoutSender(t, "1999999998.M1P1.nofrom", h.zipDate(t).Add(30*24*time.Hour))
	h.passwordComes(t)
	want := freshScan(t, dir, cfg)
	if i := slices.IndexFunc(want, func(m model.Message) bool { return m.ID == h.zip }); i < 0 || opened(&want[i]) != "" {
		t.Fatal("a scan without cache opens the ZIP mail: the window did not close")
	}
	s := scanRows(t, h.a)
	if !h.a.ScanReplayed() {
		t.Fatal("not replayed")
	}
	sameAsFresh(t, "window closed (console)", h.a, s, want)
	if got, replayed := scanSorted(t, dir, cfg, Options{}); !replayed || !slices.Equal(got, freshSorted(t, dir, cfg)) {
		t.Fatalf("the CLI scan (replayed %v) printed other messages than a scan without cache", replayed)
	}
}

// TestFloodOneUncacheableMail: one new message whose result is never
// cached (a file that is not mail) among a flood made the start pair the
// whole quarantine again (checkFlood needed a ref for every new message:
// the security review), where the held path replays such a message
// analysed afresh. It is replayed, analysed afresh (named among the
// uncached messages of the snapshot then recorded, when it is not
// cached), and the next scan replays that snapshot.
func TestFloodOneUncacheableMail(t *testing.T) {
	for _, tc := range []struct{ name, raw string }{
		{"no header", "\r\n\r\n"},
		{"garbage", "\x00\x01\x02 not mail at all"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			h := floodQuarantine(t)
			dir, cfg := h.dir, h.cfg
			h.deliverNewsFrom(t, 1999990000, 20)
			if err := os.WriteFile(filepath.Join(dir, "new", "1999999997.M1P1.junk"), []byte(tc.raw), 0o600); err != nil {
				t.Fatal(err)
			}
			want := freshSorted(t, dir, cfg)
			got, replayed := scanSorted(t, dir, cfg, Options{})
			if !slices.Equal(got, want) {
				t.Fatal("the CLI scan printed other messages than a scan without cache")
			}
			if !replayed {
				t.Fatalf("one such new message among %d: the whole quarantine paired again", 21)
			}
			if snap := snapshotOf(t, dir, cfg); snap.Count != len(want) {
				t.Fatalf("the snapshot counts %d messages, want the whole listing's %d", snap.Count, len(want))
			}
			nextScanReplays(t, dir, cfg, want)
		})
	}
}
