package store

import (
	"encoding/json"
	"fmt"
	"os"
	"runtime"
	"testing"

	"mxaudit/model"
)

// benchEntries is the folder size the cache is sized for.
const benchEntries = 20000

// benchCache writes the 20,000 real messages to a cache in a new
// directory, under keys like a directory source's (hex digests).
func benchCache(b *testing.B) (dir string, keys []string) {
	b.Helper()
	msgs := realMessages(b, benchEntries)
	dir = b.TempDir()
	c := openTestCache(b, dir)
	keys = make([]string, len(msgs))
	for i, m := range msgs {
		keys[i] = sha256Hex(string(m.ID))
		if err := c.Put(keys[i], m); err != nil {
			b.Fatal(err)
		}
	}
	if err := c.Close(); err != nil {
		b.Fatal(err)
	}
	return dir, keys
}

// heapInUse returns the live heap after a full collection.
func heapInUse() uint64 {
	runtime.GC()
	runtime.GC()
	var ms runtime.MemStats
	runtime.ReadMemStats(&ms)
	return ms.HeapAlloc
}

// BenchmarkCacheOpen20k opens a cache of 20,000 real messages: what
// reopening a large IMAP folder costs before any message is looked at.
// It reports the file size and the heap the open cache holds.
func BenchmarkCacheOpen20k(b *testing.B) {
	dir, _ := benchCache(b)
	c := openTestCache(b, dir)
	info, _ := os.Stat(c.path)
	c.Close()
	before := heapInUse()
	held := openTestCache(b, dir)
	heap := heapInUse() - before
	if s := held.Stats(); s.Entries != benchEntries || s.Dropped != 0 {
		b.Fatalf("Stats = %+v", s)
	}
	held.Close()

	b.ReportAllocs()
	for b.Loop() {
		c := openTestCache(b, dir)
		c.Close()
	}
	b.ReportMetric(float64(info.Size())/1e6, "file-MB")
	b.ReportMetric(float64(heap)/1e6, "heap-MB")
}

// BenchmarkCacheGet looks up the 20,000 messages in turn; each Get
// decodes a fresh copy.
func BenchmarkCacheGet(b *testing.B) {
	dir, keys := benchCache(b)
	c := openTestCache(b, dir)
	defer c.Close()
	b.ReportAllocs()
	i := 0
	for b.Loop() {
		if _, ok := c.Get(keys[i%len(keys)]); !ok {
			b.Fatal("miss")
		}
		i++
	}
}

// BenchmarkCachePut stores real messages (encode, checksum, buffered
// append), as a scan of new mail does.
func BenchmarkCachePut(b *testing.B) {
	msgs := realMessages(b, benchEntries)
	c := openTestCache(b, b.TempDir())
	defer c.Close()
	b.ReportAllocs()
	i := 0
	for b.Loop() {
		if err := c.Put(fmt.Sprintf("%d/%d", i/len(msgs), i), msgs[i%len(msgs)]); err != nil {
			b.Fatal(err)
		}
		i++
	}
}

// BenchmarkCacheDecodedAlternative measures the design not taken: holding
// decoded messages. It reports the heap 20,000 decoded messages take
// (compare heap-MB of BenchmarkCacheOpen20k) and, per op, the time to
// decode all of them, which an open would then have to spend up front.
func BenchmarkCacheDecodedAlternative(b *testing.B) {
	dir, keys := benchCache(b)
	c := openTestCache(b, dir)
	encoded := make([][]byte, len(keys))
	for i, k := range keys {
		e, _ := c.index.get(k)
		msg, err := c.readLocked(k, e)
		if err != nil {
			b.Fatal(err)
		}
		encoded[i] = msg
	}
	c.Close()
	decodeAll := func() []model.Message {
		out := make([]model.Message, len(encoded))
		for i, e := range encoded {
			if err := json.Unmarshal(e, &out[i]); err != nil {
				b.Fatal(err)
			}
		}
		return out
	}
	before := heapInUse()
	held := decodeAll()
	heap := heapInUse() - before
	runtime.KeepAlive(held)
	held = nil

	for b.Loop() {
		decodeAll()
	}
	b.ReportMetric(float64(heap)/1e6, "heap-MB")
}

// BenchmarkCacheIndexBytes reports what the open cache's in-memory index
// costs per entry at 100,000 and 1,000,000 entries, under keys like a
// Maildir's ("stamp-" and a hex digest); the messages are small, since
// only the index stays in memory.
func BenchmarkCacheIndexBytes(b *testing.B) {
	for _, n := range []int{100_000, 1_000_000} {
		b.Run(fmt.Sprint(n), func(b *testing.B) {
			dir := b.TempDir()
			c := openTestCache(b, dir)
			for i := range n {
				if err := c.Put("stamp-"+sha256Hex(fmt.Sprint(i)), model.Message{ID: model.MessageID(fmt.Sprint("cur/", i))}); err != nil {
					b.Fatal(err)
				}
			}
			if err := c.Close(); err != nil {
				b.Fatal(err)
			}
			before := heapInUse()
			held := openTestCache(b, dir)
			heap := heapInUse() - before
			if s := held.Stats(); s.Entries != n {
				b.Fatalf("Stats = %+v", s)
			}
			for b.Loop() {
				held.Has("stamp-" + sha256Hex("1"))
			}
			held.Close()
			b.ReportMetric(float64(heap)/float64(n), "B/entry")
		})
	}
}
