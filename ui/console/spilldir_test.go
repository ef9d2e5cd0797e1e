package console

import (
	"context"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"mxaudit/model"
	"mxaudit/ui/app"
)

// TestConsoleSpillsBesideTheCache checks that a console's own spill is
// made in the analysis cache's directory, not in the temporary
// directory that many systems keep in memory (app.App.SpillDir): its
// file, unlinked at once, is found among the process's open files.
func TestConsoleSpillsBesideTheCache(t *testing.T) {
	a, cache := emptyMaildirApp(t)
	uc := ConfigFor(app.NewWorkspace(a, nil, nil))
	if uc.SpillDir != cache {
		t.Fatalf("SpillDir = %q, want the cache's %q", uc.SpillDir, cache)
	}
	ctx, cancel := context.WithCancel(t.Context())
	defer cancel()
	newModel(ctx, uc, true)
	if !spillOpenIn(t, cache) {
		t.Fatalf("no spill file open in %s", cache)
	}
}

// spillOpenIn reports whether the process holds a spill's file open in
// dir, unlinked (Linux names such a file "PATH (deleted)").
func spillOpenIn(t *testing.T, dir string) bool {
	t.Helper()
	fds, err := os.ReadDir("/proc/self/fd")
	if err != nil {
		t.Skipf("no /proc/self/fd to look in: %v", err)
	}
	for _, fd := range fds {
		target, err := os.Readlink(filepath.Join("/proc/self/fd", fd.Name()))
		if err == nil && strings.HasPrefix(target, filepath.Join(dir, "mxaudit-spill-")) && strings.HasSuffix(target, " (deleted)") {
			return true
		}
	}
	return false
}

// TestSessionConsoleSpillsBesideTheCache: an SSH session's console keeps
// the messages it changed itself (re-analysis, watch) in a spill of its
// own (newModel); like the hub's, it goes beside the cache, not $TMPDIR
// (from a review: ConfigForSession left SpillDir empty).
func TestSessionConsoleSpillsBesideTheCache(t *testing.T) {
	a, cache := emptyMaildirApp(t)
	s := app.NewHub(a, nil).Session(model.Operator{User: "alice"})
	uc := ConfigForSession(s)
	if uc.SpillDir != cache {
		t.Fatalf("SpillDir = %q, want the cache's %q", uc.SpillDir, cache)
	}
	ctx, cancel := context.WithCancel(t.Context())
	defer cancel()
	NewSession(ctx, uc, nil)
	if !spillOpenIn(t, cache) {
		t.Fatalf("no spill file open in %s", cache)
	}
}

// emptyMaildirApp opens an empty Maildir through the application core,
// offline, with a cache directory of its own, which it returns too.
func emptyMaildirApp(t *testing.T) (*app.App, string) {
	t.Helper()
	src := filepath.Join(t.TempDir(), "Maildir")
	for _, sub := range []string{"cur", "new", "tmp"} {
		if err := os.MkdirAll(filepath.Join(src, sub), 0o700); err != nil {
			t.Fatal(err)
		}
	}
	cache := filepath.Join(t.TempDir(), "mxaudit")
	cfg := app.Config{}
	cfg.Offline, cfg.CacheDir = true, cache
	return demoApp(t, t.Context(), src, cfg, app.Options{}), cache
}
