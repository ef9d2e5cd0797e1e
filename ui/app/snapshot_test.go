package app

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"runtime"
	"slices"
	"strings"
	"testing"
	"time"

	"mxaudit/analysis/ppap"
	"mxaudit/analysis/scan"
	"mxaudit/mailsrc"
	"mxaudit/mailsrc/demo"
	"mxaudit/model"
	"mxaudit/model/store"
)

// snapshotQuarantine writes the demo quarantine and some generated mail
// (PPAP pairs among them) to a Maildir and returns its path.
func snapshotQuarantine(t *testing.T) string {
	t.Helper()
	samples := demo.Samples(demo.Options{})
	if err := demo.Bulk(200, 5, func(s demo.Sample) error { samples = append(samples, s); return nil }); err != nil {
		t.Fatal(err)
	}
	dir := filepath.Join(t.TempDir(), "quarantine")
	if err := demo.WriteMaildir(dir, samples); err != nil {
		t.Fatal(err)
	}
	return dir
}

// scanSorted scans dir and returns every message as JSON, sorted, and
// whether the scan replayed the snapshot.
func scanSorted(t *testing.T, dir string, cfg Config, opts Options) ([]string, bool) {
	t.Helper()
	a, err := Open(context.Background(), dir, cfg, opts)
	if err != nil {
		t.Fatal(err)
	}
	defer a.Close()
	var out []string
	err = a.Scan(context.Background(), func(m model.Message) error {
		b, err := json.Marshal(m)
		out = append(out, string(b))
		return err
	}, nil)
	if err != nil {
		t.Fatal(err)
	}
	slices.Sort(out)
	return out, a.ScanReplayed()
}

// freshSorted is scanSorted's output for a scan of dir without the cache.
func freshSorted(t *testing.T, dir string, cfg Config) []string {
	t.Helper()
	cfg.Flags.NoCache = true
	out, _ := scanSorted(t, dir, cfg, Options{})
	return out
}

// maildirFile returns the path of the message whose output holds marker.
func maildirFile(t *testing.T, dir string, out []string, marker string) (string, model.Message) {
	t.Helper()
	for _, line := range out {
		if !bytes.Contains([]byte(line), []byte(marker)) {
			continue
		}
		var m model.Message
		if err := json.Unmarshal([]byte(line), &m); err != nil {
			t.Fatal(err)
		}
		for _, sub := range []string{"cur", "new"} {
			names, _ := filepath.Glob(filepath.Join(dir, sub, string(m.ID)+"*"))
			if len(names) == 1 {
				return names[0], m
			}
		}
	}
	t.Fatalf("no message holds %s", marker)
	return "", model.Message{}
}

// TestSnapshotReplaysOnlyAnUnchangedQuarantine: a scan of an unchanged
// Maildir replays the last scan's pairing outcome and prints what pairing
// printed; after each change that can move a pairing (a mail added or
// removed, a file replaced and put back, a paired result rewritten in
// the cache) the scan pairs through the stream again and prints what a
// scan without any cache prints, then replays that.
func TestSnapshotReplaysOnlyAnUnchangedQuarantine(t *testing.T) {
	defer func(c int) { chunkLen = c }(chunkLen)
	chunkLen = 16 // the listing let go of as it is listed, in many chunks
	dir := snapshotQuarantine(t)
	cfg := Config{}
	cfg.Offline, cfg.CacheDir = true, t.TempDir()
	fresh := func() []string { return freshSorted(t, dir, cfg) }
	same := func(what string, got, want []string) {
		t.Helper()
		if !slices.Equal(got, want) {
			for i := range min(len(got), len(want)) {
				if got[i] != want[i] {
					t.Fatalf("%s: record %d differs:\ngot  %s\nwant %s", what, i, got[i], want[i])
				}
			}
			t.Fatalf("%s: %d records, want %d", what, len(got), len(want))
		}
	}
	// check scans twice: through the stream (the cache changed), then by
	// replaying what that scan recorded; both print what no cache does.
	// checkAs is check for a scan that replays as firstReplays says: one
	// after a message with influence was taken out replays through a
	// Repair (snapshotrepair.go).
	checkAs := func(what string, firstReplays bool) []string {
		t.Helper()
		want := fresh()
		got, replayed := scanSorted(t, dir, cfg, Options{})
		if replayed != firstReplays {
			t.Fatalf("%s: the scan replayed %v, want %v", what, replayed, firstReplays)
		}
		same(what+", paired", got, want)
		got, replayed = scanSorted(t, dir, cfg, Options{})
		if !replayed {
			t.Fatalf("%s: the second scan did not replay", what)
		}
		same(what+", replayed", got, want)
		return want
	}
	check := func(what string) []string {
		t.Helper()
		return checkAs(what, false)
	}
	out := check("cold")
	pw, pwMsg := maildirFile(t, dir, out, `"password_for":[`)
	if len(pwMsg.PasswordFor) == 0 {
		t.Fatal("no password mail: the test checks no pairing")
	}

	// A copy of a password mail, a new candidate, listed first (one
	// listed last is paired from the snapshot's tail:
	// TestSnapshotReplayedWithNewMail).
	raw, err := os.ReadFile(pw)
	if err != nil {
		t.Fatal(err)
	}
	copyName := filepath.Join(dir, "new", "1000000000.M1P1.copy")
	if err := os.WriteFile(copyName, raw, 0o600); err != nil {
		t.Fatal(err)
	}
	check("a mail added")

	// The password mail gone: its ZIP mail stays shut.
	if err := os.Remove(pw); err != nil {
		t.Fatal(err)
	}
	out = checkAs("a password mail removed", true)

	// A ZIP mail replaced with other bytes (a new file renamed over it, as
	// a tool that edits mail does), then put back: the original file
	// renamed back, so that every listed file has a cached result again,
	// those of the first scan, and only the digest tells this listing
	// from the one the snapshot was taken of.
	zip, _ := maildirFile(t, dir, out, `"encryption":"zipcrypto"`)
	raw, err = os.ReadFile(zip)
	if err != nil {
		t.Fatal(err)
	}
	kept := filepath.Join(dir, "tmp", "kept")
	if err := os.Link(zip, kept); err != nil {
		t.Fatal(err)
	}
	edited := filepath.Join(dir, "tmp", "edited")
	if err := os.WriteFile(edited, append([]byte("X-Extra: 1\r\n"), raw...), 0o600); err != nil {
		t.Fatal(err)
	}
	if err := os.Rename(edited, zip); err != nil {
		t.Fatal(err)
	}
	check("a ZIP mail replaced")
	if err := os.Rename(kept, zip); err != nil {
		t.Fatal(err)
	}
	check("a ZIP mail put back")
	// Only touched: the same file, the same bytes. A Maildir listing reads
	// no times (its stamps are inode numbers), so the snapshot stands.
	later := time.Now().Add(time.Hour)
	if err := os.Chtimes(zip, later, later); err != nil {
		t.Fatal(err)
	}
	if runtime.GOOS == "linux" {
		got, replayed := scanSorted(t, dir, cfg, Options{})
		if !replayed {
			t.Fatal("a ZIP mail touched: the scan did not replay")
		}
		same("a ZIP mail touched, replayed", got, fresh())
		out = got
	} else {
		out = check("a ZIP mail touched") // its stamp has its time
	}

	// A paired result rewritten in the cache (as another scan of the same
	// IDs with other mail would): its ref no longer matches the snapshot.
	name, fp := cacheIdentity(t, dir, cfg)
	c, err := store.OpenCache(cfg.CacheDir, name, fp)
	if err != nil {
		t.Fatal(err)
	}
	_, zipMsg := maildirFile(t, dir, out, `"encryption":"zipcrypto"`)
	zipMsg.Subject = "rewritten"
	if _, ok := c.Ref(changedKey(zipMsg.ID)); !ok {
		t.Fatal("the ZIP mail has no paired result in the cache")
	}
	if err := c.Put(changedKey(zipMsg.ID), zipMsg); err != nil {
		t.Fatal(err)
	}
	if err := c.Close(); err != nil {
		t.Fatal(err)
	}
	check("a paired result rewritten")
}

// cacheIdentity is the source name and fingerprint under which a scan of
// dir with cfg opens its cache.
func cacheIdentity(t *testing.T, dir string, cfg Config) (string, string) {
	t.Helper()
	a, err := Open(context.Background(), dir, cfg, Options{})
	if err != nil {
		t.Fatal(err)
	}
	defer a.Close()
	return a.src.Name(), a.cacheFingerprint()
}

// TestSnapshotNotRecordedAfterAForgottenPairing: a scan in which one
// pairing was not remembered, or whose listing held a file twice,
// records no snapshot.
func TestSnapshotNotRecordedAfterAForgottenPairing(t *testing.T) {
	c, err := store.OpenCache(t.TempDir(), "src", "fp")
	if err != nil {
		t.Fatal(err)
	}
	defer c.Close()
	for _, tt := range []struct {
		name string
		hear func(*snapshotRecorder)
		want bool
	}{
		{"a pairing forgotten", (*snapshotRecorder).Forgot, false},
		{"a file listed twice", (*snapshotRecorder).listedTwice, false},
		{"neither", func(*snapshotRecorder) {}, true},
	} {
		r := newSnapshotRecorder(c, ppap.Config{ResultsSalt: "salt"}, false, false)
		tt.hear(r)
		if _, ok := r.save(); ok != tt.want {
			t.Errorf("%s: saved %v", tt.name, ok)
		}
		if _, ok := loadSnapshot(c); ok != tt.want {
			t.Errorf("%s: snapshot recorded %v", tt.name, ok)
		}
	}
}

// TestReplayStopsWhenAnOutcomeIsLost: a changed message whose outcome the
// cache no longer gives back during the replay stops the scan with an
// error, whether the scan's workers read it in the analysis's place (no
// listing warning) or the replay swaps it as it is emitted (a warning);
// it is never printed as analysed, before pairing.
func TestReplayStopsWhenAnOutcomeIsLost(t *testing.T) {
	dir := snapshotQuarantine(t)
	cfg := Config{}
	cfg.Offline, cfg.CacheDir = true, t.TempDir()
	out, _ := scanSorted(t, dir, cfg, Options{}) // fills the cache
	_, zipMsg := maildirFile(t, dir, out, `"encryption":"zipcrypto"`)
	a, c := openWithCache(t, dir, cfg, t.TempDir()) // empty: every outcome lost
	entries := listOf(t, a)
	for _, warn := range []string{"", "listing doubt"} {
		listed := slices.Clone(entries)
		for i := range listed {
			if listed[i].ID == zipMsg.ID {
				listed[i].Warning = warn
			}
		}
		repl := map[model.MessageID]replacement{zipMsg.ID: {}} // changed: its outcome is to be read
		printed := false
		held := newHeldEntries(len(listed))
		for _, e := range listed {
			held.add(e)
		}
		err := replay(context.Background(), a, c, scan.Options{Cache: c}, &replayPlan{entries: held, repl: repl}, 0, func(m model.Message) error {
			printed = printed || m.ID == zipMsg.ID
			return nil
		})
		if !errors.Is(err, errReplay) || printed {
			t.Errorf("warning %q: replay ended with %v, ZIP mail printed %v", warn, err, printed)
		}
	}
}

// TestSnapshotCountIsNotTrusted: a snapshot whose count is negative is
// not one, and a huge count (the cache is a file) makes no room ahead
// for that many entries.
func TestSnapshotCountIsNotTrusted(t *testing.T) {
	c, err := store.OpenCache(t.TempDir(), "src", "fp")
	if err != nil {
		t.Fatal(err)
	}
	defer c.Close()
	for _, tt := range []struct {
		count int
		ok    bool
	}{{-1, false}, {0, true}, {1 << 40, true}} {
		rec := fmt.Sprintf(`{"v":%d,"digest":"d","count":%d}`, snapshotVersion, tt.count)
		if err := c.PutRecord(snapshotKey, []byte(rec)); err != nil {
			t.Fatal(err)
		}
		snap, ok := loadSnapshot(c)
		if ok != tt.ok {
			t.Fatalf("count %d: loaded %v", tt.count, ok)
		}
		if !ok {
			continue
		}
		var m0, m1 runtime.MemStats
		runtime.ReadMemStats(&m0)
		newKeptDigest("salt", snap.Count, c)
		runtime.ReadMemStats(&m1)
		// At most maxSizeHint entries' room, and a busy day's after
		// them (appendedMost, reserved): a stamp sum, an ID, a ref and
		// a flag each (65 bytes), and a little more.
		if n := m1.TotalAlloc - m0.TotalAlloc; n > uint64(maxSizeHint+appendedMost(maxSizeHint))*72 {
			t.Errorf("count %d: %d bytes made ahead", tt.count, n)
		}
	}
}

// TestReplayGivesAListingWarningOnce: a changed message whose listing
// entry carries a warning is swapped as it is emitted, not read in the
// place of its analysis: its outcome, recorded by a scan that listed the
// same warning, holds it already, and is printed as recorded, the
// warning once; read by the workers, the scan would add it again.
func TestReplayGivesAListingWarningOnce(t *testing.T) {
	const warn = "listing doubt"
	dir := snapshotQuarantine(t)
	cfg := Config{}
	cfg.Offline, cfg.CacheDir = true, t.TempDir()
	out, _ := scanSorted(t, dir, cfg, Options{}) // fills the cache, outcomes too
	_, zipMsg := maildirFile(t, dir, out, `"encryption":"zipcrypto"`)
	a, c := openWithCache(t, dir, cfg, cfg.CacheDir)
	outcome, ok := c.Get(changedKey(zipMsg.ID))
	if !ok {
		t.Fatal("the scan kept no outcome of the ZIP mail")
	}
	outcome.Verdict.Reasons = append(outcome.Verdict.Reasons, warn) // as a scan listing the warning emitted it
	if err := c.Put(changedKey(zipMsg.ID), outcome); err != nil {
		t.Fatal(err)
	}
	ref, ok := c.Ref(changedKey(zipMsg.ID))
	if !ok {
		t.Fatal("no ref of the outcome")
	}
	held := newHeldEntries(0)
	for _, e := range listOf(t, a) {
		if e.ID == zipMsg.ID {
			e.Warning = warn
		}
		held.add(e)
	}
	var got []model.Message
	err := replay(context.Background(), a, c, scan.Options{Cache: c}, &replayPlan{entries: held, repl: map[model.MessageID]replacement{zipMsg.ID: {ref: ref}}}, 0,
		func(m model.Message) error {
			if m.ID == zipMsg.ID {
				got = append(got, m)
			}
			return nil
		})
	if err != nil || len(got) != 1 {
		t.Fatalf("replay: %v, the ZIP mail printed %d times", err, len(got))
	}
	want, _ := json.Marshal(outcome)
	have, _ := json.Marshal(got[0])
	if !bytes.Equal(have, want) {
		t.Errorf("printed\n%s\nwant the recorded outcome\n%s", have, want)
	}
	if n := strings.Count(string(have), warn); n != 1 {
		t.Errorf("the warning is given %d times", n)
	}
}

// TestReplayCacheForgetsAnOutcomeDropped: an outcome the scan read in a
// message's place and then could not use (it did not decode) is no
// longer taken as read, so that the replay stops rather than print the
// message as analysed; and the cache answers nothing by key alone.
func TestReplayCacheForgetsAnOutcomeDropped(t *testing.T) {
	c := emptyCache(t)
	e := mailsrc.Entry{ID: "1.M1.host", Stamp: "7"}
	putStamped(t, c, e, model.Message{ID: e.ID}) // the store would answer by key
	held := newHeldEntries(1)
	held.add(e)
	rc := newReplayCache(c, map[model.MessageID]replacement{e.ID: {ref: store.RecordRef{Off: 1, Len: 1}}}, held, 0)
	flag := rc.read[e.ID]
	if flag == nil {
		t.Fatal("no flag for the changed message")
	}
	flag.Store(true)
	rc.Dropped(e)
	if flag.Load() {
		t.Error("an outcome dropped is still taken as read")
	}
	rc.Dropped(mailsrc.Entry{ID: "other"}) // not changed: nothing to forget
	if _, ok := rc.Get(scan.StampKey(scan.StampSum(e))); ok {
		t.Error("Get answered by key")
	}
	if _, ok := rc.GetEncoded(scan.StampKey(scan.StampSum(e))); ok || rc.Has(scan.StampKey(scan.StampSum(e))) {
		t.Error("GetEncoded or Has answered by key")
	}
}
