package app

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"os"
	"sync"
	"sync/atomic"
	"testing"

	"mxaudit/model"
	"mxaudit/model/store"
)

// fileOfRecords is a RecordFile holding the bytes of encoded messages
// end to end, as the cache's file does; err, when set, is Reopen's. open
// counts the handles reopened on it and not yet closed.
type fileOfRecords struct {
	b    []byte
	err  error
	open atomic.Int32
}

func (f *fileOfRecords) Reopen() (model.ReaderAtCloser, error) {
	if f.err != nil {
		return nil, f.err
	}
	f.open.Add(1)
	return &recordsHandle{Reader: bytes.NewReader(f.b), f: f}, nil
}

// recordsHandle is a handle on a fileOfRecords, which reads its bytes as
// they are then (a test may change them in place).
type recordsHandle struct {
	*bytes.Reader
	f    *fileOfRecords
	once sync.Once
}

func (h *recordsHandle) Close() error {
	h.once.Do(func() { h.f.open.Add(-1) })
	return nil
}

// recordsIn encodes n messages (IDs prefix0, prefix1, …) as the cache
// does and places them in file, each named by From and At as GetEncoded
// names a cached one.
func recordsIn(t *testing.T, file *fileOfRecords, prefix string, n int) []model.Message {
	t.Helper()
	var msgs []model.Message
	for i := range n {
		enc, err := store.Encode(model.Message{ID: model.MessageID(fmt.Sprint(prefix, i)), Subject: fmt.Sprint("subject ", i), FromAddr: "a@x.example"})
		if err != nil {
			t.Fatal(err)
		}
		m := enc.Message()
		file.b = append(file.b, "junk,"...)
		m.Encoded.From, m.Encoded.At = file, int64(len(file.b))
		file.b = append(file.b, m.Encoded.JSON...)
		msgs = append(msgs, m)
	}
	return msgs
}

// TestSpillNamesTheCachesRecords: messages whose bytes the cache's file
// holds are not written to the spill's own file, and read back whole,
// before and after a compaction of that file; a message analysed anew
// is written as before.
func TestSpillNamesTheCachesRecords(t *testing.T) {
	file := &fileOfRecords{}
	msgs := recordsIn(t, file, "m", 50)
	s := NewSpill(t.TempDir())
	defer s.Close()
	s.compactMin = 1
	s.Put(msgs...)
	if s.end != 0 {
		t.Fatalf("the spill wrote %d bytes of messages the cache's file holds", s.end)
	}
	fresh := model.Message{ID: "fresh", Subject: "analysed anew"}
	s.Put(fresh)
	if s.end == 0 {
		t.Fatal("a message analysed anew was not written")
	}
	check := func(when string) {
		t.Helper()
		for i, m := range append(msgs, fresh) {
			got, err := s.Get(m.ID)
			if err != nil || got.ID != m.ID || got.Subject != m.Subject {
				t.Fatalf("%s, message %d: %q %q, %v", when, i, got.ID, got.Subject, err)
			}
		}
	}
	check("put")
	// Written many times over, the spill's own file is mostly dead and
	// is compacted; the records of the cache's file stay where they are.
	first := s.f
	for range 20 {
		s.Put(fresh)
	}
	if s.f == first {
		t.Fatal("no compaction")
	}
	check("compacted")
	s.Forget(msgs[0].ID)
	if _, err := s.Get(msgs[0].ID); !errors.Is(err, ErrNotSpilled) {
		t.Fatalf("a forgotten message: %v", err)
	}
}

// TestSpillChecksTheCachesRecords: a record whose bytes in the cache's
// file are not the message's (the file changed under it) is an error,
// never another message or other bytes; a file that cannot be reopened,
// or a second one, has its messages written as before.
func TestSpillChecksTheCachesRecords(t *testing.T) {
	t.Run("bytes changed", func(t *testing.T) {
		file := &fileOfRecords{}
		msgs := recordsIn(t, file, "m", 3)
		s := NewSpill(t.TempDir())
		defer s.Close()
		s.Put(msgs...)
		at := msgs[1].Encoded.At
		copy(file.b[at:], msgs[0].Encoded.JSON[:len(msgs[1].Encoded.JSON)]) // s.outside reads file.b itself
		if _, err := s.Get(msgs[1].ID); !errors.Is(err, ErrSpillDamaged) {
			t.Fatalf("changed bytes read back as %v", err)
		}
		if got, err := s.Get(msgs[2].ID); err != nil || got.ID != msgs[2].ID {
			t.Fatalf("the next record: %q, %v", got.ID, err)
		}
	})
	t.Run("another message's bytes", func(t *testing.T) {
		file := &fileOfRecords{}
		msgs := recordsIn(t, file, "m", 2)
		msgs[1].Encoded.At = msgs[0].Encoded.At // names the first one's place
		msgs[1].Encoded.JSON, msgs[1].Encoded.HasJSONSum = msgs[0].Encoded.JSON, false
		s := NewSpill(t.TempDir())
		defer s.Close()
		s.Put(msgs[1])
		if got, err := s.Get(msgs[1].ID); err == nil {
			t.Fatalf("read back %q for %q", got.ID, msgs[1].ID)
		}
	})
	t.Run("not reopened", func(t *testing.T) {
		file := &fileOfRecords{err: errors.New("closed")}
		msgs := recordsIn(t, file, "m", 3)
		s := NewSpill(t.TempDir())
		defer s.Close()
		s.Put(msgs...)
		if s.end == 0 {
			t.Fatal("nothing written, with no handle to read the cache's file by")
		}
		for _, m := range msgs {
			if got, err := s.Get(m.ID); err != nil || got.Subject != m.Subject {
				t.Fatalf("%s: %q, %v", m.ID, got.Subject, err)
			}
		}
	})
	t.Run("a second file", func(t *testing.T) {
		s := NewSpill(t.TempDir())
		defer s.Close()
		s.Put(recordsIn(t, &fileOfRecords{}, "m", 2)...)
		end := s.end
		other := recordsIn(t, &fileOfRecords{}, "other", 2)
		s.Put(other...)
		if s.end == end {
			t.Fatal("messages of a second file were not written")
		}
		for _, m := range other {
			if got, err := s.Get(m.ID); err != nil || got.Subject != m.Subject {
				t.Fatalf("%s: %q, %v", m.ID, got.Subject, err)
			}
		}
	})
}

// TestWarmReplaySpillsByPlace: a console's scan that replays the cached
// messages (its list not kept) hands them on naming their place in the
// cache's file, and a spill put each one as it came (as the console's
// does) writes none of them, yet reads each back as emitted.
func TestWarmReplaySpillsByPlace(t *testing.T) {
	a, _, cfg := keptQuarantine(t, Options{})
	untilRows(t, a)
	path, _ := rowsFile(t, cfg)
	if err := os.Remove(path); err != nil {
		t.Fatal(err)
	}
	sp := NewSpill(t.TempDir())
	defer sp.Close()
	var msgs []model.Message
	named, written := 0, 0
	_, err := a.ScanRows(context.Background(), func(m model.Message, _ *model.Row) error {
		msgs = append(msgs, m)
		if m.IsEncoded() && m.Encoded.From != nil {
			named++
		} else {
			written++
		}
		sp.Put(m)
		return nil
	}, func(*model.Row) error {
		t.Error("a row handed out: the list was not kept")
		return nil
	}, nil, nil)
	if err != nil {
		t.Fatal(err)
	}
	if named < 2*written || named == 0 {
		t.Fatalf("%d messages named their place, %d did not: the replay does not test it", named, written)
	}
	for _, m := range msgs {
		if m.IsEncoded() && m.Encoded.From != nil {
			sp.mu.Lock()
			i, ok := sp.findLocked(m.ID)
			outside := false
			if ok && i >= 0 {
				_, outside = sp.recs.at(int(i)).outside()
			}
			sp.mu.Unlock()
			if !outside {
				t.Fatalf("%s named its place, and the spill kept it otherwise", m.ID)
			}
		}
		got, err := sp.Get(m.ID)
		if err != nil {
			t.Fatal(err)
		}
		want := m
		if err := want.Materialize(); err != nil {
			t.Fatal(err)
		}
		if jsonOf(t, got) != jsonOf(t, want) {
			t.Fatalf("%s read back as\n%s\nemitted as\n%s", m.ID, jsonOf(t, got), jsonOf(t, want))
		}
	}
}
