package app

// From the concurrency and data-safety review of the snapshot of the
// whole listing a replay with new mail records (snapshotextend.go).

import (
	"bytes"
	"context"
	"fmt"
	"os"
	"path/filepath"
	"runtime"
	"slices"
	"strings"
	"testing"
	"time"

	"mxaudit/mailsrc"
	"mxaudit/model"
	"mxaudit/model/store"
)

// cacheDataPath is the path of the analysis cache file of dir under cfg.
func cacheDataPath(t *testing.T, dir string, cfg Config) string {
	t.Helper()
	c := cacheOf(t, dir, cfg)
	p := c.Path()
	if err := c.Close(); err != nil {
		t.Fatal(err)
	}
	return p
}

// copyDir copies the regular files of src into a new directory.
func copyDir(t *testing.T, src string) string {
	t.Helper()
	dst := t.TempDir()
	ents, err := os.ReadDir(src)
	if err != nil {
		t.Fatal(err)
	}
	for _, e := range ents {
		if !e.Type().IsRegular() {
			continue
		}
		b, err := os.ReadFile(filepath.Join(src, e.Name()))
		if err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(filepath.Join(dst, e.Name()), b, 0o600); err != nil {
			t.Fatal(err)
		}
	}
	if err := os.Chmod(dst, 0o700); err != nil {
		t.Fatal(err)
	}
	return dst
}

// recordKey is the key of a cache file line (its "k" field).
func recordKey(line []byte) string {
	const k = `{"k":"`
	if !bytes.HasPrefix(line, []byte(k)) {
		return ""
	}
	rest := line[len(k):]
	if i := bytes.IndexByte(rest, '"'); i >= 0 {
		return string(rest[:i])
	}
	return ""
}

// TestReviewExtendedCrashAtEveryRecord: the scan that records the
// snapshot of the whole listing writes, in order, the rewritten outcomes
// (changedKey), the marks, then the snapshot. A process that dies at any
// point leaves the cache file a prefix of what it wrote (one buffered
// writer; a torn last line is cut off). Whatever prefix is left, the
// next scans, of messages and a console's, must emit what a scan without
// cache emits: replaying the old snapshot, the new one, or pairing.
func TestReviewExtendedCrashAtEveryRecord(t *testing.T) {
	for _, tc := range []struct {
		name     string
		password bool // the last new mail pairs (resumed for it), or none may (resumed all the same)
	}{{"mayPair", true}, {"cannotPair", false}} {
		t.Run(tc.name, func(t *testing.T) {
			h := newHeldBack(t, nil)
			dir, cfg := h.dir, h.cfg
			path := cacheDataPath(t, dir, cfg)
			before, err := os.ReadFile(path)
			if err != nil {
				t.Fatal(err)
			}
			old := snapshotOf(t, dir, cfg)
			t.Logf("the old snapshot names the held ZIP mail's outcome: %v", slices.ContainsFunc(old.Changed, func(c changedMessage) bool { return c.ID == h.zip }))
			h.deliverNewsScanned(t, 1999990000, extendAtWithoutList)
			if tc.password {
				h.passwordComes(t)
			}
			want := freshSorted(t, dir, cfg)
			wantMsgs := freshScan(t, dir, cfg)
			// The recording scan: the CLI's.
			if got, replayed := scanSorted(t, dir, cfg, Options{}); !replayed || !slices.Equal(got, want) {
				t.Fatalf("the recording scan (replayed %v) printed other messages than a scan without cache", replayed)
			}
			if s := snapshotOf(t, dir, cfg); s.Digest == old.Digest || s.Count != len(want) {
				t.Fatal("no snapshot of the whole listing recorded: the test shows nothing")
			}
			after, err := os.ReadFile(path)
			if err != nil {
				t.Fatal(err)
			}
			if len(after) <= len(before) || !bytes.Equal(after[:len(before)], before) {
				t.Fatal("the cache file was not only appended to")
			}
			// The line ends after before: every place the process may have
			// died (a line's end), and, for the snapshot's line, within it.
			var cuts []int
			firstPaired := -1
			for at := len(before); at < len(after); {
				n := bytes.IndexByte(after[at:], '\n')
				if n < 0 {
					break
				}
				key := recordKey(after[at : at+n])
				if firstPaired < 0 && (strings.HasPrefix(key, "paired-") || strings.HasPrefix(key, store.SnapshotPrefix)) {
					firstPaired = at
					cuts = append(cuts, at) // all the new mail cached, nothing of recordExtended's
				}
				if firstPaired >= 0 {
					t.Logf("line at %d: %s", at, key)
					if key == snapshotKey {
						cuts = append(cuts, at+n/2) // torn
					}
					cuts = append(cuts, at+n+1)
				}
				at += n + 1
			}
			if firstPaired < 0 {
				t.Fatal("the scan wrote no outcome, marks or snapshot")
			}
			t.Logf("%d places to die at, from byte %d of %d", len(cuts), firstPaired, len(after))
			for _, cut := range cuts {
				cdir := copyDir(t, cfg.CacheDir)
				p := filepath.Join(cdir, filepath.Base(path))
				if err := os.WriteFile(p, after[:cut], 0o600); err != nil {
					t.Fatal(err)
				}
				os.Remove(p + ".idx") // written at Close, which a dead process did not reach
				c2 := cfg
				c2.CacheDir = cdir
				for i := range 2 {
					got, replayed := scanSorted(t, dir, c2, Options{})
					if !slices.Equal(got, want) {
						t.Fatalf("died at byte %d of %d: scan %d (replayed %v) printed other messages than a scan without cache", cut, len(after), i+1, replayed)
					}
					t.Logf("died at byte %d: scan %d replayed %v", cut, i+1, replayed)
				}
				// A console after it (the old list kept, if it was).
				a, err := Open(context.Background(), dir, c2, Options{})
				if err != nil {
					t.Fatal(err)
				}
				for i := range 2 {
					s := scanRows(t, a)
					sameAsFresh(t, fmt.Sprintf("died at byte %d, console scan %d", cut, i+1), a, s, wantMsgs)
				}
				a.Close()
			}
		})
	}
}

// TestReviewExtendedSumLeavesTheDigest: extendedSum reads the digest
// and changes nothing of it (sum and prefixSum give what they gave), and
// it is the digest a digest of the whole listing taken now would give,
// the new mail cached since it was listed.
func TestReviewExtendedSumLeavesTheDigest(t *testing.T) {
	c := emptyCache(t)
	const prefix, all = 30, 45
	var entries []mailsrc.Entry
	held := newHeldEntries(all)
	for i := range all {
		e := mailsrc.Entry{ID: model.MessageID(fmt.Sprintf("cur/%d.M%d.host:2,S", 1796600000+i, i)), Stamp: fmt.Sprint(1000 + i),
			Received: time.Unix(1796600000+int64(i), 0)}
		entries = append(entries, e)
		held.add(e)
		if i < prefix && i%9 != 4 {
			putStamped(t, c, e, model.Message{ID: e.ID, Subject: fmt.Sprint(i)})
		}
	}
	uncached := func(id model.MessageID) bool { return true }
	d := newKeptDigest("salt", all, c)
	d.prefixAt = prefix
	for _, e := range entries {
		d.add(e)
	}
	prefixDigest, ok := d.prefixSum(c, uncached)
	if !ok {
		t.Fatal("no prefix digest")
	}
	missed := slices.Clone(d.missed)
	hSum, refsSum := d.h.Sum(nil), d.refsHash.Sum(nil)
	// The check caches the new mail, after the listing.
	for i := prefix; i < all; i++ {
		if i%4 != 0 {
			putStamped(t, c, entries[i], model.Message{ID: entries[i].ID, Subject: "new"})
		}
	}
	got1, missed1, ok1 := d.extendedSum(c, held, uncached)
	got2, missed2, ok2 := d.extendedSum(c, held, uncached)
	if !ok1 || !ok2 || got1 != got2 || !slices.Equal(missed1, missed2) {
		t.Fatalf("extendedSum twice: %v %v, %q %q", ok1, ok2, got1, got2)
	}
	if !bytes.Equal(d.h.Sum(nil), hSum) || !bytes.Equal(d.refsHash.Sum(nil), refsSum) || !slices.Equal(d.missed, missed) {
		t.Fatal("extendedSum changed the digest")
	}
	if p, ok := d.prefixSum(c, uncached); !ok || p != prefixDigest {
		t.Fatal("extendedSum changed the prefix digest")
	}
	// A digest of the whole listing taken now.
	now := newStreamedDigest("salt", c)
	for _, e := range entries {
		now.add(e)
	}
	want, wantMissed, ok := now.sum(c, uncached)
	if !ok || want != got1 || !slices.Equal(wantMissed, missed1) {
		t.Fatalf("extendedSum is %q (missed %v), a digest of the listing now %q (missed %v)", got1, missed1, want, wantMissed)
	}
}

// TestReviewExtendedRecordBytes: the snapshot of a million messages'
// listing with 190,000 changed, named as Dovecot names mail (70 bytes),
// is a record the cache takes and gives back whole, and spelling it
// allocates little more than the record itself (through encoding/json,
// five copies of its list: 154 MB for a 16.5 MB record, at a warm
// start's peak). Bytes allocated, not time.
func TestReviewExtendedRecordBytes(t *testing.T) {
	const n = 190_000
	changed := make(changedList, 0, n)
	for i := range n {
		id := model.MessageID(fmt.Sprintf("%d.M%dP%d.mx1.example.com,S=%d,W=%d:2,S", 1796600000+i, 100000+i, 20000+i%9999, 4000+i, 4100+i))
		changed = append(changed, changedMessage{ID: id, Ref: store.RecordRef{Off: int64(i) * 2900, Len: 2800, Written: 1796600000}})
	}
	s := scanSnapshot{Version: snapshotVersion, Digest: strings.Repeat("0", 64), Count: 1_000_000, Changed: changed}
	var before, after runtime.MemStats
	runtime.GC()
	runtime.ReadMemStats(&before)
	b, err := marshalSnapshot(s)
	runtime.ReadMemStats(&after)
	if err != nil {
		t.Fatal(err)
	}
	if alloc := after.TotalAlloc - before.TotalAlloc; alloc > uint64(len(b)+len(b)/4) {
		t.Errorf("%.1f MB allocated to spell a record of %.1f MB", float64(alloc)/1e6, float64(len(b))/1e6)
	}
	c := emptyCache(t)
	if err := c.PutRecord(snapshotKey, b); err != nil {
		t.Fatalf("a record of %.1f MB: %v", float64(len(b))/1e6, err)
	}
	back, ok := loadSnapshot(c)
	if !ok || len(back.Changed) != n || back.Changed[n-1] != changed[n-1] {
		t.Fatalf("the record gave back %d changed messages (%v), want %d", len(back.Changed), ok, n)
	}
}

// TestReviewExtendedMessageDuringRecordingScan: Message reads back, on
// other goroutines, the rows the last scan handed out while the next
// scan records the snapshot of the whole listing (rewriting outcomes and
// plan.repl at plan time) and hands out rows of its own, then while
// the scans after replay it: run with -race. Each read gives what a
// scan without cache gives, or fails as a let-go replay does.
func TestReviewExtendedMessageDuringRecordingScan(t *testing.T) {
	h := newHeldBack(t, nil)
	a, dir, cfg := h.a, h.dir, h.cfg
	var ids []model.MessageID
	for _, r := range h.shut.rows {
		ids = append(ids, r.ID())
	}
	before := map[model.MessageID]model.Message{}
	for _, m := range freshScan(t, dir, cfg) {
		before[m.ID] = m
	}
	old := snapshotOf(t, dir, cfg)
	h.deliverNewsFrom(t, 1999990000, extendAt)
	h.passwordComes(t)
	after := map[model.MessageID]model.Message{}
	for _, m := range freshScan(t, dir, cfg) {
		after[m.ID] = m
	}
	stop := readBackMeanwhile(t, a, ids, 2, before, after)
	for range 3 {
		scanRows(t, a)
	}
	stop()
	if s := snapshotOf(t, dir, cfg); s.Digest == old.Digest || s.Count != len(after) {
		t.Fatal("no snapshot of the whole listing recorded: the test shows nothing")
	}
}

// TestReviewExtendedWithAnotherWriter: another process holds the cache
// (this one reads it only) when extendAt new mails come, with and
// without one that pairs: each scan, a console's and the CLI's, emits
// what a scan without cache emits, and nothing is recorded (the
// snapshot and its marks stay as they were). Once the other lets go,
// the next scan records the snapshot of the whole listing.
func TestReviewExtendedWithAnotherWriter(t *testing.T) {
	for _, password := range []bool{false, true} {
		t.Run(fmt.Sprint("password ", password), func(t *testing.T) {
			h := newHeldBack(t, nil)
			a, dir, cfg := h.a, h.dir, h.cfg
			old := snapshotOf(t, dir, cfg)
			h.deliverNewsFrom(t, 1999990000, extendAt)
			if password {
				h.passwordComes(t)
			}
			want := freshScan(t, dir, cfg)
			wantSorted := freshSorted(t, dir, cfg)
			held := a.openCache() // "another process"
			if held == nil || held.Stats().ReadOnly {
				t.Fatal("no writer")
			}
			marksBefore, _ := held.GetRecord(marksKey)
			for i := range 2 {
				s := scanRows(t, a)
				sameAsFresh(t, fmt.Sprintf("read-only, console scan %d", i+1), a, s, want)
				if got, _ := scanSorted(t, dir, cfg, Options{}); !slices.Equal(got, wantSorted) {
					t.Fatalf("read-only, scan %d printed other messages than a scan without cache", i+1)
				}
			}
			if err := held.Close(); err != nil {
				t.Fatal(err)
			}
			c := a.openCache()
			marksAfter, _ := c.GetRecord(marksKey)
			s, _ := loadSnapshot(c)
			c.Close()
			if s.Digest != old.Digest || !bytes.Equal(marksBefore, marksAfter) {
				t.Fatal("a read-only scan changed the snapshot or its marks")
			}
			sameAsFresh(t, "writer again", a, scanRows(t, a), want)
			if s := snapshotOf(t, dir, cfg); s.Digest == old.Digest || s.Count != len(want) {
				t.Fatal("the writer's scan recorded no snapshot of the whole listing")
			}
			sameAsFresh(t, "after the new snapshot", a, scanRows(t, a), want)
		})
	}
}

// TestReviewExtendedRestAfterADamagedBlock: the scan that records the
// snapshot of the whole listing meets a damaged block of the kept list:
// the rest is replayed from the cache opened again (the scan's was
// closed once the first block was out), reading the outcomes it rewrote
// where they are now, and the list is kept again under the new digest,
// whole: the next scan hands it out, what a scan without cache gives.
func TestReviewExtendedRestAfterADamagedBlock(t *testing.T) {
	defer func(n int) { rowsPerBlock = n }(rowsPerBlock)
	for _, k := range []int{1, -1} {
		t.Run(fmt.Sprint("block ", k), func(t *testing.T) {
			rowsPerBlock = 16
			h := newHeldBack(t, nil)
			a, dir, cfg := h.a, h.dir, h.cfg
			old := snapshotOf(t, dir, cfg)
			h.deliverNewsFrom(t, 1999990000, extendAt)
			h.passwordComes(t)
			want := freshScan(t, dir, cfg)
			if k < 0 {
				k = (old.Count - 1) / rowsPerBlock // the last block
			}
			damageBlock(t, cfg, k)
			s := scanRows(t, a)
			if len(s.rows) == 0 || len(s.msgs) <= extendAt+1 || !a.ScanReplayed() {
				t.Fatalf("%d rows, %d messages: the damaged block did not make a rest", len(s.rows), len(s.msgs))
			}
			sameAsFresh(t, "the rest after a damaged block", a, s, want)
			if s := snapshotOf(t, dir, cfg); s.Digest == old.Digest || s.Count != len(want) {
				t.Fatal("no snapshot of the whole listing recorded")
			}
			s = scanRows(t, a)
			if len(s.rows) != len(want) || len(s.msgs) != 0 {
				t.Fatalf("the list kept again: %d rows and %d messages, want %d rows", len(s.rows), len(s.msgs), len(want))
			}
			sameAsFresh(t, "the list kept again", a, s, want)
		})
	}
}
