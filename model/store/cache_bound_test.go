package store

import (
	"os"
	"testing"
)

// TestCacheReadChecksItsRecord: a read returns a message only from the
// record of the key asked for. An index whose offsets point at another
// key's record, or a record changed in the file after the cache opened it
// (another writer where the lock does not hold, or damage), is a miss —
// before, it returned whatever bytes were at the offset, another
// message's verdict (found in review).
func TestCacheReadChecksItsRecord(t *testing.T) {
	t.Run("index points at another record", func(t *testing.T) {
		dir, _ := fillCache(t, 3)
		c := openTestCache(t, dir)
		defer c.Close()
		if _, ok := c.Get("7/0"); !ok {
			t.Fatal("7/0 is not cached")
		}
		c.mu.Lock()
		a, _ := c.index.get("7/0")
		b, _ := c.index.get("7/1")
		a.off, a.n = b.off, b.n // 7/0's entry now names 7/1's message
		c.index.put("7/0", a)
		c.mu.Unlock()
		if m, ok := c.Get("7/0"); ok {
			t.Fatalf("Get(7/0) = message %s, read from 7/1's record; want a miss", m.ID)
		}
		if _, ok := c.Get("7/1"); !ok {
			t.Error("7/1 no longer reads")
		}
	})
	t.Run("record changed after open", func(t *testing.T) {
		dir, path := fillCache(t, 3)
		c := openTestCache(t, dir)
		defer c.Close()
		c.mu.Lock()
		e, _ := c.index.get("7/2")
		c.mu.Unlock()
		f, err := os.OpenFile(path, os.O_WRONLY, 0)
		if err != nil {
			t.Fatal(err)
		}
		// One byte of the message, inside a JSON string so that the JSON
		// still decodes: only the checksum can tell.
		if _, err := f.WriteAt([]byte("Z"), e.off+int64(e.n)/2); err != nil {
			t.Fatal(err)
		}
		f.Close()
		if _, ok := c.Get("7/2"); ok {
			t.Error("Get(7/2) returned a record changed after the cache opened it")
		}
		if _, ok := c.Get("7/1"); !ok {
			t.Error("7/1 no longer reads")
		}
	})
}
