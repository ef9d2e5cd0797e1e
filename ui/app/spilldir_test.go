package app

import (
	"context"
	"os"
	"path/filepath"
	"testing"

	"mxaudit/model"
)

// TestSpillDirIsTheCaches checks where a front end's spill goes: the
// analysis cache's directory, made if need be, and with the cache off
// only one that is there already; else the temporary directory ("").
func TestSpillDirIsTheCaches(t *testing.T) {
	src := filepath.Join(t.TempDir(), "Maildir")
	for _, sub := range []string{"cur", "new", "tmp"} {
		if err := os.MkdirAll(filepath.Join(src, sub), 0o700); err != nil {
			t.Fatal(err)
		}
	}
	there := t.TempDir()
	for _, c := range []struct {
		name    string
		dir     string
		noCache bool
		want    string
	}{
		{"cache on, made for it", filepath.Join(t.TempDir(), "cache", "mxaudit"), false, "dir"},
		{"cache on, there", there, false, "dir"},
		{"cache off, there", there, true, "dir"},
		{"cache off, not there", filepath.Join(t.TempDir(), "none"), true, ""},
		{"cache on, a file in its way", filepath.Join(fileIn(t), "mxaudit"), false, ""},
	} {
		t.Run(c.name, func(t *testing.T) {
			cfg := Config{}
			cfg.Offline, cfg.CacheDir, cfg.Flags.NoCache = true, c.dir, c.noCache
			a, err := Open(context.Background(), src, cfg, Options{})
			if err != nil {
				t.Fatal(err)
			}
			defer a.Close()
			want := c.want
			if want == "dir" {
				want = c.dir
			}
			if got := a.SpillDir(); got != want {
				t.Fatalf("SpillDir = %q, want %q", got, want)
			}
			if c.noCache && want == "" {
				if _, err := os.Stat(c.dir); !os.IsNotExist(err) {
					t.Fatalf("--no-cache made the cache directory: %v", err)
				}
			}
		})
	}
}

// fileIn returns the path of a regular file in a new directory: a
// directory cannot be made under it, root or not.
func fileIn(t *testing.T) string {
	t.Helper()
	p := filepath.Join(t.TempDir(), "file")
	if err := os.WriteFile(p, nil, 0o600); err != nil {
		t.Fatal(err)
	}
	return p
}

// TestSpillFileWhereAsked checks that a spill's file is made in the
// directory given, and in the temporary directory when none can be made
// there: a spill that cannot write its file keeps every message in
// memory, which a read-only cache directory must not cost.
func TestSpillFileWhereAsked(t *testing.T) {
	dir := t.TempDir()
	for _, c := range []struct {
		name, dir, want string
	}{
		{"the directory given", dir, dir},
		{"none given", "", os.TempDir()},
		{"none can be made there", filepath.Join(fileIn(t), "sub"), os.TempDir()},
	} {
		t.Run(c.name, func(t *testing.T) {
			s := NewSpill(c.dir)
			defer s.Close()
			if err := s.Degraded(); err != nil {
				t.Fatalf("degraded: %v", err)
			}
			if got := filepath.Dir(s.f.Name()); got != c.want {
				t.Fatalf("the file was made in %s, want %s", got, c.want)
			}
			if s.dir != c.want {
				t.Fatalf("compaction would make its file in %s, want %s", s.dir, c.want)
			}
			s.Put(model.Message{ID: "a", Subject: "kept"})
			if got, err := s.Get("a"); err != nil || got.Subject != "kept" {
				t.Fatalf("read back: %q, %v", got.Subject, err)
			}
		})
	}
}

// noSpillDir returns a directory that is not there, with $TMPDIR set to
// it for the rest of the test, so that NewSpill of it can make its file
// nowhere (not in $TMPDIR either) and keeps messages in memory.
func noSpillDir(t *testing.T) string {
	t.Helper()
	missing := filepath.Join(t.TempDir(), "missing")
	t.Setenv("TMPDIR", missing)
	return missing
}
