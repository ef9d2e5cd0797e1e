package detail

import (
	"strings"
	"testing"
	"time"

	"github.com/charmbracelet/x/ansi"

	"mxaudit/model"
	"mxaudit/ui/termtext"
)

// TestWrapInsertsNothing is defect 1 of issue 15: a long token (a
// Message-ID) hard-wrapped in the detail pane must read back exactly when
// its pieces are joined, with no space put into it.
func TestWrapInsertsNothing(t *testing.T) {
	id := "<20261119173000.9b8a7d6e5f4c3b2a1a0b@mail90.long-domain-for-wrapping.example>"
	for _, width := range []int{30, 38, 40, 57, 78} {
		lines := wrap([]string{"\x1b[1mMessage-ID \x1b[0m " + id}, width)
		joined := ""
		for i, l := range lines {
			plain := ansi.Strip(l)
			if termtext.Width(plain) > width {
				t.Errorf("width %d: line %q is wider", width, plain)
			}
			if i > 0 {
				plain = strings.TrimPrefix(plain, contMark)
			}
			joined += plain
		}
		if !strings.Contains(joined, id) {
			t.Errorf("width %d: the Message-ID reads back as %q", width, joined)
		}
	}
}

// TestDateIsLocalWithSenderClock is defect 6 of issue 15: the detail pane
// shows the Date in local time with its offset, and the sender's clock
// only beside it when it differs.
func TestDateIsLocalWithSenderClock(t *testing.T) {
	tokyo := time.FixedZone("JST", 9*3600)
	now := time.Date(2026, 11, 28, 12, 0, 0, 0, time.UTC)
	m := &model.Message{Date: time.Date(2026, 11, 19, 18, 30, 0, 0, tokyo)}
	if got, want := dateText(m, now), "Thu, 19 Nov 2026 09:30:00 +0000 (sender's clock 18:30 +0900)"; got != want {
		t.Errorf("got %q, want %q", got, want)
	}
	m.Date = m.Date.UTC()
	if got, want := dateText(m, now), "Thu, 19 Nov 2026 09:30:00 +0000"; got != want {
		t.Errorf("got %q, want %q", got, want)
	}
}
