package e2e

import (
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
	"time"
)

// TestEssentialsInTmux is the acceptance path of issue 15 at 80×24 in a
// real terminal: the filter language narrows the demo to the ISO-2022-JP
// invoice mail, b shows its decoded body, W saves its attachment to a new
// file, y copies its Message-ID, d deletes it after the dialog named it,
// and U restores it from the trash; then a release goes to the demo's
// temporary delivery Maildir.
func TestEssentialsInTmux(t *testing.T) {
	bin := buildForTmux(t, "mxaudit-essentials")
	out := t.TempDir()
	home := t.TempDir() // the demo's state (policy, audit log) stays here
	s := &tmuxSession{t: t, socket: fmt.Sprintf("mxaudit-e2e-ess-%d", os.Getpid())}
	shell := fmt.Sprintf("cd %q && HOME=%q XDG_CONFIG_HOME=%q XDG_STATE_HOME=%q NO_COLOR=1 TERM=xterm-256color %q demo; echo EXIT=$?; sleep 120",
		out, home, home, home, bin)
	s.tmux("new-session", "-d", "-s", "console", "-x", "80", "-y", "24", shell)
	t.Cleanup(func() { _ = exec.Command("tmux", "-L", s.socket, "kill-server").Run() })
	s.waitText("scan complete", 90*time.Second)

	// The filter language: one sender, encrypted only.
	s.keys("/")
	s.keys("-l", "from:hanako.sato is:encrypted")
	s.keys("Enter")
	sc := s.waitText("1/1 of", 5*time.Second)
	if rows := listRows(sc); len(rows) != 1 || !strings.Contains(rows[0], "ENC") && !strings.Contains(rows[0], "E>") {
		t.Fatalf("the filter does not show the one invoice mail:\n%s", sc)
	}

	// The body, decoded from ISO-2022-JP, with the attachment listed.
	s.keys("b")
	sc = s.waitText("ご請求書をお送りいたします", 15*time.Second)
	if !strings.Contains(sc, "Body:") || !strings.Contains(sc, "Attachments") {
		t.Errorf("the body view:\n%s", sc)
	}
	s.keys("q")
	s.waitText("1/1 of", 5*time.Second)

	// Save the attachment (the second choice) to a new file.
	s.keys("W")
	s.waitText("To the file", 15*time.Second)
	s.keys("Tab", "j", "Space", "Tab", "C-u")
	s.keys("-l", "invoice.zip")
	s.keys("Enter")
	s.waitText("saved", 15*time.Second)
	if fi, err := os.Stat(filepath.Join(out, "invoice.zip")); err != nil || fi.Size() == 0 {
		t.Fatalf("the attachment was not saved: %v", err)
	}

	// Copy the Message-ID (OSC 52; tmux takes it).
	s.keys("y")
	s.waitText("copied Message-ID", 5*time.Second)

	// Delete: the dialog names the message; confirm by typing y.
	s.keys("d")
	sc = s.waitText("Delete 1 message", 15*time.Second)
	if !strings.Contains(sc, "【ご請求書】") {
		t.Errorf("the delete dialog does not name the message:\n%s", sc)
	}
	s.waitText("dry run", 15*time.Second)
	s.keys("y", "Enter")
	sc = s.waitFor("the delete to finish", 20*time.Second, func(sc string) bool {
		return !strings.Contains(sc, "Delete 1 message") && !strings.Contains(sc, "deleting:")
	})
	if !strings.Contains(sc, "0/0 of") && !strings.Contains(sc, "deleted") {
		t.Errorf("after the delete:\n%s", sc)
	}
	for i, l := range strings.Split(sc, "\n") {
		if w := len([]rune(l)); w > 80 {
			t.Fatalf("line %d is longer than the terminal: %q", i, l)
		}
	}

	// Undo: the message comes back from the trash into the list.
	s.keys("U")
	sc = s.waitText("restored 1 message from the trash", 15*time.Second)
	if rows := listRows(sc); len(rows) != 1 || !strings.Contains(sc, "1/1 of") {
		t.Errorf("after the undo:\n%s", sc)
	}

	// The demo can release: into its temporary delivery Maildir.
	s.keys("/", "C-u")
	s.keys("-l", "subject:打ち合わせ domain:example.co.jp")
	s.keys("Enter")
	s.waitText("filter", 5*time.Second)
	s.keys("g", "r")
	s.waitText("Release 1 message", 15*time.Second)
	s.waitText("dry run: release", 15*time.Second)
	s.keys("Tab") // from "Send a copy to" to the confirmation
	s.keys("y", "Enter")
	s.waitFor("the release to finish", 20*time.Second, func(sc string) bool {
		return !strings.Contains(sc, "Release 1 message") && !strings.Contains(sc, "releasing:")
	})
	s.keys("q")
	sc = s.waitText("EXIT=", 10*time.Second)
	if !strings.Contains(sc, "EXIT=0") || !strings.Contains(sc, "1 released messages were delivered to the demo Maildir") &&
		!strings.Contains(sc, "released messages were delivered") {
		t.Fatalf("mxaudit did not exit with status 0 after delivering to the demo Maildir:\n%s", sc)
	}
}
