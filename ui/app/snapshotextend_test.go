package app

import (
	"fmt"
	"os"
	"path/filepath"
	"slices"
	"testing"
	"time"

	"mxaudit/model"
	"mxaudit/model/store"
)

// snapshotOf reads the snapshot in cfg's cache of dir.
func snapshotOf(t *testing.T, dir string, cfg Config) scanSnapshot {
	t.Helper()
	c := cacheOf(t, dir, cfg)
	defer c.Close()
	s, ok := loadSnapshot(c)
	if !ok {
		t.Fatal("no snapshot in the cache")
	}
	return s
}

// cacheOf opens cfg's cache of dir, for the caller to close.
func cacheOf(t *testing.T, dir string, cfg Config) *store.Cache {
	t.Helper()
	name, fp := cacheIdentity(t, dir, cfg)
	c, err := store.OpenCache(cfg.CacheDir, name, fp)
	if err != nil {
		t.Fatal(err)
	}
	return c
}

// deliverWithoutSender delivers as name a mail without a From header,
// dated date: pairing indexes it for nobody, and its date closes the
// windows of the ZIP mails before it.
func (h *heldBack) deliverWithoutSender(t *testing.T, name string, date time.Time) {
	t.Helper()
	raw := fmt.Sprintf("To: tanaka@sakura.example\r\nSubject: no sender\r\nDate: %s\r\nMessage-ID: <nofrom@unrelated.example>\r\n"+
		"MIME-Version: 1.0\r\nContent-Type: text/plain; charset=UTF-8\r\n\r\nno sender here\r\n", date.Format(time.RFC1123Z))
	if err := os.WriteFile(filepath.Join(h.dir, "new", name), []byte(raw), 0o600); err != nil {
		t.Fatal(err)
	}
}

// deliverNewsFrom delivers n mails pairing leaves alone (deliverNews),
// named from first on, so that each is listed after the mail before,
// dated with the ZIP mail h held waiting: they do not close its window.
func (h *heldBack) deliverNewsFrom(t *testing.T, first, n int) {
	t.Helper()
	date := h.zipDate(t)
	for i := range n {
		deliverNewsDated(t, h.dir, fmt.Sprintf("%d.M1P1.news", first+i), date)
	}
}

// deliverNewsScanned delivers n mails as deliverNewsFrom does, in
// steps that a CLI's scan each replays with the snapshot (a scan
// analyses no more than maxAppendedAnalysed it has not seen before it
// pairs everything again), the last step excepted, which leaves room
// for a few more.
func (h *heldBack) deliverNewsScanned(t *testing.T, first, n int) {
	t.Helper()
	step := maxAppendedAnalysed / 2
	for n > step {
		h.deliverNewsFrom(t, first, step)
		first, n = first+step, n-step
		if _, replayed := scanSorted(t, h.dir, h.cfg, Options{}); !replayed {
			t.Fatal("a scan of the new mail did not replay the snapshot")
		}
	}
	h.deliverNewsFrom(t, first, n)
}

// recordedWhole checks that the scan after the new mail, the last the
// password mail of h's ZIP mail, recorded the snapshot of the whole
// listing (before was the one before), naming the ZIP mail's outcome,
// and that the next scans hand out its whole list, and replay its
// messages, as a scan without cache emits them (want); it returns that
// snapshot.
func (h *heldBack) recordedWhole(t *testing.T, before scanSnapshot, want []model.Message) scanSnapshot {
	t.Helper()
	after := snapshotOf(t, h.dir, h.cfg)
	if after.Count != len(want) || after.Digest == before.Digest {
		t.Fatalf("the snapshot counts %d messages (was %d), want the whole listing's %d", after.Count, before.Count, len(want))
	}
	if !slices.ContainsFunc(after.Changed, func(c changedMessage) bool { return c.ID == h.zip }) {
		t.Fatalf("the new snapshot does not name the outcome of %s, which the password mail opened", h.zip)
	}
	// The next scan hands out the whole list, kept under the new
	// snapshot, with nothing new.
	s := scanRows(t, h.a)
	if len(s.rows) != len(want) || len(s.msgs) != 0 || !h.a.ScanReplayed() {
		t.Fatalf("the scan after the new snapshot handed out %d rows and %d messages, want the %d rows kept", len(s.rows), len(s.msgs), len(want))
	}
	sameAsFresh(t, "the whole list kept", h.a, s, want)
	if got, replayed := scanSorted(t, h.dir, h.cfg, Options{}); !replayed || !slices.Equal(got, freshSorted(t, h.dir, h.cfg)) {
		t.Fatalf("the scan of messages (replayed %v) printed other messages than a scan without cache", replayed)
	}
	return after
}

// TestSnapshotExtendedWithNewMail: a console's scan after extendAt new
// mails, the last the password mail of a ZIP mail the snapshot held
// waiting, hands out the kept list and the new mail as a scan without
// cache emits them, and records the snapshot of the whole listing,
// its own: the next scan hands out the whole list, and pairs mail come
// since from that snapshot's tail. Each scan prints what a scan without
// cache prints.
func TestSnapshotExtendedWithNewMail(t *testing.T) {
	h := newHeldBack(t, nil)
	a, dir, cfg := h.a, h.dir, h.cfg
	before := snapshotOf(t, dir, cfg)
	h.deliverNewsFrom(t, 1999990000, extendAt)
	h.passwordComes(t)
	want := freshScan(t, dir, cfg)
	if i := slices.IndexFunc(want, func(m model.Message) bool { return m.ID == h.zip }); i < 0 || opened(&want[i]) == "" {
		t.Fatal("a scan without cache does not open the ZIP mail: the test shows no pairing")
	}

	s := scanRows(t, a)
	if len(s.rows) == 0 || !a.ScanReplayed() {
		t.Fatal("the scan after the new mail did not hand out the kept list")
	}
	sameAsFresh(t, "the new mail come", a, s, want)
	after := h.recordedWhole(t, before, want)

	// A copy of the ZIP mail, listed after it, pairs from the new
	// snapshot's tail.
	paths, _ := filepath.Glob(filepath.Join(dir, "*", string(h.zip)+"*"))
	if len(paths) != 1 {
		t.Fatalf("the ZIP mail %s is at %q", h.zip, paths)
	}
	raw, err := os.ReadFile(paths[0])
	if err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(filepath.Join(dir, "new", "1999999999.M2P1.zip"), raw, 0o600); err != nil {
		t.Fatal(err)
	}
	want = freshScan(t, dir, cfg)
	if i := slices.IndexFunc(want, func(m model.Message) bool { return m.ID == "1999999999.M2P1.zip" }); i < 0 || opened(&want[i]) == "" {
		t.Fatal("a scan without cache does not open the ZIP mail's copy: the test shows no pairing")
	}
	s = scanRows(t, a)
	if len(s.rows) != len(want)-1 || !a.ScanReplayed() {
		t.Fatalf("the scan after a ZIP mail's copy handed out %d rows, want %d", len(s.rows), len(want)-1)
	}
	sameAsFresh(t, "a ZIP mail's copy after the new snapshot", a, s, want)
	if got := snapshotOf(t, dir, cfg); got.Digest != after.Digest {
		t.Fatal("one new mail recorded a snapshot of its own")
	}

	// Without the kept list, the scan replays the new snapshot's
	// messages, and keeps its list again.
	if s := withoutKeptList(t, a, cfg, "after the new snapshot", want); len(s.rows) != len(want)-1 {
		t.Fatalf("the list kept again holds %d rows, want %d", len(s.rows), len(want)-1)
	}
}

// TestSnapshotExtendedByMailThatCannotPair: extendAt new mails that
// pairing leaves alone are replayed, and the snapshot of the whole
// listing recorded from the stream resumed all the same, its tail
// with it: the password mail of the ZIP mail the first snapshot held,
// coming after, opens it, paired from the new snapshot's tail. A scan of
// messages (the CLI's) records the same snapshot as a console's.
func TestSnapshotExtendedByMailThatCannotPair(t *testing.T) {
	h := newHeldBack(t, nil)
	dir, cfg := h.dir, h.cfg
	h.deliverNewsScanned(t, 1999990000, extendAtWithoutList)
	for _, step := range []string{"the new mail come", "then unchanged"} {
		got, replayed := scanSorted(t, dir, cfg, Options{})
		if !replayed || !slices.Equal(got, freshSorted(t, dir, cfg)) {
			t.Fatalf("%s: the scan (replayed %v) printed other messages than a scan without cache", step, replayed)
		}
	}
	after := snapshotOf(t, dir, cfg)
	want := freshScan(t, dir, cfg)
	if after.Count != len(want) {
		t.Fatalf("the snapshot counts %d messages, want the whole listing's %d", after.Count, len(want))
	}
	h.passwordComes(t)
	want = freshScan(t, dir, cfg)
	if i := slices.IndexFunc(want, func(m model.Message) bool { return m.ID == h.zip }); i < 0 || opened(&want[i]) == "" {
		t.Fatal("a scan without cache does not open the ZIP mail: the test shows no pairing")
	}
	got, replayed := scanSorted(t, dir, cfg, Options{})
	if !replayed || !slices.Equal(got, freshSorted(t, dir, cfg)) {
		t.Fatalf("the password mail come: the scan (replayed %v) printed other messages than a scan without cache", replayed)
	}
	if s := snapshotOf(t, dir, cfg); s.Digest != after.Digest {
		t.Fatal("the password mail alone recorded a snapshot")
	}
	s := scanRows(t, h.a)
	sameAsFresh(t, "the console after the password mail", h.a, s, want)
}

// TestSnapshotExtendedByAScanOfMessages: the CLI's scan after
// extendAtWithoutList new mails, the last the password mail of the ZIP
// mail the snapshot held waiting, prints what a scan without cache
// prints, reading the outcomes it rewrote where they are now, and
// records the snapshot of the whole listing, which the next scans
// replay, a console's too.
func TestSnapshotExtendedByAScanOfMessages(t *testing.T) {
	h := newHeldBack(t, nil)
	dir, cfg := h.dir, h.cfg
	h.deliverNewsScanned(t, 1999990000, extendAtWithoutList)
	h.passwordComes(t)
	want := freshScan(t, dir, cfg)
	for _, step := range []string{"the new mail come", "then unchanged"} {
		got, replayed := scanSorted(t, dir, cfg, Options{})
		if !replayed || !slices.Equal(got, freshSorted(t, dir, cfg)) {
			t.Fatalf("%s: the scan (replayed %v) printed other messages than a scan without cache", step, replayed)
		}
		if s := snapshotOf(t, dir, cfg); s.Count != len(want) {
			t.Fatalf("%s: the snapshot counts %d messages, want the whole listing's %d", step, s.Count, len(want))
		}
	}
	s := scanRows(t, h.a)
	if len(s.rows) > 0 || !h.a.ScanReplayed() {
		t.Fatal("the console's scan did not replay the new snapshot's messages")
	}
	sameAsFresh(t, "the console after the new snapshot", h.a, s, want)
	if s := scanRows(t, h.a); len(s.rows) != len(want) {
		t.Fatalf("the console's list kept holds %d rows, want %d", len(s.rows), len(want))
	}
}

// TestScanOfMessagesLeavesTheConsolesList: the CLI's scan after fewer
// than extendAtWithoutList new mails, as many as make a console's scan
// record, replays the snapshot with them and records nothing: the list
// the console kept is still the one its next start hands out.
func TestScanOfMessagesLeavesTheConsolesList(t *testing.T) {
	h := newHeldBack(t, nil)
	dir, cfg := h.dir, h.cfg
	before := snapshotOf(t, dir, cfg)
	h.deliverNewsFrom(t, 1999990000, extendAt)
	if got, replayed := scanSorted(t, dir, cfg, Options{}); !replayed || !slices.Equal(got, freshSorted(t, dir, cfg)) {
		t.Fatalf("the CLI's scan (replayed %v) printed other messages than a scan without cache", replayed)
	}
	if s := snapshotOf(t, dir, cfg); s.Digest != before.Digest {
		t.Fatal("the CLI's scan recorded a snapshot the console kept no list of")
	}
	s := scanRows(t, h.a)
	if len(s.rows) == 0 {
		t.Fatal("the console's next start did not hand out its kept list")
	}
	sameAsFresh(t, "the console after the CLI", h.a, s, freshScan(t, dir, cfg))
	if got := snapshotOf(t, dir, cfg); got.Count != len(s.rows)+len(s.msgs) {
		t.Fatalf("the console's scan recorded a snapshot of %d messages, want the whole listing's %d", got.Count, len(s.rows)+len(s.msgs))
	}
}
