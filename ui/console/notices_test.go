package console

import (
	"strings"
	"testing"

	"github.com/charmbracelet/x/ansi"
)

// TestNoticesWrapClearAndAreLogged is defect 4 of issue 15: a long
// status message is wrapped in full at 80×24 (not cut), the next key
// press or its expiry clears it, and "!" shows it in the message log.
func TestNoticesWrapClearAndAreLogged(t *testing.T) {
	long := "cannot release: no SMTP relay (relay) or delivery Maildir (deliver_maildir) is configured; set one in config.toml"
	m := loaded(t, 80, 24)
	m.cfg.NoticeTTL = 0 // the real expiry
	m.setNotice(long, true)
	cmd := m.noticeChanged()
	if cmd == nil {
		t.Fatal("the notice got no expiry")
	}
	frame := ansi.Strip(m.View().Content)
	checkFrame(t, m.View().Content, 80, 24)
	flat := strings.Join(strings.Fields(frame), " ")
	if !strings.Contains(flat, "set one in config.toml") {
		t.Fatalf("the notice is cut:\n%s", frame)
	}
	pressAll(m, "j")
	if m.notice.text != "" || strings.Contains(ansi.Strip(m.View().Content), "cannot release") {
		t.Fatal("a key press did not clear the notice")
	}
	checkFrame(t, m.View().Content, 80, 24)

	m.setNotice("short", false)
	m.Update(noticeExpireMsg{seq: m.notice.seq - 1})
	if m.notice.text != "short" {
		t.Fatal("a stale expiry cleared the newer notice")
	}
	m.Update(noticeExpireMsg{seq: m.notice.seq})
	if m.notice.text != "" {
		t.Fatal("the expiry did not clear the notice")
	}

	pressAll(m, "!")
	log := strings.Join(strings.Fields(ansi.Strip(m.View().Content)), " ")
	if !strings.Contains(log, "set one in config.toml") || !strings.Contains(log, "short") {
		t.Fatalf("the log lacks the notices:\n%s", log)
	}
}
