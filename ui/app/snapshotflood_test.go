package app

import (
	"fmt"
	"os"
	"path/filepath"
	"slices"
	"testing"
	"time"

	"mxaudit/model"
)

// smallFlood lowers what a check holds, for the test, to held new mails
// and analysed of them without a cached result, and the new mail from
// which a snapshot of the whole listing is recorded to held (a
// console's) and three quarters of it (the CLI's): the quarantine of
// snapshotQuarantine (about 260 messages) is then replayed with up to
// about 65 new mails (appendedMost), 32 of them not cached
// (analysedMost).
func smallFlood(t *testing.T, held, analysed int) {
	t.Helper()
	oldHeld, oldAnalysed, oldAt, oldAtCLI := maxAppended, maxAppendedAnalysed, extendAt, extendAtWithoutList
	maxAppended, maxAppendedAnalysed, extendAt, extendAtWithoutList = held, analysed, held, held*3/4
	t.Cleanup(func() {
		maxAppended, maxAppendedAnalysed, extendAt, extendAtWithoutList = oldHeld, oldAnalysed, oldAt, oldAtCLI
	})
}

// floodQuarantine is newHeldBack's quarantine, its console scanned, with
// the bounds of smallFlood(8, 4): a busy day is more than 8 new mails, or
// 4 without a cached result.
func floodQuarantine(t *testing.T) *heldBack {
	t.Helper()
	smallFlood(t, 8, 4)
	return newHeldBack(t, nil)
}

// nextScanReplays fails the test unless the next scan of dir replays
// its snapshot and prints want (what a scan without cache prints).
func nextScanReplays(t *testing.T, dir string, cfg Config, want []string) {
	t.Helper()
	if got, replayed := scanSorted(t, dir, cfg, Options{}); !replayed || !slices.Equal(got, want) {
		t.Fatalf("the next scan: replayed %v, same as without cache %v", replayed, slices.Equal(got, want))
	}
}

// TestFloodReplayedWithoutHolding: more new mail than a check holds,
// the last the password mail of the ZIP mail the snapshot held waiting,
// is replayed with the snapshot (no message held: emitFlood reads the
// new mail back from the cache file), the ZIP mail opened as a scan
// without cache opens it; the snapshot of the whole listing is recorded,
// and the next scans hand out its list, and replay its messages, as a
// scan without cache emits them.
func TestFloodReplayedWithoutHolding(t *testing.T) {
	h := floodQuarantine(t)
	a, dir, cfg := h.a, h.dir, h.cfg
	before := snapshotOf(t, dir, cfg)
	h.deliverNewsFrom(t, 1999990000, 20)
	h.passwordComes(t)
	want := freshScan(t, dir, cfg)
	if i := slices.IndexFunc(want, func(m model.Message) bool { return m.ID == h.zip }); i < 0 || opened(&want[i]) == "" {
		t.Fatal("a scan without cache does not open the ZIP mail: the test shows no pairing")
	}

	s := scanRows(t, a)
	if len(s.rows) != before.Count || len(s.msgs) != 21 || !a.ScanReplayed() {
		t.Fatalf("the scan after 21 new mails handed out %d rows and %d messages (replayed %v), want the %d rows kept and 21",
			len(s.rows), len(s.msgs), a.ScanReplayed(), before.Count)
	}
	sameAsFresh(t, "a flood come", a, s, want)
	h.recordedWhole(t, before, want)
}

// TestFloodReplayedAsMessages: the same flood replayed by a scan of
// messages (the CLI's), which reads the new mail again through the
// cache (replay, resumedSame), prints what a scan without cache prints;
// so does a flood of mail that cannot pair, and one that a cache opened
// read-only cannot take, or past the bounds, which pair everything.
func TestFloodReplayedAsMessages(t *testing.T) {
	for _, tc := range []struct {
		name string
		// analysed is maxAppendedAnalysed; news, of a snapshot of count
		// messages, the notices delivered.
		analysed     int
		news         func(count int) int
		password     bool
		readOnly     bool
		wantReplayed bool
		// sender delivers, first, a mail of the ZIP mail's sender in its
		// window that holds no password: one pairing reads and leaves
		// as it came (replayPlan.resumedSame).
		sender bool
		// remove takes the first message listed out first, as a
		// retention job does before a day's mail (replayRemoved).
		remove bool
		// keepSnapshot raises what the CLI records from above the new
		// mail: the snapshot stays, and each scan replays the flood.
		keepSnapshot bool
	}{
		{name: "with the password mail", analysed: 4, news: func(int) int { return 20 }, password: true, wantReplayed: true},
		{name: "with the sender's mail", analysed: 4, news: func(int) int { return 20 }, password: true, sender: true, wantReplayed: true},
		{name: "after a message taken out", analysed: 4, news: func(int) int { return 20 }, password: true, sender: true, remove: true, wantReplayed: true},
		{name: "that cannot pair", analysed: 4, news: func(int) int { return 20 }, wantReplayed: true},
		{name: "below what the CLI records", analysed: 4, news: func(int) int { return 20 }, password: true, keepSnapshot: true, wantReplayed: true},
		{name: "read-only", analysed: 4, news: func(int) int { return 20 }, password: true, readOnly: true, wantReplayed: false},
		{name: "as many as are analysed", analysed: 4, news: func(count int) int { return analysedMost(count) - 1 }, password: true, wantReplayed: true},
		{name: "past what is analysed", analysed: 4, news: func(count int) int { return analysedMost(count) }, password: true, wantReplayed: false},
		{name: "as many as are replayed", analysed: 1000, news: func(count int) int { return appendedMost(count) - 1 }, password: true, wantReplayed: true},
		{name: "past what is replayed", analysed: 1000, news: func(count int) int { return appendedMost(count) }, password: true, wantReplayed: false},
	} {
		t.Run(tc.name, func(t *testing.T) {
			smallFlood(t, 8, tc.analysed)
			h := newHeldBack(t, nil)
			dir, cfg := h.dir, h.cfg
			if tc.keepSnapshot {
				extendAtWithoutList = 1000
			}
			if _, replayed := scanSorted(t, dir, cfg, Options{}); !replayed {
				t.Fatal("unchanged not replayed")
			}
			count := snapshotOf(t, dir, cfg).Count
			if tc.remove {
				first, _ := filepath.Glob(filepath.Join(dir, "cur", "*"))
				if len(first) == 0 {
					t.Fatal("nothing listed in cur/")
				}
				if err := os.Rename(first[0], filepath.Join(t.TempDir(), "taken-out")); err != nil {
					t.Fatal(err)
				}
				count--
			}
			if tc.sender {
				h.senderWritesAgain(t)
			}
			h.deliverNewsFrom(t, 1999990000, tc.news(count))
			if tc.password {
				h.passwordComes(t) // one more
			}
			want := freshSorted(t, dir, cfg)
			if tc.readOnly {
				held := cacheOf(t, dir, cfg) // another process's: this one reads it only
				if held.Stats().ReadOnly {
					t.Fatal("no writer")
				}
				defer held.Close()
			}
			got, replayed := scanSorted(t, dir, cfg, Options{})
			if replayed != tc.wantReplayed || !slices.Equal(got, want) {
				t.Fatalf("%d new: replayed %v (want %v), same as without cache %v", len(want)-count, replayed, tc.wantReplayed, slices.Equal(got, want))
			}
			if !tc.wantReplayed || tc.readOnly {
				return
			}
			if snap := snapshotOf(t, dir, cfg); (snap.Count == count) != tc.keepSnapshot {
				t.Fatalf("the snapshot counts %d messages, was %d: recorded %v, want %v", snap.Count, count, snap.Count != count, !tc.keepSnapshot)
			}
			nextScanReplays(t, dir, cfg, want)
		})
	}
}

// senderWritesAgain delivers a mail of h's ZIP mail's sender, dated a
// minute after it, that holds no password: a candidate its pairing
// reads, which it leaves as it came.
func (h *heldBack) senderWritesAgain(t *testing.T) {
	t.Helper()
	zip := h.zipIn(t, freshScan(t, h.dir, h.cfg))
	raw := fmt.Sprintf("From: %s\r\nTo: tanaka@sakura.example\r\nSubject: 明日の会議について\r\nDate: %s\r\n"+
		"Message-ID: <again.%s>\r\nMIME-Version: 1.0\r\nContent-Type: text/plain; charset=UTF-8\r\n\r\n明日はよろしくお願いします。\r\n",
		zip.FromAddr, zip.Date.Add(time.Minute).Format(time.RFC1123Z), zip.FromAddr)
	if err := os.WriteFile(filepath.Join(h.dir, "new", "1999989999.M1P1.again"), []byte(raw), 0o600); err != nil {
		t.Fatal(err)
	}
}
