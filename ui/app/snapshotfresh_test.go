package app

import (
	"context"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"testing"
	"time"

	"mxaudit/analysis/ppap"
	"mxaudit/analysis/scan"
	"mxaudit/mailsrc"
	"mxaudit/model"
	"mxaudit/model/store"
)

// openWithCache opens dir as an App under cfg, and the analysis cache
// of that source and those settings in cacheDir (cfg.CacheDir, the
// App's own, or an empty one elsewhere); both close when the test ends.
func openWithCache(t *testing.T, dir string, cfg Config, cacheDir string, opts ...store.CacheOption) (*App, *store.Cache) {
	t.Helper()
	a, err := Open(context.Background(), dir, cfg, Options{})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { a.Close() })
	name, fp := cacheIdentity(t, dir, cfg)
	c, err := store.OpenCache(cacheDir, name, fp, opts...)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { c.Close() })
	return a, c
}

// listOf lists a's source whole.
func listOf(t *testing.T, a *App) []mailsrc.Entry {
	t.Helper()
	var entries []mailsrc.Entry
	if err := a.src.List(context.Background(), func(e mailsrc.Entry) error { entries = append(entries, e); return nil }); err != nil {
		t.Fatal(err)
	}
	return entries
}

// TestReplayStopsWhenAFreshMessageIsNoLongerInert: a message the plan
// took as analysed afresh and inert, which the replay's own analysis
// finds with a sender (its file changed between the plan and the
// replay), stops the scan rather than be printed as if pairing could
// not involve it.
func TestReplayStopsWhenAFreshMessageIsNoLongerInert(t *testing.T) {
	dir := snapshotQuarantine(t)
	cfg := Config{}
	cfg.Offline, cfg.CacheDir = true, t.TempDir()
	a, c := openWithCache(t, dir, cfg, t.TempDir()) // an empty cache
	entries := listOf(t, a)
	held := newHeldEntries(len(entries))
	for _, e := range entries {
		held.add(e)
	}
	fresh := entries[len(entries)/2].ID // every generated mail has a sender
	printed := false
	err := replay(context.Background(), a, c, scan.Options{Cache: c},
		&replayPlan{entries: held, repl: map[model.MessageID]replacement{fresh: {fresh: true}}}, 0, func(m model.Message) error {
			printed = printed || m.ID == fresh
			return nil
		})
	if !errors.Is(err, errReplay) || printed {
		t.Errorf("replay ended with %v, the message printed %v", err, printed)
	}
}

// TestReplayableRefusesAChangedMessageWithoutAResult: a snapshot whose
// changed messages name one its uncached messages name too (a damaged
// or forged record) is not replayed, even when that message is inert:
// its mark as analysed afresh would take the changed one's place.
func TestReplayableRefusesAChangedMessageWithoutAResult(t *testing.T) {
	dir := filepath.Join(t.TempDir(), "quarantine")
	for _, sub := range []string{"cur", "new", "tmp"} {
		if err := os.MkdirAll(filepath.Join(dir, sub), 0o700); err != nil {
			t.Fatal(err)
		}
	}
	for i := range 2 { // no sender, no attachment: inert
		body := fmt.Sprintf("Subject: note %d\r\nMessage-ID: <n%d@x>\r\n\r\nbody\r\n", i, i)
		if err := os.WriteFile(filepath.Join(dir, "cur", fmt.Sprintf("170000000%d.M1P1.test:2,S", i)), []byte(body), 0o600); err != nil {
			t.Fatal(err)
		}
	}
	cfg := Config{}
	cfg.Offline, cfg.CacheDir = true, t.TempDir()
	a, c := openWithCache(t, dir, cfg, t.TempDir()) // empty: no message has a result
	entries := listOf(t, a)
	if len(entries) != 2 {
		t.Fatalf("%d entries listed", len(entries))
	}
	digestOf := func() (*listingDigest, *heldEntries) {
		d, held := newStreamedDigest("salt", c), newHeldEntries(2)
		for _, e := range entries {
			d.add(e)
			held.add(e)
		}
		return d, held
	}
	d, _ := digestOf()
	all := func(model.MessageID) bool { return true }
	digest, uncached, ok := d.sum(c, all)
	if !ok || len(uncached) != 2 {
		t.Fatalf("digest %v, uncached %v", ok, uncached)
	}
	// What pairing read of them: the date each is analysed with (the
	// file's, without a Date header).
	var dates []string
	for _, e := range entries {
		m := scan.Analyse(context.Background(), a.src, a.analyzer, e)
		dates = append(dates, pairingDate(&m))
	}
	snap := scanSnapshot{Version: snapshotVersion, Digest: digest, Count: 2, Uncached: uncached, UncachedDates: dates}
	withDates := func(dates ...string) scanSnapshot {
		s := snap
		s.UncachedDates = dates
		return s
	}
	for _, tt := range []struct {
		name    string
		snap    scanSnapshot
		changed map[model.MessageID]replacement
		want    bool
	}{
		{"nothing changed", snap, map[model.MessageID]replacement{}, true},
		{"an uncached message changed", snap, map[model.MessageID]replacement{entries[0].ID: {ref: store.RecordRef{Off: 1, Len: 1}}}, false},
		// A date of another instant closes other windows.
		{"their dates not kept", withDates(), map[model.MessageID]replacement{}, false},
		{"one dated otherwise", withDates(dates[0], "1999-12-07T00:00:00Z"), map[model.MessageID]replacement{}, false},
		{"one undated", withDates("", dates[1]), map[model.MessageID]replacement{}, false},
	} {
		d, held := digestOf()
		plan, ok := a.replayable(context.Background(), c, tt.snap, tt.changed, held, d, ppap.Config{}, scan.Options{})
		if ok != tt.want {
			t.Errorf("%s: replayable %v, want %v", tt.name, ok, tt.want)
		}
		if ok && (len(plan.fresh) != 2 || !plan.repl[entries[0].ID].fresh) {
			t.Errorf("%s: plan %+v", tt.name, plan)
		}
	}
}

// TestReplayPinsTheOutcomeItChecked: a changed message whose outcome is
// under its key, but not at the place the snapshot checked (rewritten
// since), stops the replay, whether the scan's workers read it in the
// analysis's place or the replay swaps it as it is emitted (a listing
// warning); the message is never printed. One at that place is read
// even in the last hour before it expires, which Ref refuses to name
// (the plan's check, made before).
func TestReplayPinsTheOutcomeItChecked(t *testing.T) {
	dir := snapshotQuarantine(t)
	cfg := Config{}
	cfg.Offline, cfg.CacheDir = true, t.TempDir()
	out, _ := scanSorted(t, dir, cfg, Options{}) // fills the cache and its snapshot
	_, zipMsg := maildirFile(t, dir, out, `"encryption":"zipcrypto"`)
	var late time.Duration // how far the cache's clock is ahead
	a, c := openWithCache(t, dir, cfg, cfg.CacheDir, store.WithMaxAge(2*time.Hour),
		store.WithClock(func() time.Time { return time.Now().Add(late) }))
	ref, ok := c.Ref(changedKey(zipMsg.ID))
	if !ok {
		t.Fatal("the ZIP mail's outcome is not in the cache: the test checks nothing")
	}
	entries := listOf(t, a)
	for _, tt := range []struct {
		warn string
		late time.Duration
		ref  store.RecordRef
		want error
	}{
		{"", 0, ref, nil},
		{"listing doubt", 0, ref, nil},
		{"", 90 * time.Minute, ref, nil},
		{"listing doubt", 90 * time.Minute, ref, nil},
		{"", 0, store.RecordRef{Off: ref.Off, Len: ref.Len, Written: ref.Written + 1}, errReplay},
		{"listing doubt", 0, store.RecordRef{Off: ref.Off + 1, Len: ref.Len, Written: ref.Written}, errReplay},
	} {
		late = tt.late
		if _, named := c.Ref(changedKey(zipMsg.ID)); named != (tt.late == 0) {
			t.Fatalf("%v late: Ref names the outcome %v", tt.late, named)
		}
		held := newHeldEntries(len(entries))
		for _, e := range entries {
			if e.ID == zipMsg.ID {
				e.Warning = tt.warn
			}
			held.add(e)
		}
		printed := false
		err := replay(context.Background(), a, c, scan.Options{Cache: c},
			&replayPlan{entries: held, repl: map[model.MessageID]replacement{zipMsg.ID: {ref: tt.ref}}}, 0, func(m model.Message) error {
				printed = printed || m.ID == zipMsg.ID
				return nil
			})
		if !errors.Is(err, tt.want) || (tt.want != nil) == printed {
			t.Errorf("warning %q, %v late, ref %+v: replay ended with %v, ZIP mail printed %v", tt.warn, tt.late, tt.ref, err, printed)
		}
	}
}
