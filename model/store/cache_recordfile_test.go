package store

import (
	"bytes"
	"fmt"
	"os"
	"testing"

	"mxaudit/model"
)

// TestGetEncodedNamesItsPlace: a message read from the cache's file
// names the file and where its bytes are in it (model.Encoded.From, At),
// and a handle reopened on it reads exactly those bytes, then and after
// the cache closed, and after another process renamed a new file over
// the cache's name (a compaction); a message still held in memory names
// none; once the cache is closed, no handle is reopened.
func TestGetEncodedNamesItsPlace(t *testing.T) {
	dir, path := fillCache(t, 20)
	c := openTestCache(t, dir)
	if err := c.Put("7/new", sampleMessage(99)); err != nil { // buffered: not yet in the file
		t.Fatal(err)
	}
	got, ok := c.GetEncoded("7/new")
	if !ok || got.Encoded.From != nil {
		t.Fatalf("a record in memory: found %v, names a file %v", ok, ok && got.Encoded.From != nil)
	}
	var handles []model.ReaderAtCloser
	defer func() {
		for _, h := range handles {
			h.Close()
		}
	}()
	msgs := map[string][]byte{}
	for i := range 20 {
		key := fmt.Sprintf("7/%d", i)
		m, ok := c.GetEncoded(key)
		if !ok || m.Encoded.From == nil {
			t.Fatalf("%s: found %v, names no file", key, ok)
		}
		h, err := m.Encoded.From.Reopen()
		if err != nil {
			t.Fatal(err)
		}
		handles = append(handles, h)
		msgs[key] = m.Encoded.JSON
		if b := readBytes(t, h, m.Encoded.At, len(m.Encoded.JSON)); !bytes.Equal(b, m.Encoded.JSON) {
			t.Fatalf("%s: the file holds %q at %d, not the message", key, b, m.Encoded.At)
		}
	}
	last, _ := c.GetEncoded("7/19")
	from, at := last.Encoded.From, last.Encoded.At
	// Another file put in the cache's place, as a compaction does.
	if err := os.WriteFile(path+".new", []byte("replaced\n"), 0o600); err != nil {
		t.Fatal(err)
	}
	if err := os.Rename(path+".new", path); err != nil {
		t.Fatal(err)
	}
	if err := c.Close(); err != nil {
		t.Fatal(err)
	}
	if b := readBytes(t, handles[19], at, len(msgs["7/19"])); !bytes.Equal(b, msgs["7/19"]) {
		t.Fatalf("after the cache closed and its file was replaced, the handle read %q", b)
	}
	if h, err := from.Reopen(); err == nil {
		h.Close()
		t.Fatal("a handle reopened after the cache closed")
	}
}

func readBytes(t *testing.T, r model.ReaderAtCloser, at int64, n int) []byte {
	t.Helper()
	b := make([]byte, n)
	if _, err := r.ReadAt(b, at); err != nil {
		t.Fatal(err)
	}
	return b
}
