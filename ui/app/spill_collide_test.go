package app

import (
	"errors"
	"fmt"
	"math/rand/v2"
	"testing"

	"mxaudit/model"
)

// TestSpillKeepsMessagesWhoseKeysCollide (found in review): messages
// whose keys are the same are all kept and read back, each its own;
// one that is forgotten or put again leaves the others as they were, in
// memory and on disk, before and after a compaction. Before, the second
// put dropped the first message's entry, and a read of it failed as if
// it had left the quarantine (the hub's sessions then skipped it).
func TestSpillKeepsMessagesWhoseKeysCollide(t *testing.T) {
	for _, inMemory := range []bool{false, true} {
		dir := t.TempDir()
		if inMemory {
			dir = noSpillDir(t)
		}
		s := NewSpill(dir)
		s.keyOf = func(model.MessageID) uint64 { return 7 }
		s.compactMin = 1
		want := map[model.MessageID]string{}
		put := func(id, subject string) {
			s.Put(model.Message{ID: model.MessageID(id), Subject: subject})
			want[model.MessageID(id)] = subject
		}
		check := func(when string) {
			t.Helper()
			for id, subject := range want {
				got, err := s.Get(id)
				if subject == "" {
					if !errors.Is(err, ErrNotSpilled) || got.ID != "" {
						t.Errorf("in memory %v, %s: forgotten %s read back: %q, %v", inMemory, when, id, got.Subject, err)
					}
					continue
				}
				if err != nil || got.ID != id || got.Subject != subject {
					t.Errorf("in memory %v, %s: %s = %s %q, %v; want %q", inMemory, when, id, got.ID, got.Subject, err, subject)
				}
			}
		}
		put("m1", "first")
		put("m2", "second")
		put("m3", "third")
		check("three put")
		s.Forget("m1")
		want["m1"] = ""
		check("the first forgotten")
		put("m2", "second, again")
		check("the second put again")
		for i := range 40 { // most of the file dead: compacted
			put("m4", fmt.Sprint("fourth ", i))
		}
		check("after compactions")
		s.Forget("m3", "m4")
		want["m3"], want["m4"] = "", ""
		check("two more forgotten")
		s.Close()
	}
}

// TestSpillDamageIsNotForgotten (found in review): a damaged record of
// A, whose key B shares: putting B (never put before) or forgetting B
// must not turn A's damage into "not kept", which the hub's sessions
// skip as a departure.
func TestSpillDamageIsNotForgotten(t *testing.T) {
	for _, op := range []string{"put", "forget"} {
		s := NewSpill(t.TempDir())
		s.keyOf = func(model.MessageID) uint64 { return 7 }
		s.Put(model.Message{ID: "A", Subject: "a"})
		r := *s.recs.at(int(s.index[7]))
		writeAt(t, s, []byte("X"), r.off+5) // damage A's record
		if _, err := s.Get("A"); !errors.Is(err, ErrSpillDamaged) {
			t.Fatalf("before: %v", err)
		}
		if op == "put" {
			s.Put(model.Message{ID: "B", Subject: "b"})
		} else {
			s.Forget("B")
		}
		if _, err := s.Get("A"); !errors.Is(err, ErrSpillDamaged) {
			t.Errorf("%s B: Get(A) = %v, want ErrSpillDamaged (live %d)", op, err, s.live)
		}
		s.Close()
	}
}

// TestSpillRandomCollisions (from review): random puts, forgets, a
// degraded file and compactions under colliding keys, checked against a
// model after every step, with live recomputed from what is reachable
// and no place indexed twice.
func TestSpillRandomCollisions(t *testing.T) {
	for seed := range uint64(200) {
		rng := rand.New(rand.NewPCG(seed, 1))
		s := NewSpill(t.TempDir())
		s.keyOf = func(id model.MessageID) uint64 { return uint64(len(id) % 2) }
		s.compactMin = 1
		want := map[model.MessageID]string{}
		for step := range 300 {
			id := model.MessageID(fmt.Sprint("m", rng.IntN(12)))
			switch k := rng.IntN(10); {
			case k < 5:
				subj := fmt.Sprint("s", step)
				if rng.IntN(4) == 0 {
					subj += "\xff" // lossy: kept in memory
				}
				s.Put(model.Message{ID: id, Subject: subj})
				want[id] = subj
			case k < 8:
				s.Forget(id)
				delete(want, id)
			case k == 8 && s.degraded == nil && rng.IntN(10) == 0:
				s.mu.Lock()
				s.degrade(errors.New("test"))
				s.mu.Unlock()
			}
			var live int64
			s.mu.Lock()
			seen := map[int32]bool{}
			for _, i := range s.index {
				if i >= 0 {
					live += int64(s.recs.at(int(i)).n) + 1
				}
				seen[i] = true
			}
			for _, i := range s.overflow {
				if seen[i] {
					t.Fatalf("seed %d step %d: place %d indexed twice", seed, step, i)
				}
				if i >= 0 {
					live += int64(s.recs.at(int(i)).n) + 1
				}
			}
			gotLive := s.live
			s.mu.Unlock()
			if live != gotLive {
				t.Fatalf("seed %d step %d: live %d, reachable %d", seed, step, gotLive, live)
			}
			for j := range 12 {
				id := model.MessageID(fmt.Sprint("m", j))
				got, err := s.Get(id)
				subj, ok := want[id]
				if ok && (err != nil || got.Subject != subj) {
					t.Fatalf("seed %d step %d: %s = %q %v, want %q", seed, step, id, got.Subject, err, subj)
				}
				if !ok && !errors.Is(err, ErrNotSpilled) {
					t.Fatalf("seed %d step %d: forgotten %s = %q %v", seed, step, id, got.Subject, err)
				}
			}
		}
		s.Close()
	}
}

// BenchmarkSpillForget measures forgetting every message (a bulk
// release): it must read no record back (about 0.05 µs each; reading
// each cost 12.6 µs).
func BenchmarkSpillForget(b *testing.B) {
	msgs := spillMessages(b, 2000)
	for b.Loop() {
		b.StopTimer()
		s := NewSpill(b.TempDir())
		putInBatches(s, msgs, 1024)
		ids := make([]model.MessageID, len(msgs))
		for i := range msgs {
			ids[i] = msgs[i].ID
		}
		b.StartTimer()
		s.Forget(ids...)
		b.StopTimer()
		s.Close()
		b.StartTimer()
	}
	b.ReportMetric(float64(b.Elapsed().Microseconds())/float64(b.N*len(msgs)), "µs/forget")
}
