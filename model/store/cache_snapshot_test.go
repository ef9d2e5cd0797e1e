package store

import (
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"fmt"
	"testing"
	"time"
)

// TestCacheRefNamesTheBytes: a record's ref stays while its bytes do
// (the same message put again, the cache reopened) and changes when they
// do; it is refused within the hour before the record expires, though a
// ref taken before still holds (HoldsRef) until the record changes.
func TestCacheRefNamesTheBytes(t *testing.T) {
	now := cacheTestNow
	dir := t.TempDir()
	c := openTestCache(t, dir, clockAt(&now))
	if err := c.Put("7/1", sampleMessage(1)); err != nil {
		t.Fatal(err)
	}
	first, ok := c.Ref("7/1")
	if !ok {
		t.Fatal("no ref for a record just put")
	}
	now = now.Add(time.Minute)
	if err := c.Put("7/1", sampleMessage(1)); err != nil {
		t.Fatal(err)
	}
	if ref, _ := c.Ref("7/1"); ref != first {
		t.Errorf("the same bytes put again: ref %+v, was %+v", ref, first)
	}
	if err := c.Close(); err != nil {
		t.Fatal(err)
	}
	c = openTestCache(t, dir, clockAt(&now))
	if ref, _ := c.Ref("7/1"); ref != first {
		t.Errorf("reopened: ref %+v, was %+v", ref, first)
	}
	if err := c.Put("7/1", sampleMessage(2)); err != nil {
		t.Fatal(err)
	}
	if ref, ok := c.Ref("7/1"); !ok || ref == first {
		t.Errorf("other bytes: ref %+v (%v), was %+v", ref, ok, first)
	}
	if _, ok := c.Ref("7/9"); ok {
		t.Error("a ref for a key never put")
	}
	c.Close()

	now = cacheTestNow
	c = openTestCache(t, t.TempDir(), clockAt(&now), WithMaxAge(2*time.Hour))
	defer c.Close()
	c.Put("7/1", sampleMessage(1))
	now = now.Add(59 * time.Minute)
	if _, ok := c.Ref("7/1"); !ok {
		t.Error("refused an hour and a minute before it expires")
	}
	held, _ := c.Ref("7/1")
	now = now.Add(2 * time.Minute)
	if _, ok := c.Ref("7/1"); ok {
		t.Error("named a record that expires within the hour")
	}
	// A ref taken before, though, is still the record's until it changes.
	if !c.HoldsRef("7/1", held) {
		t.Error("a record within its last hour does not hold its ref")
	}
	for _, tt := range []struct {
		key string
		ref RecordRef
	}{
		{"7/9", held},
		{"7/1", RecordRef{Off: held.Off + 1, Len: held.Len, Written: held.Written}},
		{"7/1", RecordRef{Off: held.Off, Len: held.Len + 1, Written: held.Written}},
		{"7/1", RecordRef{Off: held.Off, Len: held.Len, Written: held.Written + 1}},
	} {
		if c.HoldsRef(tt.key, tt.ref) {
			t.Errorf("%s holds %+v", tt.key, tt.ref)
		}
	}
	if err := c.Put("7/1", sampleMessage(2)); err != nil {
		t.Fatal(err)
	}
	if c.HoldsRef("7/1", held) {
		t.Error("a record rewritten under its key holds the old ref")
	}
}

// TestCacheSnapshotRecords: a snapshot record comes back as stored, is
// never a message (Get, GetEncoded, Put refuse its key), must be one
// line of JSON, and is dropped by compaction, which moves every record.
func TestCacheSnapshotRecords(t *testing.T) {
	dir := t.TempDir()
	c := openTestCache(t, dir)
	snap := []byte(`{"digest":"x","changed":[{"id":"a"}]}`)
	if err := c.PutRecord(SnapshotPrefix+"t", snap); err != nil {
		t.Fatal(err)
	}
	for _, bad := range [][]byte{[]byte(`{"a":1`), []byte("{\"a\":\n1}"), []byte(`[1]`), nil} {
		if c.PutRecord(SnapshotPrefix+"u", bad) == nil {
			t.Errorf("PutRecord took %q", bad)
		}
	}
	if c.PutRecord("7/1", snap) == nil {
		t.Error("PutRecord took a key without the snapshot prefix")
	}
	if c.Put(SnapshotPrefix+"m", sampleMessage(1)) == nil {
		t.Error("Put took a snapshot key")
	}
	for i := range 6 {
		c.Put(fmt.Sprintf("7/%d", i), sampleMessage(i))
	}
	check := func(c *Cache, want bool) {
		t.Helper()
		got, ok := c.GetRecord(SnapshotPrefix + "t")
		if ok != want || ok && string(got) != string(snap) {
			t.Errorf("GetRecord = %s, %v; want %v", got, ok, want)
		}
		if _, ok := c.Get(SnapshotPrefix + "t"); ok {
			t.Error("Get decoded a snapshot as a message")
		}
		if _, ok := c.GetEncoded(SnapshotPrefix + "t"); ok {
			t.Error("GetEncoded decoded a snapshot as a message")
		}
		if _, ok := c.GetRecord("7/1"); ok {
			t.Error("GetRecord returned a message")
		}
	}
	check(c, true)
	c.Close()
	c = openTestCache(t, dir)
	check(c, true)
	// Supersede most records, so that Close compacts.
	for i := range 12 {
		c.Put(fmt.Sprintf("7/%d", i%6), sampleMessage(i+10))
	}
	if err := c.Close(); err != nil {
		t.Fatal(err)
	}
	if !c.Stats().Compacted {
		t.Fatal("the cache was not compacted")
	}
	c = openTestCache(t, dir)
	defer c.Close()
	check(c, false)
	if _, ok := c.Get("7/5"); !ok {
		t.Error("compaction lost a message")
	}
}

// TestDecimalLen: decimalLen is the length FormatInt writes.
func TestDecimalLen(t *testing.T) {
	for _, n := range []int64{0, 1, 9, 10, 99, 100, -1, -9, -10, 1764370000, 1<<63 - 1, -1 << 63} {
		if got, want := decimalLen(n), len(fmt.Sprint(n)); got != want {
			t.Errorf("decimalLen(%d) = %d, want %d", n, got, want)
		}
	}
}

// TestReadRefReadsOnlyThatRecord: ReadRef gives the message a ref names,
// read from the file without the cache; a ref read under another key,
// one that points elsewhere, and a file gone are ErrRefGone, never
// another record's message.
func TestReadRefReadsOnlyThatRecord(t *testing.T) {
	now := cacheTestNow
	dir := t.TempDir()
	c := openTestCache(t, dir, clockAt(&now))
	for i := 1; i <= 3; i++ {
		if err := c.Put(fmt.Sprintf("7/%d", i), sampleMessage(i)); err != nil {
			t.Fatal(err)
		}
	}
	ref, ok := c.Ref("7/2")
	if !ok {
		t.Fatal("no ref")
	}
	path := c.Path()
	if err := c.Close(); err != nil { // written to the file
		t.Fatal(err)
	}
	m, err := ReadRef(path, "7/2", ref)
	if err != nil || m.Subject != sampleMessage(2).Subject {
		t.Fatalf("ReadRef: %q, %v", m.Subject, err)
	}
	moved := ref
	moved.Off += 3
	stale := ref
	stale.Written--
	for what, read := range map[string]func() error{
		"another key":   func() error { _, err := ReadRef(path, "7/3", ref); return err },
		"another place": func() error { _, err := ReadRef(path, "7/2", moved); return err },
		"another time":  func() error { _, err := ReadRef(path, "7/2", stale); return err },
		"no file":       func() error { _, err := ReadRef(path+".gone", "7/2", ref); return err },
	} {
		if err := read(); !errors.Is(err, ErrRefGone) {
			t.Errorf("%s: %v", what, err)
		}
	}
}

// TestStampRefIsRefOfTheStampKey checks that StampRef finds what Ref
// finds under the key that spells its digest, fresh and reopened, and
// nothing under another digest or another prefix.
func TestStampRefIsRefOfTheStampKey(t *testing.T) {
	now := cacheTestNow
	dir := t.TempDir()
	c := openTestCache(t, dir, clockAt(&now))
	sum := sha256.Sum256([]byte("cur/1700000000.M1P1.host 42"))
	key := "stamp-" + hex.EncodeToString(sum[:])
	if err := c.Put(key, sampleMessage(1)); err != nil {
		t.Fatal(err)
	}
	other := sha256.Sum256([]byte("another"))
	if err := c.Put("paired-"+hex.EncodeToString(other[:]), sampleMessage(2)); err != nil {
		t.Fatal(err)
	}
	for _, reopen := range []bool{false, true} {
		if reopen {
			if err := c.Close(); err != nil {
				t.Fatal(err)
			}
			c = openTestCache(t, dir, clockAt(&now))
		}
		want, ok := c.Ref(key)
		if got, gotOK := c.StampRef(sum); !ok || got != want || !gotOK {
			t.Errorf("reopened %v: StampRef = %+v, %v; Ref(%q) = %+v, %v", reopen, got, gotOK, key, want, ok)
		}
		if _, ok := c.StampRef(other); ok {
			t.Errorf("reopened %v: StampRef found a digest put under another prefix", reopen)
		}
	}
	now = now.Add(10 * 365 * 24 * time.Hour)
	if _, ok := c.StampRef(sum); ok {
		t.Error("StampRef named an expired record")
	}
}

// TestRefReaderReadsInTurn: one RefReader reads many records in the
// order they were written, after the cache Flushed them while still
// open, each its own message; a ref it refuses on the way leaves the
// reads after it whole.
func TestRefReaderReadsInTurn(t *testing.T) {
	now := cacheTestNow
	c := openTestCache(t, t.TempDir(), clockAt(&now))
	defer c.Close()
	const n = 200
	refs := make([]RecordRef, n+1)
	for i := 1; i <= n; i++ {
		key := fmt.Sprintf("7/%d", i)
		if err := c.Put(key, sampleMessage(i)); err != nil {
			t.Fatal(err)
		}
		var ok bool
		if refs[i], ok = c.Ref(key); !ok {
			t.Fatal("no ref")
		}
	}
	if err := c.Flush(); err != nil {
		t.Fatal(err)
	}
	r, err := OpenRefs(c.Path())
	if err != nil {
		t.Fatal(err)
	}
	defer r.Close()
	for i := 1; i <= n; i++ {
		if i%50 == 0 {
			if _, err := r.Read(fmt.Sprintf("7/%d", i+1), refs[i]); !errors.Is(err, ErrRefGone) {
				t.Fatalf("record %d read under another key: %v", i, err)
			}
		}
		m, err := r.Read(fmt.Sprintf("7/%d", i), refs[i])
		if err != nil || m.Subject != sampleMessage(i).Subject {
			t.Fatalf("record %d: %q, %v", i, m.Subject, err)
		}
	}
}
