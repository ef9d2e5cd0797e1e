// Package e2e runs the built mxaudit binary in a real terminal (tmux),
// types at it and reads the screen back, as an operator over SSH would.
package e2e

import (
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"slices"
	"strings"
	"testing"
	"time"
)

// moduleRoot returns the directory of go.mod.
func moduleRoot(t *testing.T) string {
	t.Helper()
	out, err := exec.Command("go", "env", "GOMOD").Output()
	if err != nil {
		t.Fatalf("go env GOMOD: %v", err)
	}
	return filepath.Dir(strings.TrimSpace(string(out)))
}

// tmuxSession is one detached tmux server running the console.
type tmuxSession struct {
	t      *testing.T
	socket string
}

func (s *tmuxSession) tmux(args ...string) string {
	s.t.Helper()
	cmd := exec.Command("tmux", append([]string{"-L", s.socket}, args...)...)
	out, err := cmd.CombinedOutput()
	if err != nil {
		s.t.Fatalf("tmux %s: %v\n%s", strings.Join(args, " "), err, out)
	}
	return string(out)
}

// screen returns the visible pane as text.
func (s *tmuxSession) screen() string { return s.tmux("capture-pane", "-p", "-t", "console") }

// keys sends tmux key names ("Enter", "s") to the console.
func (s *tmuxSession) keys(keys ...string) {
	s.t.Helper()
	s.tmux(append([]string{"send-keys", "-t", "console"}, keys...)...)
}

// waitFor polls the screen until ok accepts it.
func (s *tmuxSession) waitFor(what string, timeout time.Duration, ok func(string) bool) string {
	s.t.Helper()
	deadline := time.Now().Add(timeout)
	var last string
	for time.Now().Before(deadline) {
		last = s.screen()
		if ok(last) {
			return last
		}
		time.Sleep(100 * time.Millisecond)
	}
	s.t.Fatalf("timed out waiting for %s; screen:\n%s", what, last)
	return ""
}

// settled returns the screen once two captures 100 ms apart agree,
// from sc, a capture just taken: a capture can catch the terminal in the
// middle of a frame (half of a help line redrawn), which a comparison of
// two screens then reports as a difference.
func (s *tmuxSession) settled(sc string, timeout time.Duration) string {
	s.t.Helper()
	for deadline := time.Now().Add(timeout); time.Now().Before(deadline); {
		time.Sleep(100 * time.Millisecond)
		next := s.screen()
		if next == sc {
			return sc
		}
		sc = next
	}
	s.t.Fatalf("the screen did not settle; last:\n%s", sc)
	return ""
}

func (s *tmuxSession) waitText(text string, timeout time.Duration) string {
	s.t.Helper()
	return s.waitFor(fmt.Sprintf("%q", text), timeout, func(sc string) bool { return strings.Contains(sc, text) })
}

// listRows returns the message rows of an 80×24 screen: the lines after
// the column titles, up to the details divider.
func listRows(screen string) []string {
	lines := strings.Split(screen, "\n")
	var rows []string
	for _, l := range lines[2:] {
		if strings.HasPrefix(l, "─ details") || strings.TrimSpace(l) == "" {
			break
		}
		rows = append(rows, l)
	}
	return rows
}

// buildForTmux skips the test unless it may run end to end (not -short,
// tmux installed), then builds mxaudit as name under the module's tmp/
// and returns its path.
func buildForTmux(t *testing.T, name string) string {
	t.Helper()
	if testing.Short() {
		t.Skip("end-to-end test skipped in -short mode")
	}
	if _, err := exec.LookPath("tmux"); err != nil {
		t.Skip("SKIPPED LOUDLY: tmux is not installed; the end-to-end console test did not run")
	}
	root := moduleRoot(t)
	bin := filepath.Join(root, "tmp", name)
	build := exec.Command("go", "build", "-o", bin, "mxaudit")
	build.Dir = root
	if out, err := build.CombinedOutput(); err != nil {
		t.Fatalf("go build mxaudit: %v\n%s", err, out)
	}
	return bin
}

// TestConsoleInTmux builds mxaudit, opens `mxaudit demo` in an 80×24 tmux
// pane, sorts by DMARC, filters for encrypted archives, opens the details
// and the raw source, and quits, checking the screen at each step and
// that the terminal is restored afterwards.
func TestConsoleInTmux(t *testing.T) {
	bin := buildForTmux(t, "mxaudit")

	s := &tmuxSession{t: t, socket: fmt.Sprintf("mxaudit-e2e-%d", os.Getpid())}
	shell := fmt.Sprintf("NO_COLOR=1 TERM=xterm-256color %q demo; echo EXIT=$?; sleep 120", bin)
	s.tmux("new-session", "-d", "-s", "console", "-x", "80", "-y", "24", shell)
	t.Cleanup(func() { _ = exec.Command("tmux", "-L", s.socket, "kill-server").Run() })

	sc := s.waitText("scan complete", 90*time.Second)
	if !strings.Contains(sc, "sort date ↑") {
		t.Fatalf("the console did not start sorted by date:\n%s", sc)
	}
	for i, l := range strings.Split(sc, "\n") {
		if w := len([]rune(l)); w > 80 {
			t.Fatalf("line %d is longer than the terminal: %q", i, l)
		}
	}

	// Sort by DMARC: eight steps from the date column.
	s.keys("s", "s", "s", "s", "s", "s", "s", "s")
	s.waitText("sort dmarc ↑", 5*time.Second)
	// Reverse it: failures first.
	s.keys("S")
	s.waitText("sort dmarc ↓", 5*time.Second)
	// The selection follows its message through the sort, and which
	// message is selected depends on the order the parallel scan
	// delivered them: go to the top to see the failures.
	s.keys("g")
	s.waitFor("the first row", 5*time.Second, func(sc string) bool {
		rows := listRows(sc)
		return len(rows) > 0 && strings.Contains(sc, "sort dmarc ↓")
	})
	time.Sleep(200 * time.Millisecond)
	sc = s.screen()
	if rows := listRows(sc); len(rows) == 0 || !strings.Contains(rows[0], "F/") && !strings.Contains(rows[0], " . ") {
		t.Errorf("after sorting by DMARC descending the first row is not a failure:\n%s", sc)
	}

	// Only encrypted archives: ENC, or E>ok, E>RSK… for an archive PPAP
	// pairing opened. The status line may reach the pane before the
	// rows under it (a capture between two writes of one frame): the
	// screen is read until both are there, and a filter that lets
	// another row through never gets there.
	encrypted := func(r string) bool { return strings.Contains(r, "ENC") || strings.Contains(r, "E>") }
	s.keys("1")
	s.waitFor("only encrypted rows under the encrypted filter", 5*time.Second, func(sc string) bool {
		rows := listRows(sc)
		return strings.Contains(sc, "filter encrypted") && len(rows) > 0 && !slices.ContainsFunc(rows, func(r string) bool { return !encrypted(r) })
	})

	// Details, then the raw source, then back.
	s.keys("Enter")
	sc = s.waitText("─ details", 5*time.Second)
	for _, want := range []string{"Subject", "From", "Message-ID"} {
		if !strings.Contains(sc, want) {
			t.Errorf("the detail pane lacks %q:\n%s", want, sc)
		}
	}
	s.keys("R")
	s.waitText("Raw source:", 5*time.Second)
	// The message loads in a command: on a busy machine the view first
	// says "loading…". Every demo message carries the gateway's Received.
	sc = s.waitText("Received:", 15*time.Second)
	if !strings.Contains(sc, "Raw source:") {
		t.Errorf("the raw view closed while loading:\n%s", sc)
	}
	s.keys("q")
	s.waitText("─ details", 5*time.Second)

	// Quit: the program exits cleanly and leaves the alternate screen.
	s.keys("q")
	sc = s.waitText("EXIT=", 10*time.Second)
	if !strings.Contains(sc, "EXIT=0") {
		t.Fatalf("mxaudit did not exit with status 0:\n%s", sc)
	}
	if strings.Contains(sc, "sort dmarc") || strings.Contains(sc, "─ details") {
		t.Fatalf("the console's screen was left behind after quitting:\n%s", sc)
	}
}
