package app

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"sync"
	"testing"

	"mxaudit/mailsrc/demo"
	"mxaudit/model"
)

// spillMessages are the demo quarantine's messages as the real analysis
// (offline) makes them.
func spillMessages(t testing.TB, bulk int) []model.Message {
	t.Helper()
	dir := filepath.Join(t.TempDir(), "q")
	samples := demo.Samples(demo.Options{})
	if err := demo.Bulk(bulk, 3, func(s demo.Sample) error { samples = append(samples, s); return nil }); err != nil {
		t.Fatal(err)
	}
	if err := demo.WriteMaildir(dir, samples); err != nil {
		t.Fatal(err)
	}
	return scanAll(t, dir, Config{Offline: true, Flags: Flags{NoCache: true}})
}

// scanAll is every message of dir as a scan under cfg emits it.
func scanAll(t testing.TB, dir string, cfg Config) []model.Message {
	t.Helper()
	a, err := Open(t.Context(), dir, cfg, Options{})
	if err != nil {
		t.Fatal(err)
	}
	defer a.Close()
	var msgs []model.Message
	if err := a.Scan(t.Context(), func(m model.Message) error { msgs = append(msgs, m); return nil }, nil); err != nil {
		t.Fatal(err)
	}
	return msgs
}

// sameJSON reports whether two messages encode alike: everything a
// message says, whatever location its date was decoded in.
func sameJSON(t testing.TB, a, b model.Message) bool {
	t.Helper()
	ja, err := json.Marshal(a)
	if err != nil {
		t.Fatal(err)
	}
	jb, err := json.Marshal(b)
	if err != nil {
		t.Fatal(err)
	}
	return bytes.Equal(ja, jb)
}

func putInBatches(s *Spill, msgs []model.Message, size int) {
	for i := 0; i < len(msgs); i += size {
		s.Put(msgs[i:min(i+size, len(msgs))]...)
	}
}

func TestSpillGivesBackEveryMessage(t *testing.T) {
	msgs := spillMessages(t, 300)
	dir := t.TempDir()
	s := NewSpill(dir)
	defer s.Close()
	putInBatches(s, msgs, 64)
	if err := s.Degraded(); err != nil {
		t.Fatal(err)
	}
	if len(s.mem) == 0 || len(s.mem) > 5 {
		t.Fatalf("%d messages kept in memory, want the few with text that is not UTF-8", len(s.mem))
	}
	for _, want := range msgs {
		got, err := s.Get(want.ID)
		if err != nil {
			t.Fatal(err)
		}
		if !sameJSON(t, got, want) || !got.Date.Equal(want.Date) {
			g, _ := json.Marshal(got)
			w, _ := json.Marshal(want)
			i := 0
			for i < min(len(g), len(w)) && g[i] == w[i] {
				i++
			}
			t.Fatalf("%s came back different at %d of %d/%d:\n%s\n%s (dates %v %v)", want.ID, i, len(g), len(w), g[max(0, i-80):min(len(g), i+80)], w[max(0, i-80):min(len(w), i+80)], got.Date, want.Date)
		}
	}
	if _, err := s.Get("no-such-message"); !errors.Is(err, ErrNotSpilled) {
		t.Fatalf("unknown ID: %v, want ErrNotSpilled", err)
	}
	// Bytes that are not UTF-8 come back as they were.
	odd := model.Message{ID: "odd", FromAddr: "a\xff\xfe@x.example", Subject: "\\ufffd is text"}
	s.Put(odd)
	if got, err := s.Get("odd"); err != nil || got.FromAddr != odd.FromAddr || got.Subject != odd.Subject {
		t.Fatalf("not UTF-8: %q %q, %v", got.FromAddr, got.Subject, err)
	}
	// A message kept again replaces the old record.
	changed := msgs[0]
	changed.Subject = "changed"
	s.Put(changed)
	if got, err := s.Get(changed.ID); err != nil || got.Subject != "changed" {
		t.Fatalf("after a second Put: %q, %v", got.Subject, err)
	}
}

// TestSpillFileIsPrivate checks that the file has no name anyone could
// open and that only its owner could read it.
func TestSpillFileIsPrivate(t *testing.T) {
	dir := t.TempDir()
	s := NewSpill(dir)
	defer s.Close()
	s.Put(model.Message{ID: "a", Subject: "secret"})
	entries, err := os.ReadDir(dir)
	if err != nil {
		t.Fatal(err)
	}
	if len(entries) != 0 {
		t.Fatalf("the spill left %v in its directory", entries[0].Name())
	}
	fi, err := s.f.Stat()
	if err != nil {
		t.Fatal(err)
	}
	if perm := fi.Mode().Perm(); perm != 0o600 {
		t.Fatalf("mode %v, want 0600", perm)
	}
}

// TestSpillDamageIsAnError checks that a changed byte, a record swapped
// with another of the same length, and an index entry pointing at
// another message's record each make Get fail, never answer with
// another message, while the other records still read.
func TestSpillDamageIsAnError(t *testing.T) {
	msgs := []model.Message{
		{ID: "m1", Subject: "first", From: "a@x.example"},
		{ID: "m2", Subject: "other", From: "b@x.example"},
		{ID: "m3", Subject: "third", From: "c@x.example"},
	}
	tests := []struct {
		name   string
		damage func(t *testing.T, s *Spill)
		bad    model.MessageID
	}{
		{"a byte changed", func(t *testing.T, s *Spill) {
			r := *s.recs.at(int(s.index[s.idKey("m1")]))
			writeAt(t, s, []byte{'X'}, r.off+r.n64()/2)
		}, "m1"},
		{"records swapped", func(t *testing.T, s *Spill) {
			r1, r2 := *s.recs.at(int(s.index[s.idKey("m1")])), *s.recs.at(int(s.index[s.idKey("m2")]))
			if r1.n != r2.n {
				t.Fatal("the test needs records of equal length")
			}
			b1, b2 := readAt(t, s, r1), readAt(t, s, r2)
			writeAt(t, s, b2, r1.off)
			writeAt(t, s, b1, r2.off)
		}, "m1"},
		{"index points at another record", func(t *testing.T, s *Spill) {
			*s.recs.at(int(s.index[s.idKey("m1")])) = *s.recs.at(int(s.index[s.idKey("m2")]))
		}, "m1"},
		{"file truncated", func(t *testing.T, s *Spill) {
			r := *s.recs.at(int(s.index[s.idKey("m3")]))
			if err := s.f.Truncate(r.off + 3); err != nil {
				t.Fatal(err)
			}
		}, "m3"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			s := NewSpill(t.TempDir())
			defer s.Close()
			s.Put(msgs...)
			tt.damage(t, s)
			got, err := s.Get(tt.bad)
			if err == nil {
				t.Fatalf("Get(%s) = %+v, want an error", tt.bad, got)
			}
			if got.ID != "" {
				t.Fatalf("Get(%s) returned %s along with %v", tt.bad, got.ID, err)
			}
			for _, m := range msgs {
				if m.ID == tt.bad || (tt.name == "records swapped" && m.ID == "m2") {
					continue
				}
				if got, err := s.Get(m.ID); err != nil || got.Subject != m.Subject {
					t.Fatalf("undamaged %s: %q, %v", m.ID, got.Subject, err)
				}
			}
		})
	}
}

// TestSpillCollidingKeysNeverAnswerForAnother checks that two IDs whose
// index keys collide (forced here: the seed is random) never give one
// the other's message, whether kept in the file or in memory: the
// index is keyed by a hash of the ID, and the record's own ID decides.
func TestSpillCollidingKeysNeverAnswerForAnother(t *testing.T) {
	for _, inMemory := range []bool{false, true} {
		dir := t.TempDir()
		if inMemory {
			dir = noSpillDir(t) // no file: kept in memory
		}
		s := NewSpill(dir)
		s.Put(model.Message{ID: "m1", Subject: "first"})
		if (s.Degraded() != nil) != inMemory {
			t.Fatalf("in memory %v: degraded %v", inMemory, s.Degraded())
		}
		// m2 collides with m1: its key finds m1's entry.
		s.mu.Lock()
		s.index[s.idKey("m2")] = s.index[s.idKey("m1")]
		s.mu.Unlock()
		got, err := s.Get("m2")
		if !errors.Is(err, ErrNotSpilled) || got.ID != "" {
			t.Errorf("in memory %v: Get(m2) = %q, %v; want ErrNotSpilled and no message", inMemory, got.ID, err)
		}
		if got, err := s.Get("m1"); err != nil || got.Subject != "first" {
			t.Errorf("in memory %v: Get(m1) = %q, %v", inMemory, got.Subject, err)
		}
		s.Close()
	}
}

func (r spillRecord) n64() int64 { return int64(r.n) }

func writeAt(t *testing.T, s *Spill, b []byte, off int64) {
	t.Helper()
	if _, err := s.f.WriteAt(b, off); err != nil {
		t.Fatal(err)
	}
}

func readAt(t *testing.T, s *Spill, r spillRecord) []byte {
	t.Helper()
	b := make([]byte, r.n)
	if _, err := s.f.ReadAt(b, r.off); err != nil {
		t.Fatal(err)
	}
	return b
}

// TestSpillKeepsWhatItCannotWrite checks that messages the file cannot
// take (no directory for it; a write that fails) stay in memory, whole,
// and that Degraded says why.
func TestSpillKeepsWhatItCannotWrite(t *testing.T) {
	first := []model.Message{{ID: "a", Subject: "on disk"}}
	later := []model.Message{{ID: "b", Subject: "in memory"}, {ID: "c", Subject: "in memory too"}}

	t.Run("no file", func(t *testing.T) {
		s := NewSpill(noSpillDir(t))
		defer s.Close()
		if s.Degraded() == nil {
			t.Fatal("no file, yet not degraded")
		}
		s.Put(append(first, later...)...)
		for _, m := range append(first, later...) {
			if got, err := s.Get(m.ID); err != nil || got.Subject != m.Subject {
				t.Fatalf("%s: %q, %v", m.ID, got.Subject, err)
			}
		}
	})
	// A write that fails (a full disk) moves the file to $TMPDIR, with
	// the records written so far; only when no file can be written
	// there either do the messages from then on stay in memory.
	for _, tmpOK := range []bool{true, false} {
		t.Run(fmt.Sprint("write fails, $TMPDIR takes a file: ", tmpOK), func(t *testing.T) {
			tmp := filepath.Join(t.TempDir(), "tmp")
			if err := os.Mkdir(tmp, 0o700); err != nil {
				t.Fatal(err)
			}
			s := NewSpill(t.TempDir())
			defer s.Close()
			t.Setenv("TMPDIR", tmp)
			if !tmpOK {
				noSpillDir(t)
			}
			s.Put(first...)
			// The same file, read-only: reads work, writes fail.
			ro, err := os.Open(fmt.Sprintf("/proc/self/fd/%d", s.f.Fd()))
			if err != nil {
				t.Skip("no /proc to reopen the file read-only:", err)
			}
			s.f.Close()
			s.f = ro
			s.Put(later...)
			if degraded := s.Degraded() != nil; degraded == tmpOK {
				t.Fatalf("degraded %v, with $TMPDIR taking a file %v", degraded, tmpOK)
			}
			for _, m := range append(first, later...) {
				if got, err := s.Get(m.ID); err != nil || got.Subject != m.Subject {
					t.Fatalf("%s: %q, %v", m.ID, got.Subject, err)
				}
			}
			wantMem := len(later)
			if tmpOK {
				wantMem = 0
				if got := filepath.Dir(s.f.Name()); got != tmp {
					t.Fatalf("the file moved to %s, want %s", got, tmp)
				}
			}
			if len(s.mem) != wantMem {
				t.Fatalf("%d messages in memory, want %d", len(s.mem), wantMem)
			}
		})
	}
}

func TestSpillClosed(t *testing.T) {
	s := NewSpill(t.TempDir())
	s.Put(model.Message{ID: "a"})
	if err := s.Close(); err != nil {
		t.Fatal(err)
	}
	if _, err := s.Get("a"); err == nil {
		t.Fatal("Get after Close succeeded")
	}
	s.Put(model.Message{ID: "b"}) // ignored, no panic
}

// TestSpillConcurrent puts and gets from several goroutines (run with
// -race).
func TestSpillConcurrent(t *testing.T) {
	s := NewSpill(t.TempDir())
	defer s.Close()
	var wg sync.WaitGroup
	for w := range 4 {
		wg.Go(func() {
			for i := range 200 {
				id := model.MessageID(fmt.Sprintf("w%d-%d", w, i))
				s.Put(model.Message{ID: id, Subject: string(id)})
				if got, err := s.Get(id); err != nil || got.Subject != string(id) {
					t.Errorf("%s: %q, %v", id, got.Subject, err)
					return
				}
			}
		})
	}
	wg.Wait()
}

// BenchmarkSpill measures keeping the demo quarantine's messages and
// reading one back (what opening the detail pane on a spilled message
// costs, before drawing), and reports the bytes each record takes.
func BenchmarkSpill(b *testing.B) {
	msgs := spillMessages(b, 2000)
	// One spill takes every batch, as the console's does; the console's
	// batches are up to 1,024 messages.
	b.Run("put", func(b *testing.B) {
		s := NewSpill(b.TempDir())
		defer s.Close()
		for b.Loop() {
			putInBatches(s, msgs, 1024)
		}
		b.ReportMetric(float64(s.end)/float64(s.recs.len()), "B/record")
		b.ReportMetric(float64(b.Elapsed().Microseconds())/float64(b.N*len(msgs)), "µs/msg")
	})
	b.Run("get", func(b *testing.B) {
		s := NewSpill(b.TempDir())
		defer s.Close()
		putInBatches(s, msgs, 256)
		i := 0
		for b.Loop() {
			if _, err := s.Get(msgs[i%len(msgs)].ID); err != nil {
				b.Fatal(err)
			}
			i += 7
		}
	})
}
