package console

import (
	"context"
	"os"
	"path/filepath"
	"testing"

	"mxaudit/model"
	"mxaudit/ui/app"
)

// TestSessionConsoleSpillsBesideTheCache: an SSH session's console keeps
// the messages it changed itself (re-analysis, watch) in a spill of its
// own (newModel); like the hub's, it goes beside the cache, not $TMPDIR.
// Fails at b6d000c: ConfigForSession leaves SpillDir "".
func TestSessionConsoleSpillsBesideTheCache(t *testing.T) {
	src := filepath.Join(t.TempDir(), "Maildir")
	for _, sub := range []string{"cur", "new", "tmp"} {
		if err := os.MkdirAll(filepath.Join(src, sub), 0o700); err != nil {
			t.Fatal(err)
		}
	}
	cache := filepath.Join(t.TempDir(), "mxaudit")
	cfg := app.Config{}
	cfg.Offline, cfg.CacheDir = true, cache
	a := demoApp(t, t.Context(), src, cfg, app.Options{})
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
