package console

import (
	"strings"
	"testing"
)

// TestCopyWithOSC52: y copies the Message-ID through OSC 52 where the
// terminal takes it, and explains itself (showing the value) where not.
func TestCopyWithOSC52(t *testing.T) {
	m := loaded(t, 80, 24)
	m.cfg.Getenv = func(k string) string {
		if k == "TERM" {
			return "xterm-256color"
		}
		return ""
	}
	pressAll(m, "G", "k") // the PPAP mail, which has a Message-ID
	want := strings.Trim(readBack(t, m, m.table.SelectedRow().ID()).MessageID, "<>")
	if cmd := pressAll(m, "y"); cmd == nil || m.lastCopy != want || want == "" {
		t.Fatalf("y copied %q, want %q", m.lastCopy, want)
	}
	m.lastCopy = ""
	m.cfg.Getenv = func(k string) string {
		if k == "TERM" {
			return "dumb"
		}
		return ""
	}
	pressAll(m, "i")
	if m.lastCopy != "" || !strings.Contains(m.notice.text, "cannot take OSC 52") || !strings.Contains(m.notice.text, string(m.table.SelectedRow().ID())) {
		t.Fatalf("TERM=dumb: copied %q, notice %q", m.lastCopy, m.notice.text)
	}
}
