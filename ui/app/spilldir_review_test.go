package app

import (
	"context"
	"fmt"
	"os"
	"path/filepath"
	"testing"

	"mxaudit/mailsrc/demo"
	"mxaudit/model"
)

// TestHubSpillsBesideTheCache: the SSH hub's shared spill is made in the
// analysis cache's directory (App.SpillDir), not in $TMPDIR. Without it,
// reverting hub.go to NewSpill("") passes every test.
func TestHubSpillsBesideTheCache(t *testing.T) {
	dir := t.TempDir()
	q := filepath.Join(dir, "q")
	if err := demo.WriteMaildir(q, demo.Samples(demo.Options{})); err != nil {
		t.Fatal(err)
	}
	cache := filepath.Join(dir, "cache", "mxaudit")
	cfg := Config{Offline: true, NoPPAP: true, CacheDir: cache}
	a, err := Open(context.Background(), q, cfg, Options{})
	if err != nil {
		t.Fatal(err)
	}
	defer a.Close()
	h := NewHub(a, nil)
	defer h.kept.Close()
	if err := h.kept.Degraded(); err != nil {
		t.Fatalf("degraded: %v", err)
	}
	if got := filepath.Dir(h.kept.f.Name()); got != cache {
		t.Fatalf("the hub's spill is in %s, want the cache's %s", got, cache)
	}
}

// TestSpillCompactsWhereItsFileIs: a spill that fell back to $TMPDIR
// compacts into $TMPDIR, and one whose directory went away after it was
// made compacts into $TMPDIR too, rather than never again — never
// another message, never a lost one.
func TestSpillCompactsWhereItsFileIs(t *testing.T) {
	for _, how := range []string{"fell back", "directory removed"} {
		t.Run(how, func(t *testing.T) {
			tmp := filepath.Join(t.TempDir(), "tmp")
			if err := os.Mkdir(tmp, 0o700); err != nil {
				t.Fatal(err)
			}
			t.Setenv("TMPDIR", tmp)
			dir := filepath.Join(t.TempDir(), "cache")
			if err := os.Mkdir(dir, 0o700); err != nil {
				t.Fatal(err)
			}
			var s *Spill
			if how == "fell back" {
				s = NewSpill(filepath.Join(fileIn(t), "sub"))
			} else {
				s = NewSpill(dir)
				if err := os.RemoveAll(dir); err != nil {
					t.Fatal(err)
				}
			}
			defer s.Close()
			s.compactMin = 1
			first := s.f
			for i := range 50 {
				s.Put(model.Message{ID: model.MessageID(fmt.Sprint("m", i)), Subject: fmt.Sprint("s", i)})
			}
			for i := range 49 {
				s.Forget(model.MessageID(fmt.Sprint("m", i)))
			}
			s.Put(model.Message{ID: "last", Subject: "last"})
			if s.f == first {
				t.Fatal("no compaction")
			}
			if got := filepath.Dir(s.f.Name()); got != tmp || s.dir != tmp {
				t.Fatalf("compacted into %s (the spill's directory now %s), want %s", got, s.dir, tmp)
			}
			for id, subj := range map[model.MessageID]string{"m49": "s49", "last": "last"} {
				if got, err := s.Get(id); err != nil || got.ID != id || got.Subject != subj {
					t.Fatalf("%s: %q %q, %v", id, got.ID, got.Subject, err)
				}
			}
			if _, err := s.Get("m0"); err == nil {
				t.Fatal("a forgotten message answered")
			}
		})
	}
}
