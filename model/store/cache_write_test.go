package store

import (
	"fmt"
	"sync"
	"testing"
	"time"
)

// TestCacheFlushesInBackground checks that a Put reaches the file without
// Flush or Close, so that a crash loses at most the last seconds.
func TestCacheFlushesInBackground(t *testing.T) {
	dir, path := fillCache(t, 1)
	c := openTestCache(t, dir)
	defer c.Close()
	c.Put("7/5", sampleMessage(5))
	deadline := time.Now().Add(5 * cacheFlushInterval)
	for len(fileLines(t, path)) != 4 {
		if time.Now().After(deadline) {
			t.Fatalf("the record was not written within %s", 5*cacheFlushInterval)
		}
		time.Sleep(50 * time.Millisecond)
	}
}

// TestCacheWriteFailure breaks the append handle: the failure is
// reported, memory keeps serving, and Close rewrites the file whole.
func TestCacheWriteFailure(t *testing.T) {
	dir, _ := fillCache(t, 2)
	c := openTestCache(t, dir)
	c.file.Close()
	c.Put("7/8", sampleMessage(8))
	if err := c.Flush(); err == nil {
		t.Fatal("Flush on a closed file succeeded")
	}
	c.Put("7/9", sampleMessage(9))
	if _, ok := c.Get("7/9"); !ok {
		t.Error("memory stopped serving after the write failure")
	}
	if s := c.Stats(); s.WriteError == "" {
		t.Errorf("Stats = %+v", s)
	}
	c.Close()
	if !c.Stats().Compacted {
		t.Error("Close did not rewrite the file after a write failure")
	}
	c = openTestCache(t, dir)
	defer c.Close()
	if s := c.Stats(); s.Entries != 4 || s.Dropped != 0 || s.TornTail {
		t.Errorf("reopened: %+v", s)
	}
}

func TestCacheConcurrentPut(t *testing.T) {
	dir := t.TempDir()
	c := openTestCache(t, dir)
	const workers, each = 8, 100
	var wg sync.WaitGroup
	for w := range workers {
		wg.Go(func() {
			for i := range each {
				key := fmt.Sprintf("%d/%d", w, i)
				if err := c.Put(key, sampleMessage(i)); err != nil {
					t.Error(err)
					return
				}
				if _, ok := c.Get(key); !ok {
					t.Errorf("Get(%s) missed right after Put", key)
				}
				if i%25 == 0 {
					c.Flush()
					c.Stats()
				}
			}
		})
	}
	wg.Wait()
	if err := c.Close(); err != nil {
		t.Fatal(err)
	}
	c = openTestCache(t, dir)
	defer c.Close()
	if s := c.Stats(); s.Entries != workers*each || s.Dropped != 0 || s.TornTail {
		t.Fatalf("after concurrent puts: %+v", s)
	}
	for w := range workers {
		for i := range each {
			got, ok := c.Get(fmt.Sprintf("%d/%d", w, i))
			if !ok {
				t.Fatalf("%d/%d missing", w, i)
			}
			assertSameMessage(t, got, sampleMessage(i))
		}
	}
}

func TestCacheSupersededRecords(t *testing.T) {
	dir, path := fillCache(t, 4)
	c := openTestCache(t, dir)
	// The same message again is not written; a changed one is.
	c.Put("7/0", sampleMessage(0))
	changed := sampleMessage(1)
	changed.Verdict.Reasons = []string{"re-analysed"}
	c.Put("7/1", changed)
	c.Close()
	if n := len(fileLines(t, path)) - 1; n != 1+4+1 {
		t.Errorf("file has %d lines, want 6", n)
	}
	c = openTestCache(t, dir)
	defer c.Close()
	got, _ := c.Get("7/1")
	assertSameMessage(t, got, changed)
	if s := c.Stats(); s.Records != 5 || s.Entries != 4 {
		t.Errorf("Stats = %+v", s)
	}
}

// TestCacheHoldsLittleUnflushed checks that a fast run of Puts (a first
// scan) keeps at most about cacheFlushBytes of records in memory, not
// every record of the last flush interval, and that each is served.
func TestCacheHoldsLittleUnflushed(t *testing.T) {
	c := openTestCache(t, t.TempDir())
	defer c.Close()
	var recordLen, held int
	const n = 3000
	for i := range n {
		m := sampleMessage(i)
		m.Subject = fmt.Sprintf("%d %0900d", i, i) // about 2 KB a record
		if err := c.Put(fmt.Sprintf("7/%d", i), m); err != nil {
			t.Fatal(err)
		}
		c.mu.Lock()
		held = max(held, len(c.mem))
		if i == 0 {
			for _, b := range c.mem {
				recordLen = len(b)
			}
		}
		c.mu.Unlock()
	}
	if limit := cacheFlushBytes/recordLen + 2; held > limit {
		t.Errorf("held %d records of %d bytes unflushed, want at most %d", held, recordLen, limit)
	}
	for _, i := range []int{0, n / 2, n - 1} {
		if m, ok := c.Get(fmt.Sprintf("7/%d", i)); !ok || m.Subject[:len(fmt.Sprint(i))] != fmt.Sprint(i) {
			t.Errorf("record %d: %v %q", i, ok, m.Subject)
		}
	}
}
