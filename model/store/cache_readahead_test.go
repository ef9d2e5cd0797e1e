package store

import (
	"bytes"
	"fmt"
	"os"
	"path/filepath"
	"testing"

	"mxaudit/model"
)

// TestReadAheadSeesLaterRecords: a block read while the file was shorter
// does not hide records flushed after it, and records read out of file
// order (a scan's and the pairings' interleaved) all come back right.
func TestReadAheadSeesLaterRecords(t *testing.T) {
	c := openTestCache(t, t.TempDir())
	put := func(i int) {
		if err := c.Put(fmt.Sprint("k", i), model.Message{ID: model.MessageID(fmt.Sprint(i)), Subject: fmt.Sprintf("%0400d", i)}); err != nil {
			t.Fatal(err)
		}
	}
	get := func(i int) {
		t.Helper()
		m, ok := c.Get(fmt.Sprint("k", i))
		if !ok || m.ID != model.MessageID(fmt.Sprint(i)) {
			t.Fatalf("record %d: %v %q", i, ok, m.ID)
		}
	}
	for i := range 1000 {
		put(i)
		if err := c.Flush(); err != nil {
			t.Fatal(err)
		}
		get(i)
		get(i / 2)
		if i > 0 {
			get(i - 1)
		}
	}
	for i := range 1000 {
		get(i)
		get(999 - i)
	}
}

// TestReadAheadFollowsInterleavedStreams: records read from three places
// of the file at once, each in about file order (neighbours swapped, as
// two workers take them, and now and then a step back), cost about one
// read per block of each place, and every record comes back right.
func TestReadAheadFollowsInterleavedStreams(t *testing.T) {
	const recLen, perStream, streams = 3000, 2000, 3
	data := make([]byte, recLen*perStream*streams)
	for i := range data {
		data[i] = byte(i * 7 / 3)
	}
	path := filepath.Join(t.TempDir(), "records")
	if err := os.WriteFile(path, data, 0o600); err != nil {
		t.Fatal(err)
	}
	f, err := os.Open(path)
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	var r readAhead
	b := make([]byte, recLen)
	for i := range perStream {
		j := i ^ 1 // neighbours swapped
		if i%50 == 49 {
			j = i - 20 // a step back
		}
		for s := range streams {
			off := int64((s*perStream + min(j, perStream-1)) * recLen)
			if !r.read(f, b, off) || !bytes.Equal(b, data[off:off+recLen]) {
				t.Fatalf("stream %d, record %d: wrong bytes", s, j)
			}
		}
	}
	perBlock := readAheadBlock - readAheadBack
	want := streams * (perStream*recLen/perBlock + 2)
	if r.reads > want*6/5 {
		t.Errorf("%d reads of %d KiB for %d streams of %d KiB, want about %d", r.reads, readAheadBlock>>10, streams, perStream*recLen>>10, want)
	}
	t.Logf("%d reads, about %d needed", r.reads, want)
}
