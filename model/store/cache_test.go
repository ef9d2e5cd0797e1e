package store

import (
	"bytes"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"mxaudit/model"
)

func TestCacheRoundTrip(t *testing.T) {
	dir := t.TempDir()
	real := realMessages(t, 300)
	c := openTestCache(t, dir)
	want := map[string]model.Message{}
	for i := range 20 {
		m := sampleMessage(i)
		if i == 3 {
			m.Exception = &model.ExceptionMatch{ID: 4, ApprovedBy: "sato", Expires: cacheTestNow}
			m.Cc = []string{} // omitempty: comes back nil
		}
		want[fmt.Sprintf("7/%d", i)] = m
	}
	for i, m := range real {
		want[fmt.Sprintf("%064x", i)] = m
	}
	for k, m := range want {
		if err := c.Put(k, m); err != nil {
			t.Fatalf("Put(%s): %v", k, err)
		}
	}
	check := func(c *Cache, when string) {
		t.Helper()
		for k, m := range want {
			got, ok := c.Get(k)
			if !ok {
				t.Fatalf("%s: Get(%s) missed", when, k)
			}
			if got.Exception != nil {
				t.Fatalf("%s: the exception annotation was cached", when)
			}
			assertSameMessage(t, got, m)
		}
		if _, ok := c.Get("7/999"); ok {
			t.Errorf("%s: Get of an unknown key hit", when)
		}
	}
	check(c, "same session")
	if err := c.Close(); err != nil {
		t.Fatal(err)
	}
	c = openTestCache(t, dir)
	defer c.Close()
	check(c, "reopened")
	s := c.Stats()
	if s.Entries != len(want) || s.Records != len(want) || s.Rebuilt || s.Dropped != 0 || s.ReadOnly || s.Hits != int64(len(want)) || s.Misses != 1 {
		t.Errorf("Stats = %+v", s)
	}
}

func TestCacheGetReturnsACopy(t *testing.T) {
	c := openTestCache(t, t.TempDir())
	defer c.Close()
	c.Put("1/1", sampleMessage(1))
	m, _ := c.Get("1/1")
	m.Attachments[0].Archive.Entries[0].Name = "changed"
	m.Verdict.Reasons[0] = "changed"
	again, _ := c.Get("1/1")
	assertSameMessage(t, again, sampleMessage(1))
}

func TestCachePutRejects(t *testing.T) {
	c := openTestCache(t, t.TempDir())
	defer c.Close()
	invalid := sampleMessage(1)
	invalid.MessageID = "<a\xff@example.com>"
	inArchive := sampleMessage(1)
	inArchive.Attachments[0].Archive.Entries[1].Archive.Entries[0].Name = "a\xc3.js"
	tests := []struct {
		name string
		key  string
		m    model.Message
		want string
	}{
		{"empty key", "", sampleMessage(1), "cache key of 0 bytes"},
		{"long key", strings.Repeat("a", 257), sampleMessage(1), "cache key of 257 bytes"},
		{"quote in key", `1/"2`, sampleMessage(1), "not allowed"},
		{"newline in key", "1/2\n", sampleMessage(1), "not allowed"},
		{"space in key", "1 2", sampleMessage(1), "not allowed"},
		{"invalid UTF-8 in a header", "1/3", invalid, "invalid UTF-8"},
		{"invalid UTF-8 in a nested entry", "1/4", inArchive, "invalid UTF-8"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if err := c.Put(tt.key, tt.m); err == nil || !strings.Contains(err.Error(), tt.want) {
				t.Errorf("Put = %v, want an error containing %q", err, tt.want)
			}
			if _, ok := c.Get(tt.key); ok {
				t.Error("a refused message was stored")
			}
		})
	}
	// What looks like the replacement escape but is text, and a real
	// U+FFFD, are stored.
	for i, subject := range []string{`literal \ufffd text`, `\\\ufffd`, "real \ufffd rune"} {
		m := sampleMessage(i)
		m.Subject = subject
		key := fmt.Sprintf("2/%d", i)
		if err := c.Put(key, m); err != nil {
			t.Fatalf("Put(%q) = %v", subject, err)
		}
		got, _ := c.Get(key)
		if got.Subject != subject {
			t.Errorf("subject %q came back as %q", subject, got.Subject)
		}
	}
}

func TestCacheFileNameAndMode(t *testing.T) {
	dir := filepath.Join(t.TempDir(), "cache", "mxaudit")
	c, err := OpenCache(dir, "/var/quarantine/../../etc", testFingerprint)
	if err != nil {
		t.Fatal(err)
	}
	c.Put("ab", sampleMessage(1))
	c.Close()
	want := filepath.Join(dir, sha256Hex("/var/quarantine/../../etc")+".jsonl")
	info, err := os.Stat(want)
	if err != nil {
		t.Fatal(err)
	}
	if info.Mode().Perm() != 0o600 {
		t.Errorf("file mode %v, want 0600", info.Mode().Perm())
	}
	if d, _ := os.Stat(dir); d.Mode().Perm() != 0o700 {
		t.Errorf("directory mode %v, want 0700", d.Mode().Perm())
	}
	data, _ := os.ReadFile(want)
	if bytes.Contains(data, []byte("trusted=mx1")) {
		t.Error("the fingerprint is written in clear")
	}
	if _, err := OpenCache(dir, "", testFingerprint); err == nil {
		t.Error("an empty source key was accepted")
	}
	if _, err := OpenCache(dir, testSource, testFingerprint, WithMaxAge(0)); err == nil {
		t.Error("a zero maximum age was accepted")
	}
}

func TestDefaultCacheDir(t *testing.T) {
	env := func(m map[string]string) func(string) string { return func(k string) string { return m[k] } }
	tests := []struct {
		env  map[string]string
		want string
	}{
		{map[string]string{"XDG_CACHE_HOME": "/xdg", "HOME": "/home/u"}, "/xdg/mxaudit"},
		{map[string]string{"XDG_CACHE_HOME": "relative", "HOME": "/home/u"}, "/home/u/.cache/mxaudit"},
		{map[string]string{"HOME": "/home/u"}, "/home/u/.cache/mxaudit"},
		{map[string]string{}, ""},
	}
	for _, tt := range tests {
		got, err := DefaultCacheDir(env(tt.env))
		if got != tt.want || (err != nil) != (tt.want == "") {
			t.Errorf("DefaultCacheDir(%v) = %q, %v; want %q", tt.env, got, err, tt.want)
		}
	}
}

func TestCacheMaxAge(t *testing.T) {
	now := cacheTestNow
	tests := []struct {
		name    string
		at      time.Duration
		wantHit bool
	}{
		{"fresh", 0, true},
		{"29 days", 29 * 24 * time.Hour, true},
		{"exactly 30 days", 30 * 24 * time.Hour, true},
		{"31 days", 31 * 24 * time.Hour, false},
		{"clock 10 minutes behind", -10 * time.Minute, true},
		{"clock 2 hours behind", -2 * time.Hour, false},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			// Each case its own file: closing an expired cache compacts it.
			now = cacheTestNow
			dir, _ := fillCache(t, 3, clockAt(&now))
			now = cacheTestNow.Add(tt.at)
			c := openTestCache(t, dir, clockAt(&now), WithMaxAge(30*24*time.Hour))
			defer c.Close()
			_, hit := c.Get("7/1")
			if hit != tt.wantHit {
				t.Errorf("Get hit = %v, want %v", hit, tt.wantHit)
			}
			s := c.Stats()
			if wantEntries := map[bool]int{true: 3, false: 0}[tt.wantHit]; s.Entries != wantEntries {
				t.Errorf("loaded %d entries, want %d", s.Entries, wantEntries)
			}
		})
	}
	// An entry that expires while the cache is open is a miss, counted.
	now = cacheTestNow
	dir, _ := fillCache(t, 3, clockAt(&now))
	c := openTestCache(t, dir, clockAt(&now))
	defer c.Close()
	now = now.Add(31 * 24 * time.Hour)
	if _, ok := c.Get("7/2"); ok {
		t.Error("an entry expired during the session was returned")
	}
	if s := c.Stats(); s.Expired != 1 || s.Misses != 1 {
		t.Errorf("Stats = %+v", s)
	}
}

func TestCachePruneAndCompaction(t *testing.T) {
	oldValidity := func(key string) bool { return !strings.HasPrefix(key, "7/") }
	tests := []struct {
		name          string
		keep          func(string) bool
		newPuts       int
		wantPruned    int
		wantCompacted bool
		wantKeys      []string
	}{
		{"UIDVALIDITY changed", oldValidity, 2, 10, true, []string{"8/0", "8/1"}},
		{"a few messages gone", func(k string) bool { return k != "7/3" && k != "7/4" }, 0, 2, false,
			[]string{"7/0", "7/1", "7/2", "7/5", "7/6", "7/7", "7/8", "7/9"}},
		{"nothing gone", func(string) bool { return true }, 0, 0, false,
			[]string{"7/0", "7/1", "7/2", "7/3", "7/4", "7/5", "7/6", "7/7", "7/8", "7/9"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			dir, path := fillCache(t, 10)
			c := openTestCache(t, dir)
			if n := c.Prune(tt.keep); n != tt.wantPruned {
				t.Errorf("Prune removed %d, want %d", n, tt.wantPruned)
			}
			for i := range tt.newPuts {
				c.Put(fmt.Sprintf("8/%d", i), sampleMessage(i))
			}
			if err := c.Close(); err != nil {
				t.Fatal(err)
			}
			if got := c.Stats().Compacted; got != tt.wantCompacted {
				t.Errorf("Compacted = %v, want %v", got, tt.wantCompacted)
			}
			lines := fileLines(t, path)
			wantLines := 1 + 10 + tt.wantPruned + tt.newPuts + 1 // header, records, tombstones, puts, "" after the last newline
			if tt.wantCompacted {
				wantLines = 1 + len(tt.wantKeys) + 1
			}
			if len(lines) != wantLines {
				t.Errorf("file has %d lines, want %d", len(lines)-1, wantLines-1)
			}
			c = openTestCache(t, dir)
			defer c.Close()
			if s := c.Stats(); s.Entries != len(tt.wantKeys) || s.Dropped != 0 {
				t.Errorf("reopened: %+v", s)
			}
			for _, k := range tt.wantKeys {
				if _, ok := c.Get(k); !ok {
					t.Errorf("%s missing", k)
				}
			}
			if _, ok := c.Get("7/3"); ok == (tt.wantPruned > 0) {
				t.Errorf("7/3 present = %v after pruning %d", ok, tt.wantPruned)
			}
		})
	}
}

func TestCacheCloseTwice(t *testing.T) {
	dir, _ := fillCache(t, 2)
	c := openTestCache(t, dir)
	c.Put("9/9", sampleMessage(9))
	if err := c.Close(); err != nil {
		t.Fatal(err)
	}
	if err := c.Close(); err != nil {
		t.Errorf("second Close = %v", err)
	}
	if err := c.Put("9/10", sampleMessage(10)); !errors.Is(err, ErrCacheClosed) {
		t.Errorf("Put after Close = %v", err)
	}
	if _, ok := c.Get("7/1"); ok {
		t.Error("Get after Close hit")
	}
	if n := c.Prune(func(string) bool { return false }); n != 0 {
		t.Errorf("Prune after Close removed %d", n)
	}
	if err := c.Flush(); err != nil {
		t.Errorf("Flush after Close = %v", err)
	}
	// The lock was released: the next open writes.
	c = openTestCache(t, dir)
	defer c.Close()
	if s := c.Stats(); s.ReadOnly || s.Entries != 3 {
		t.Errorf("reopened: %+v", s)
	}
}
