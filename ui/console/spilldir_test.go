package console

import (
	"context"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"mxaudit/mailsrc/demo"
	"mxaudit/model"
	"mxaudit/ui/app"

	tea "charm.land/bubbletea/v2"
)

// TestConsoleSpillsBesideTheCache checks that a console's own spill is
// made in the analysis cache's directory, not in the temporary
// directory that many systems keep in memory (app.App.SpillDir): its
// file, unlinked at once, is found among the process's open files. So
// does an SSH session's console, which keeps the messages it changed
// itself (re-analysis, watch) in a spill of its own (from a review:
// ConfigForSession left SpillDir empty).
func TestConsoleSpillsBesideTheCache(t *testing.T) {
	for _, c := range []struct {
		name  string
		start func(ctx context.Context, a *app.App) Config
	}{
		{"console", func(ctx context.Context, a *app.App) Config {
			uc := ConfigFor(app.NewWorkspace(a, nil, nil))
			newModel(ctx, uc, true)
			return uc
		}},
		{"SSH session", func(ctx context.Context, a *app.App) Config {
			uc := ConfigForSession(app.NewHub(a, nil).Session(model.Operator{User: "alice"}))
			NewSession(ctx, uc, nil)
			return uc
		}},
	} {
		t.Run(c.name, func(t *testing.T) {
			a, cache := emptyMaildirApp(t)
			ctx, cancel := context.WithCancel(t.Context())
			defer cancel()
			if uc := c.start(ctx, a); uc.SpillDir != cache {
				t.Fatalf("SpillDir = %q, want the cache's %q", uc.SpillDir, cache)
			}
			if !spillOpenIn(t, cache) {
				t.Fatalf("no spill file open in %s", cache)
			}
		})
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

// TestWarmConsoleReadsBackFromTheCache: a console started on a cached
// quarantine whose list it did not keep replays the cached messages,
// which its spill may name in the cache's file rather than copy (it
// does when its first batch comes while the cache is open: at 100,000
// messages it writes nothing; a quarantine this small is scanned and
// its cache closed first, and is copied); either way each message reads
// back (the detail pane's read, a release's) as the message its row
// was made of.
func TestWarmConsoleReadsBackFromTheCache(t *testing.T) {
	dir := filepath.Join(t.TempDir(), "q")
	if err := demo.WriteMaildir(dir, demo.Samples(demo.Options{})); err != nil {
		t.Fatal(err)
	}
	cache := filepath.Join(t.TempDir(), "mxaudit")
	cfg := app.Config{}
	cfg.Offline, cfg.CacheDir = true, cache
	// The first start pairs, the second records the scan's snapshot, the
	// third replays it.
	for round := range 3 {
		// No list kept: a start replays messages.
		kept, _ := filepath.Glob(filepath.Join(cache, "*.rows"))
		for _, p := range kept {
			if err := os.Remove(p); err != nil {
				t.Fatal(err)
			}
		}
		ctx, cancel := context.WithCancel(t.Context())
		// Opened as the command opens it: an App given a resolver (as
		// demoApp's are) keeps no cache.
		a, err := app.Open(ctx, dir, cfg, app.Options{})
		if err != nil {
			t.Fatal(err)
		}
		m := newModel(ctx, ConfigFor(app.NewWorkspace(a, nil, nil)), true)
		m.Update(tea.WindowSizeMsg{Width: 120, Height: 40})
		runCmd(t, m, m.Init(), isScanDone)
		if round == 2 {
			if !a.ScanReplayed() {
				t.Fatal("the third start did not replay the snapshot")
			}
			n := 0
			for _, row := range m.table.ArrivalRows() {
				id := row.ID()
				msg, err := m.reader()(ctx, id)
				if err != nil || msg.ID != id || msg.Subject != row.Subject() || msg.FromAddr != row.FromAddr() {
					t.Fatalf("%s read back as %q %q (%v), listed as %q %q", id, msg.ID, msg.Subject, err, row.Subject(), row.FromAddr())
				}
				n++
			}
			if n == 0 {
				t.Fatal("nothing listed")
			}
		}
		cancel()
		a.Close()
		// The spill closes as the console's context ends, on a goroutine.
		for deadline := time.Now().Add(5 * time.Second); spillOpenIn(t, cache); {
			if time.Now().After(deadline) {
				t.Fatal("the console's spill was not closed")
			}
			time.Sleep(10 * time.Millisecond)
		}
	}
}
