package e2e

import (
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"mxaudit/mailsrc/demo"
)

// TestReopenListsTheKeptRowsInTmux opens the console on a Maildir three
// times, as an operator reopening it: the first scan pairs, the second
// replays the cache's outcome and keeps the list, the third lists the
// kept rows without reading every result. The third screen must be the
// second's, row for row, and the details of a row must still come whole
// (read back from the cache).
func TestReopenListsTheKeptRowsInTmux(t *testing.T) {
	bin := buildForTmux(t, "mxaudit-rows")
	dir := filepath.Join(t.TempDir(), "quarantine")
	samples := demo.Samples(demo.Options{})
	if err := demo.Bulk(300, 3, func(s demo.Sample) error { samples = append(samples, s); return nil }); err != nil {
		t.Fatal(err)
	}
	if err := demo.WriteMaildir(dir, samples); err != nil {
		t.Fatal(err)
	}
	home := t.TempDir()
	cacheDir := filepath.Join(home, "cache")

	open := func(run int) (list, details string) {
		t.Helper()
		s := &tmuxSession{t: t, socket: fmt.Sprintf("mxaudit-e2e-rows-%d-%d", os.Getpid(), run)}
		shell := fmt.Sprintf("HOME=%q XDG_CONFIG_HOME=%q XDG_STATE_HOME=%q XDG_CACHE_HOME=%q NO_COLOR=1 TERM=xterm-256color %q --offline %q; echo EXIT=$?; sleep 120",
			home, home, home, cacheDir, bin, dir)
		s.tmux("new-session", "-d", "-s", "console", "-x", "80", "-y", "24", shell)
		defer func() { _ = exec.Command("tmux", "-L", s.socket, "kill-server").Run() }()
		sc := s.waitText("scan complete", 90*time.Second)
		time.Sleep(300 * time.Millisecond) // the detail pane of the first row
		list = strings.Join(listRows(s.screen()), "\n")
		s.keys("j", "j", "Enter")
		details = s.settled(s.waitText("Message-ID", 15*time.Second), 10*time.Second)
		if strings.Contains(details, "cannot read message") {
			t.Fatalf("run %d: a message could not be read back:\n%s", run, details)
		}
		s.keys("q")
		if !strings.Contains(sc, "sort date") {
			t.Fatalf("run %d: not sorted by date:\n%s", run, sc)
		}
		s.keys("q")
		if sc := s.waitText("EXIT=", 10*time.Second); !strings.Contains(sc, "EXIT=0") {
			t.Fatalf("run %d: mxaudit did not exit with status 0:\n%s", run, sc)
		}
		return list, details
	}
	kept := func() (string, time.Time) {
		t.Helper()
		paths, _ := filepath.Glob(filepath.Join(cacheDir, "mxaudit", "*.rows"))
		if len(paths) != 1 {
			return "", time.Time{}
		}
		fi, err := os.Stat(paths[0])
		if err != nil {
			t.Fatal(err)
		}
		return paths[0], fi.ModTime()
	}

	open(1)
	list2, details2 := open(2)
	path, written := kept()
	if path == "" {
		t.Fatal("the second start kept no list")
	}
	list3, details3 := open(3)
	if _, again := kept(); !again.Equal(written) {
		t.Error("the third start wrote its list again: it did not list the kept one")
	}
	if list3 != list2 {
		t.Errorf("the kept list differs from the scanned one:\n%s\n---\n%s", list3, list2)
	}
	if details3 != details2 {
		t.Errorf("the details read back differ:\n%s\n---\n%s", details3, details2)
	}
}
