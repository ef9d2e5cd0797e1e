package store

import (
	"encoding/binary"
	"errors"
	"fmt"
	"hash/crc32"
	"os"
	"strings"
	"testing"
	"time"

	"mxaudit/model/store/fsx"
)

// idxKeys are keys of every kind the index file holds.
func idxKeys(n int) []string {
	var keys []string
	for i := range n {
		switch i % 5 {
		case 0:
			keys = append(keys, "stamp-"+sha256Hex(fmt.Sprint(i)))
		case 1:
			keys = append(keys, sha256Hex(fmt.Sprint(i)))
		case 2:
			keys = append(keys, "paired-"+sha256Hex(fmt.Sprint(i)))
		case 3:
			keys = append(keys, "ppap-"+sha256Hex(fmt.Sprint(i)))
		default:
			keys = append(keys, fmt.Sprintf("7/%d", i))
		}
	}
	return keys
}

// putAll stores a message naming its key under each key.
func putAll(t *testing.T, c *Cache, keys []string, tag string) {
	t.Helper()
	for _, k := range keys {
		m := msgFor(k)
		m.Subject += tag
		if err := c.Put(k, m); err != nil {
			t.Fatal(err)
		}
	}
}

// checkAll fails unless every key gives its message with the tag.
func checkAll(t *testing.T, c *Cache, keys []string, tag func(string) string) {
	t.Helper()
	for _, k := range keys {
		m, ok := c.Get(k)
		want := msgFor(k).Subject + tag(k)
		if !ok || m.Subject != want {
			t.Fatalf("Get(%q) = %q, %v; want %q", k, m.Subject, ok, want)
		}
	}
}

// TestCacheOpensFromItsIndexFile checks that a cache closed cleanly is
// opened from its index file, with the same entries, counts and answers
// as reading the whole file; then that records appended after the index
// was written (a writer that did not close) make the open read the data
// file again.
func TestCacheOpensFromItsIndexFile(t *testing.T) {
	dir := t.TempDir()
	keys := idxKeys(40)
	c := openTestCache(t, dir)
	putAll(t, c, keys, "")
	putAll(t, c, keys[:10], " again") // superseded records
	c.Prune(func(k string) bool { return k != keys[11] })
	if err := c.Close(); err != nil {
		t.Fatal(err)
	}
	tag := func(k string) string {
		for _, a := range keys[:10] {
			if a == k {
				return " again"
			}
		}
		return ""
	}
	live := append(append([]string{}, keys[:11]...), keys[12:]...)

	full := openTestCache(t, dir)
	os.Remove(idxPath(full.path))
	fullStats := full.Stats()
	full.Close() // writes the index again

	c = openTestCache(t, dir)
	s := c.Stats()
	if !s.FromIndex {
		t.Fatal("the cache was not opened from its index file")
	}
	if s.Entries != fullStats.Entries || s.Bytes != fullStats.Bytes || s.Records != fullStats.Records || s.Dropped != fullStats.Dropped {
		t.Fatalf("from the index %+v, from the file %+v", s, fullStats)
	}
	checkAll(t, c, live, tag)
	if _, ok := c.Get(keys[11]); ok {
		t.Fatal("a pruned key is found")
	}
	// A writer that stops without closing: its records are in the data
	// file, which the index no longer matches.
	putAll(t, c, keys[20:30], " late")
	if err := c.Flush(); err != nil {
		t.Fatal(err)
	}
	fsxUnlockForTest(c)

	c = openTestCache(t, dir)
	defer c.Close()
	if c.Stats().FromIndex {
		t.Fatal("the index file was used for a data file appended to since")
	}
	checkAll(t, c, live, func(k string) string {
		for _, a := range keys[20:30] {
			if a == k {
				return " late"
			}
		}
		return tag(k)
	})
}

// TestCacheIgnoresAnIndexFileThatDoesNotMatch changes the data file or
// the index file in every way the index must not survive, and checks
// that the cache then reads the whole data file, with the right answers.
func TestCacheIgnoresAnIndexFileThatDoesNotMatch(t *testing.T) {
	for _, tt := range []struct {
		name   string
		change func(t *testing.T, path string)
	}{
		{"index damaged", func(t *testing.T, path string) { flipByte(t, idxPath(path), 40) }},
		{"index cut short", func(t *testing.T, path string) { truncateBy(t, idxPath(path), 10) }},
		{"data cut short", func(t *testing.T, path string) {
			truncateBy(t, path, 5)
			appendTo(t, path, "\n")
		}},
		{"data rewritten before the covered point", func(t *testing.T, path string) {
			info, _ := os.Stat(path)
			flipByte(t, path, info.Size()-20)
		}},
		{"index of version 1", func(t *testing.T, path string) {
			// Another layout (three digest kinds) behind a checksum that
			// holds: only the magic refuses it.
			b, err := os.ReadFile(idxPath(path))
			if err != nil {
				t.Fatal(err)
			}
			old := []byte("mxaudit-cache-index 1\n")
			copy(b, old)
			b = binary.LittleEndian.AppendUint32(b[:len(b)-4], crc32.Checksum(b[:len(b)-4], castagnoli))
			if err := os.WriteFile(idxPath(path), b, 0o600); err != nil {
				t.Fatal(err)
			}
		}},
		{"index writable by others", func(t *testing.T, path string) { os.Chmod(idxPath(path), 0o622) }},
		{"index a symbolic link", func(t *testing.T, path string) {
			os.Rename(idxPath(path), path+".other")
			os.Symlink(path+".other", idxPath(path))
		}},
		{"data header damaged", func(t *testing.T, path string) {
			data, _ := os.ReadFile(path)
			os.Remove(path)
			os.WriteFile(path, []byte(strings.Replace(string(data), `"written":`, `"written":1`, 1)), 0o600)
		}},
	} {
		t.Run(tt.name, func(t *testing.T) {
			dir, path, keys := closedCache(t, 12)
			tt.change(t, path)
			c := openTestCache(t, dir)
			defer c.Close()
			if c.Stats().FromIndex {
				t.Fatal("the index file was used")
			}
			for _, k := range keys {
				if m, ok := c.Get(k); ok && m.Subject != msgFor(k).Subject {
					t.Fatalf("Get(%q) = %q", k, m.Subject)
				}
			}
		})
	}
}

// TestIndexedEntriesExpire checks that an entry from the index file is
// past the maximum age as one read from the data file would be.
func TestIndexedEntriesExpire(t *testing.T) {
	dir := t.TempDir()
	now := time.Unix(1_800_000_000, 0)
	c := openTestCache(t, dir, WithClock(func() time.Time { return now }), WithMaxAge(time.Hour))
	putAll(t, c, idxKeys(8), "")
	c.Close()
	later := now.Add(2 * time.Hour)
	c = openTestCache(t, dir, WithClock(func() time.Time { return later }), WithMaxAge(time.Hour))
	defer c.Close()
	if s := c.Stats(); !s.FromIndex || s.Entries != 0 {
		t.Fatalf("Stats %+v: want every entry expired, from the index", s)
	}
}

func flipByte(t *testing.T, path string, at int64) {
	t.Helper()
	f, err := os.OpenFile(path, os.O_RDWR, 0)
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	b := make([]byte, 1)
	f.ReadAt(b, at)
	b[0] ^= 0x01
	f.WriteAt(b, at)
}

func truncateBy(t *testing.T, path string, n int64) {
	t.Helper()
	info, err := os.Stat(path)
	if err != nil {
		t.Fatal(err)
	}
	if err := os.Truncate(path, info.Size()-n); err != nil {
		t.Fatal(err)
	}
}

func appendTo(t *testing.T, path, s string) {
	t.Helper()
	f, err := os.OpenFile(path, os.O_WRONLY|os.O_APPEND, 0)
	if err != nil {
		t.Fatal(err)
	}
	f.WriteString(s)
	f.Close()
}

// fsxUnlockForTest ends c as a writer that stops without closing would:
// its records flushed, its lock released, no index file written.
func fsxUnlockForTest(c *Cache) {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.closed = true
	if c.timer != nil {
		c.timer.Stop()
	}
	fsx.Unlock(c.lock)
	c.lock.Close()
	c.file.Close()
	c.rf.Close()
}

// TestIndexedEntryOfADamagedRecordMisses damages a record in place and
// puts the file's time back, so that the index file still matches: the
// damaged record is then a miss when read, never another message, and
// the others are still found.
func TestIndexedEntryOfADamagedRecordMisses(t *testing.T) {
	dir, path, keys := closedCache(t, 80) // the damage is before the last 4 KiB, which the index file sums
	info, _ := os.Stat(path)
	data, _ := os.ReadFile(path)
	at := strings.Index(string(data), msgFor(keys[3]).Subject)
	flipByte(t, path, int64(at))
	os.Chtimes(path, info.ModTime(), info.ModTime())
	c := openTestCache(t, dir)
	defer c.Close()
	if !c.Stats().FromIndex {
		t.Fatal("the index file was not used")
	}
	for i, k := range keys {
		m, ok := c.Get(k)
		if i == 3 {
			if ok {
				t.Fatalf("the damaged record was read back: %q", m.Subject)
			}
			continue
		}
		if !ok || m.Subject != msgFor(k).Subject {
			t.Fatalf("Get(%q) = %q, %v", k, m.Subject, ok)
		}
	}
}

// TestCompactionKeepsTheWrittenOrder checks that compaction keeps the
// records in the order they were written (the order scans read them
// back in), not in key order.
func TestCompactionKeepsTheWrittenOrder(t *testing.T) {
	dir := t.TempDir()
	c := openTestCache(t, dir)
	keys := idxKeys(60) // stamp, content, paired and named keys, interleaved: not in key order
	putAll(t, c, keys, "")
	gone := map[string]bool{}
	for i, k := range keys {
		if i%3 != 0 {
			gone[k] = true
		}
	}
	c.Prune(func(k string) bool { return !gone[k] })
	path := c.path
	if err := c.Close(); err != nil {
		t.Fatal(err)
	}
	if !c.Stats().Compacted {
		t.Fatal("not compacted")
	}
	var want, got []string
	for _, k := range keys {
		if !gone[k] {
			want = append(want, k)
		}
	}
	for _, line := range fileLines(t, path)[1:] {
		if len(line) < 2 {
			continue
		}
		r, err := parseCacheRecord(line[:len(line)-1])
		if err != nil {
			t.Fatal(err)
		}
		got = append(got, r.key)
	}
	if strings.Join(got, " ") != strings.Join(want, " ") {
		t.Fatalf("compacted in the order\n%v\nwant\n%v", got, want)
	}
}

// TestIndexOfAReplacedDataFileIsIgnored puts another data file in the
// place of the one indexed (written by a writer that did not close, so
// that the index file left is the old one's) and checks that the cache
// answers from the new file: its keys with its messages, the others
// missing.
func TestIndexOfAReplacedDataFileIsIgnored(t *testing.T) {
	dir, path, keys := closedCache(t, 12)
	if err := os.Remove(path); err != nil {
		t.Fatal(err)
	}
	c := openTestCache(t, dir)
	putAll(t, c, keys[:5], " other")
	if err := c.Flush(); err != nil {
		t.Fatal(err)
	}
	fsxUnlockForTest(c)
	if _, err := os.Stat(idxPath(path)); err != nil {
		t.Fatalf("the old index file is gone: %v", err)
	}

	c = openTestCache(t, dir)
	defer c.Close()
	if c.Stats().FromIndex {
		t.Fatal("the old data file's index was used")
	}
	for i, k := range keys {
		m, ok := c.Get(k)
		switch {
		case i < 5 && (!ok || m.Subject != msgFor(k).Subject+" other"):
			t.Errorf("Get(%q) = %q, %v; want the new file's message", k, m.Subject, ok)
		case i >= 5 && ok:
			t.Errorf("Get(%q) = %q from a file that no longer holds it", k, m.Subject)
		}
	}
}

// closedCache fills a cache with n keys of every kind (idxKeys), each
// with the message naming it, and closes it, leaving its index file; it
// returns the directory, the data file's path and the keys.
func closedCache(t *testing.T, n int) (dir, path string, keys []string) {
	t.Helper()
	dir, keys = t.TempDir(), idxKeys(n)
	c := openTestCache(t, dir)
	putAll(t, c, keys, "")
	if err := c.Close(); err != nil {
		t.Fatal(err)
	}
	return dir, c.path, keys
}

// TestUnchangedIndexFileIsNotWrittenAgain: a cache opened from its index
// file and closed without a change leaves that file as it is (a warm
// start of a million messages wrote 65 MB and synced it); a change, an
// entry expired since, or an index file gone meanwhile has it written
// again, and the next open reads it.
func TestUnchangedIndexFileIsNotWrittenAgain(t *testing.T) {
	dir := t.TempDir()
	now := time.Unix(1_800_000_000, 0)
	clock := WithClock(func() time.Time { return now })
	keys := idxKeys(12)
	c := openTestCache(t, dir, clock, WithMaxAge(time.Hour))
	putAll(t, c, keys[:8], "")
	if err := c.Close(); err != nil {
		t.Fatal(err)
	}
	idx := idxPath(c.path)
	stat := func() os.FileInfo {
		t.Helper()
		info, err := os.Stat(idx)
		if err != nil {
			t.Fatal(err)
		}
		return info
	}
	// reopen opens the cache, checks it came from the index file with
	// every key of want, runs change, closes it, and reports whether the
	// index file was written again.
	reopen := func(what string, want []string, change func(c *Cache)) bool {
		t.Helper()
		before := stat()
		c := openTestCache(t, dir, clock, WithMaxAge(time.Hour))
		if !c.Stats().FromIndex {
			t.Fatalf("%s: not opened from the index file", what)
		}
		checkAll(t, c, want, func(string) string { return "" })
		change(c)
		if err := c.Close(); err != nil {
			t.Fatal(err)
		}
		after := stat()
		return !os.SameFile(before, after) || !before.ModTime().Equal(after.ModTime())
	}
	if reopen("read only", keys[:8], func(*Cache) {}) {
		t.Error("a cache only read wrote its index file again")
	}
	if !reopen("a key added", keys[:8], func(c *Cache) { putAll(t, c, keys[8:9], "") }) {
		t.Error("a key added: the index file was not written again")
	}
	if !reopen("a key pruned", keys[:9], func(c *Cache) { c.Prune(func(k string) bool { return k != keys[0] }) }) {
		t.Error("a key pruned: the index file was not written again")
	}
	if !reopen("index file removed", keys[1:9], func(*Cache) { os.Remove(idx) }) {
		t.Error("an index file removed while the cache was open was not written again")
	}
	// A key written 70 minutes before the open, of a maximum age of an
	// hour, is left out as the index is read (one of twelve: too few
	// for Close to compact the file instead).
	dir = t.TempDir()
	now = time.Unix(1_800_000_000, 0)
	c = openTestCache(t, dir, clock, WithMaxAge(time.Hour))
	putAll(t, c, keys[:1], "")
	now = now.Add(40 * time.Minute)
	putAll(t, c, keys[1:], "")
	c.Close()
	idx = idxPath(c.path)
	now = now.Add(30 * time.Minute)
	if !reopen("a key expired", keys[1:], func(*Cache) {}) {
		t.Error("a key expired as the index file was read: the file was not written again")
	}
	if reopen("read only again", keys[1:], func(*Cache) {}) {
		t.Error("a cache only read wrote its index file again, once the expired key was left out")
	}
}

// TestCloseUnlessCompacting: a cache that Close would compact is left
// open, its records where they were, until a Close compacts it; any
// other is closed as Close closes it.
func TestCloseUnlessCompacting(t *testing.T) {
	dir := t.TempDir()
	keys := idxKeys(60)
	c := openTestCache(t, dir)
	putAll(t, c, keys, "")
	if closed, err := c.CloseUnlessCompacting(); !closed || err != nil || c.Stats().Compacted {
		t.Fatalf("a cache with no dead record: closed %v, %v, compacted %v", closed, err, c.Stats().Compacted)
	}
	if err := c.Put(keys[0], msgFor(keys[0])); !errors.Is(err, ErrCacheClosed) {
		t.Fatalf("Put after it was closed: %v", err)
	}
	c = openTestCache(t, dir)
	ref, ok := c.Ref(keys[59])
	if !ok {
		t.Fatal("no ref")
	}
	c.Prune(func(k string) bool { return k == keys[59] }) // most records dead, before the last
	closed, err := c.CloseUnlessCompacting()
	if closed || err != nil || c.Stats().Compacted || !c.HoldsRef(keys[59], ref) {
		t.Fatalf("a cache due for compaction: closed %v, %v; compacted %v", closed, err, c.Stats().Compacted)
	}
	checkAll(t, c, keys[59:], func(string) string { return "" })
	if err := c.Close(); err != nil || !c.Stats().Compacted {
		t.Fatalf("Close after it: %v, compacted %v", err, c.Stats().Compacted)
	}
}
