package app

import (
	"context"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"
	"time"

	"mxaudit/analysis/ppap"
	"mxaudit/analysis/scan"
	"mxaudit/mailsrc"
	"mxaudit/model"
	"mxaudit/model/store"
)

// deliverNews delivers as name, in the Maildir dir's new, a plain mail
// from a sender of no other message of the test quarantines: pairing
// leaves it as it came.
func deliverNews(t *testing.T, dir, name string) {
	t.Helper()
	deliverNewsDated(t, dir, name, time.Now())
}

// deliverNewsDated is deliverNews, the mail dated date.
func deliverNewsDated(t *testing.T, dir, name string, date time.Time) {
	t.Helper()
	raw := fmt.Sprintf("From: News <news@unrelated.example>\r\nTo: tanaka@sakura.example\r\nSubject: 今週のお知らせ %s\r\n"+
		"Date: %s\r\nMessage-ID: <%s@unrelated.example>\r\nMIME-Version: 1.0\r\nContent-Type: text/plain; charset=UTF-8\r\n\r\nお知らせです。\r\n",
		name, date.Format(time.RFC1123Z), name)
	if err := os.WriteFile(filepath.Join(dir, "new", name), []byte(raw), 0o600); err != nil {
		t.Fatal(err)
	}
}

// deliverCopyOf delivers as name, in the Maildir dir's new, a copy of the
// message file from.
func deliverCopyOf(t *testing.T, dir, from, name string) {
	t.Helper()
	raw, err := os.ReadFile(from)
	if err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(filepath.Join(dir, "new", name), raw, 0o600); err != nil {
		t.Fatal(err)
	}
}

// newsQuarantine opens the test quarantine with n mails delivered after
// it (deliverNews: 1999999990.M1P1.news on), and its cache.
func newsQuarantine(t *testing.T, n int) (*App, *store.Cache) {
	t.Helper()
	dir := snapshotQuarantine(t)
	cfg := Config{}
	cfg.Offline, cfg.CacheDir = true, t.TempDir()
	for i := range n {
		deliverNews(t, dir, fmt.Sprintf("19999999%02d.M1P1.news", 90+i))
	}
	a, err := Open(context.Background(), dir, cfg, Options{})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { a.Close() })
	c := a.openCache()
	if c == nil {
		t.Fatal("no cache")
	}
	t.Cleanup(func() { c.Close() })
	return a, c
}

// TestSnapshotReplayedWithNewMail: a scan whose listing is the snapshot's
// followed by mail that pairing leaves alone replays the snapshot and
// prints what a scan without any cache prints, again as more such mail
// comes; mail pairing may read (a copy of a password mail, of a ZIP
// mail) is paired from the snapshot's tail, and printed as that scan
// prints it too; mail listed before the snapshot's last, and a snapshot
// whose marks are lost pair through the stream, as before.
func TestSnapshotReplayedWithNewMail(t *testing.T) {
	dir := snapshotQuarantine(t)
	cfg := Config{}
	cfg.Offline, cfg.CacheDir = true, t.TempDir()
	scanned := func(what string, wantReplayed bool) []string {
		t.Helper()
		want := freshSorted(t, dir, cfg)
		got, replayed := scanSorted(t, dir, cfg, Options{})
		if replayed != wantReplayed {
			t.Fatalf("%s: replayed %v, want %v", what, replayed, wantReplayed)
		}
		if !slices.Equal(got, want) {
			t.Fatalf("%s: the scan printed other messages than a scan without cache (%d, want %d)", what, len(got), len(want))
		}
		return want
	}
	scanned("cold", false)
	out := scanned("unchanged", true)

	deliverNews(t, dir, "1999999990.M1P1.news")
	scanned("a mail from another sender", true)
	deliverNews(t, dir, "1999999991.M1P1.news")
	scanned("a second one", true)
	scanned("nothing more", true)

	// A copy of a password mail, dated with it: a candidate of its ZIP
	// mail, whose pairing the stream does again.
	pw, _ := maildirFile(t, dir, out, `"password_for":[`)
	deliverCopyOf(t, dir, pw, "1999999992.M1P1.copy")
	scanned("a password mail's copy", true)
	scanned("then unchanged", true)

	// A copy of a paired ZIP mail: its archive opens with the password
	// mail listed before it, as pairing the whole listing opens it.
	zip, _ := maildirFile(t, dir, out, `"password_source":"`)
	deliverCopyOf(t, dir, zip, "1999999993.M1P1.zip")
	paired := scanned("a ZIP mail's copy", true)
	if _, m := maildirFile(t, dir, paired, `"id":"1999999993.M1P1.zip"`); !slices.ContainsFunc(m.Attachments, func(a model.Attachment) bool {
		return a.Archive != nil && a.Archive.PasswordSource != ""
	}) {
		t.Fatal("the ZIP mail's copy is not paired: the test shows no pairing from the tail")
	}
	scanned("then unchanged, with both", true)

	// The marks the snapshot names rewritten: nothing says which mail
	// pairing changed, and the stream pairs.
	name, fp := cacheIdentity(t, dir, cfg)
	c, err := store.OpenCache(cfg.CacheDir, name, fp)
	if err != nil {
		t.Fatal(err)
	}
	if _, ok := c.GetRecord(marksKey); !ok {
		t.Fatal("the snapshot's marks are not in the cache")
	}
	other := ppap.NewMarks(0)
	other.Add(&model.Message{FromDomain: "else.example", Date: time.Now()})
	forged, _ := saveMarks(c, other, nil)
	if err := c.Close(); err != nil || forged == "" {
		t.Fatal("the marks could not be rewritten", err)
	}
	deliverNews(t, dir, "1999999994.M1P1.news")
	scanned("marks rewritten", false)
	scanned("and recorded again", true)

	// New mail listed before the last of the snapshot's (mail pairing
	// leaves alone, as that last one is): not its listing followed by
	// mail.
	deliverNews(t, dir, "1000000000.M1P1.early")
	scanned("a mail listed first", false)
	scanned("then unchanged, again", true)
}

// TestRowsReplayedWithNewMail: the console's scan after mail pairing
// leaves alone hands out the kept list's rows and the new mail as
// messages with their rows, each what a scan without any cache emits,
// and keeps no list of its own: the next scan hands out the same.
func TestRowsReplayedWithNewMail(t *testing.T) {
	a, dir, cfg := keptQuarantine(t, Options{})
	before := untilRows(t, a)
	for round, name := range []string{"1999999990.M1P1.news", "1999999991.M1P1.news"} {
		deliverNews(t, dir, name)
		want := freshScan(t, dir, cfg)
		path, _ := rowsFile(t, cfg)
		kept, err := os.Stat(path)
		if err != nil {
			t.Fatal(err)
		}
		s := scanRows(t, a)
		if now, err := os.Stat(path); err != nil || !os.SameFile(kept, now) || !now.ModTime().Equal(kept.ModTime()) {
			t.Fatalf("after %s: the list kept was written again (%v)", name, err)
		}
		if !a.ScanReplayed() || len(s.rows) != len(before.rows) || len(s.msgs) != round+1 {
			t.Fatalf("after %s: replayed %v, %d rows and %d messages, want %d rows and %d messages",
				name, a.ScanReplayed(), len(s.rows), len(s.msgs), len(before.rows), round+1)
		}
		sameAsFresh(t, "after "+name, a, s, want)
		if l := a.listed.Load(); l.made != round+1 || l.keptRead {
			t.Fatalf("after %s: %d rows made, the kept list read again %v", name, l.made, l.keptRead)
		}
		if _, err := a.Message(context.Background(), model.MessageID(name)); !errors.Is(err, ErrNotSpilled) {
			t.Fatalf("the new mail read back from the kept list: %v", err)
		}
		if _, err := a.Message(context.Background(), before.rows[0].ID()); err != nil {
			t.Fatalf("a kept row's message: %v", err)
		}
	}
	// No list kept (a new build of mxaudit keeps its own): the scan lists
	// messages, and keeps the snapshot's listing's list, without the new
	// mail, for the next, which hands it out.
	path, _ := rowsFile(t, cfg)
	if err := os.Remove(path); err != nil {
		t.Fatal(err)
	}
	want := freshScan(t, dir, cfg)
	for _, wantRows := range []int{0, len(before.rows)} {
		s := scanRows(t, a)
		if !a.ScanReplayed() || len(s.rows) != wantRows || len(s.rows)+len(s.msgs) != len(want) {
			t.Fatalf("no list kept: replayed %v, %d rows and %d messages, want %d rows of %d", a.ScanReplayed(), len(s.rows), len(s.msgs), wantRows, len(want))
		}
		sameAsFresh(t, "no list kept", a, s, want)
	}
}

// TestReplayRefusesNewMailThatPairs: a new message that, as the replay
// reads it, pairing may read (its file changed since the check) stops
// the replay before it is printed.
func TestReplayRefusesNewMailThatPairs(t *testing.T) {
	a, c := newsQuarantine(t, 1)
	held := newHeldEntries(0)
	for _, e := range listOf(t, a) {
		held.add(e)
	}
	// The sender is now that of a ZIP mail dated a minute before its mail.
	marks := ppap.NewMarks(0)
	marks.Add(&model.Message{FromDomain: "unrelated.example", Date: time.Now().Add(-time.Minute)})
	plan := &replayPlan{entries: held, repl: map[model.MessageID]replacement{},
		appended: map[model.MessageID]bool{"1999999990.M1P1.news": true}, marks: marks}
	printed := 0
	err := replay(context.Background(), a, c, scan.Options{Cache: c}, plan, 0, func(m model.Message) error {
		if plan.appended[m.ID] {
			t.Error("the new mail was printed")
		}
		printed++
		return nil
	})
	if !errors.Is(err, errReplay) {
		t.Fatalf("replay ended with %v after %d messages", err, printed)
	}
}

// TestAppendedPlanListsEachMessageOnce: new mail whose ID the listing
// holds twice, or that names a message pairing changed, is not replayed
// with the snapshot: which of the two would pairing have read? (A
// Maildir folds one name in new and cur; other sources may not.)
func TestAppendedPlanListsEachMessageOnce(t *testing.T) {
	a, c := newsQuarantine(t, 2)
	sum, ok := saveMarks(c, ppap.NewMarks(0), nil)
	if !ok {
		t.Fatal("no marks saved")
	}
	entries := listOf(t, a)
	n := len(entries)
	first, last := entries[0], entries[n-1]
	for _, tc := range []struct {
		name    string
		listing []mailsrc.Entry
		changed model.MessageID
		want    bool
	}{
		{"two new mails", entries, "", true},
		{"a new mail listed twice", append(slices.Clone(entries), last), "", false},
		{"a new mail listed before", append(slices.Clone(entries), first), "", false},
		{"a new mail pairing changed", entries, last.ID, false},
	} {
		held := newHeldEntries(0)
		for _, e := range tc.listing {
			held.add(e)
		}
		repl := map[model.MessageID]replacement{}
		if tc.changed != "" {
			repl[tc.changed] = replacement{}
		}
		plan := &replayPlan{snap: scanSnapshot{Count: n - 2, MarksSum: sum}, entries: held, repl: repl}
		if got := a.appendedPlan(context.Background(), c, plan, ppap.Config{}, scan.Options{}); got != tc.want {
			t.Errorf("%s: appendedPlan = %v, want %v", tc.name, got, tc.want)
		}
	}
}

// TestMarksOnlyForTheirSnapshotAndWindow: the marks are read only as the
// snapshot names them (their record's SHA-256), and only for the window
// they were taken with.
func TestMarksOnlyForTheirSnapshotAndWindow(t *testing.T) {
	_, c := newsQuarantine(t, 0)
	marks := ppap.NewMarks(0)
	marks.Add(&model.Message{FromDomain: "partner.example", Date: time.Now()})
	sum, ok := saveMarks(c, marks, nil)
	if !ok {
		t.Fatal("no marks saved")
	}
	for _, tc := range []struct {
		name   string
		sum    string
		window time.Duration
		want   bool
	}{
		{"as saved, the default window", sum, 0, true},
		{"as saved, that window named", sum, ppap.DefaultWindow, true},
		{"another window", sum, 2 * ppap.DefaultWindow, false},
		{"another record's sum", strings.Repeat("0", len(sum)), 0, false},
		{"no sum", "", 0, false},
	} {
		if _, _, got := loadMarks(c, tc.sum, tc.window); got != tc.want {
			t.Errorf("%s: loaded %v, want %v", tc.name, got, tc.want)
		}
	}
}
