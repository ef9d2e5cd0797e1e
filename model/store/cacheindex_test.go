package store

import (
	"maps"
	"strings"
	"testing"

	"mxaudit/model"
)

// TestCacheIndexKeepsEveryKeyAsSpelled puts keys of every shape in the
// index, digests and not, and checks that each is found, listed and
// removed under exactly its own spelling.
func TestCacheIndexKeepsEveryKeyAsSpelled(t *testing.T) {
	hexA := strings.Repeat("0123456789abcdef", 4)
	hexB := strings.Repeat("fedcba9876543210", 4)
	keys := []string{
		"stamp-" + hexA, // a stamp digest
		hexA,            // the same digits as a content digest: another key
		hexB,
		"stamp-" + strings.ToUpper(hexA), // upper case: held as named
		strings.ToUpper(hexB),
		"stamp-" + hexA[:63], // too short
		hexA + "0",           // too long
		"Stamp-" + hexA,      // another prefix
		"stamp-" + hexA[:62] + "g0",
		"paired-" + hexB, // a pairing
		"paired-" + hexA[:63] + "x",
		"ppap-" + hexA, // a remembered pairing
		"ppap-" + hexB[:63] + "X",
		"1234567/42", // IMAP
		"snap-ppap",
		"",
	}
	x := newCacheIndex()
	for i, k := range keys {
		x.put(k, cacheEntry{off: int64(i), n: uint32(i + 1)})
	}
	if x.len() != len(keys) {
		t.Fatalf("len = %d, want %d", x.len(), len(keys))
	}
	for i, k := range keys {
		if e, ok := x.get(k); !ok || e.off != int64(i) {
			t.Errorf("get(%q) = %v, %v; want entry %d", k, e, ok, i)
		}
	}
	listed := maps.Collect(x.all())
	for i, k := range keys {
		if e, ok := listed[k]; !ok || e.off != int64(i) {
			t.Errorf("all() lists %q as %v, %v; want entry %d", k, e, ok, i)
		}
	}
	if len(listed) != len(keys) {
		t.Errorf("all() lists %d keys, want %d", len(listed), len(keys))
	}
	n := 0
	for range x.entries() {
		n++
	}
	if n != len(keys) {
		t.Errorf("entries() yields %d, want %d", n, len(keys))
	}
	for i, k := range keys {
		x.remove(k)
		if _, ok := x.get(k); ok {
			t.Errorf("%q still found after remove", k)
		}
		for _, other := range keys[i+1:] {
			if _, ok := x.get(other); !ok {
				t.Fatalf("removing %q removed %q", k, other)
			}
		}
	}
	if x.len() != 0 {
		t.Errorf("len = %d after removing every key", x.len())
	}
}

// TestCacheWithDigestKeysReopens stores results under keys of every
// shape, prunes some, closes (compacting), and checks that a reopened
// cache finds exactly the others under their own keys.
func TestCacheWithDigestKeysReopens(t *testing.T) {
	dir := t.TempDir()
	c := openTestCache(t, dir)
	keys := []string{"stamp-" + sha256Hex("a"), sha256Hex("b"), "stamp-" + strings.ToUpper(sha256Hex("c")), "99/1", "stamp-" + sha256Hex("gone")}
	for _, k := range keys {
		if err := c.Put(k, msgFor(k)); err != nil {
			t.Fatal(err)
		}
	}
	if n := c.Prune(func(k string) bool { return !strings.HasSuffix(k, sha256Hex("gone")) }); n != 1 {
		t.Fatalf("pruned %d, want 1", n)
	}
	if err := c.Close(); err != nil {
		t.Fatal(err)
	}
	c = openTestCache(t, dir)
	defer c.Close()
	for _, k := range keys {
		m, ok := c.Get(k)
		want := !strings.HasSuffix(k, sha256Hex("gone"))
		if ok != want || ok && m.Subject != msgFor(k).Subject {
			t.Errorf("Get(%q) = %q, %v; want found %v", k, m.Subject, ok, want)
		}
	}
}

// msgFor is a result that names its key.
func msgFor(key string) model.Message {
	return model.Message{ID: model.MessageID("cur/" + key), Subject: "for " + key}
}

// TestGetResultsOutliveTheReadBuffer checks that a message Get returned
// shares nothing with the buffer the next Get reads into.
func TestGetResultsOutliveTheReadBuffer(t *testing.T) {
	dir := t.TempDir()
	c := openTestCache(t, dir)
	keys := idxKeys(30)
	putAll(t, c, keys, "")
	c.Close()
	c = openTestCache(t, dir)
	defer c.Close()
	first, ok := c.Get(keys[0])
	if !ok {
		t.Fatal("not found")
	}
	for _, k := range keys[1:] {
		c.Get(k)
	}
	if first.Subject != msgFor(keys[0]).Subject || string(first.ID) != string(msgFor(keys[0]).ID) {
		t.Fatalf("the first message changed: %q %q", first.ID, first.Subject)
	}
}
