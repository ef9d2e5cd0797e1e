package console

import (
	"strings"
	"testing"

	"github.com/charmbracelet/x/ansi"
)

// TestCursorVisibleWithoutColour is defect 7 of issue 15: without colour
// (NO_COLOR, TERM=dumb) moving the cursor changes the screen, because the
// cursor row carries a mark.
func TestCursorVisibleWithoutColour(t *testing.T) {
	m := loaded(t, 80, 24) // no colour
	before := ansi.Strip(m.View().Content)
	pressAll(m, "j")
	after := ansi.Strip(m.View().Content)
	if before == after {
		t.Fatal("j gives an identical screen without colour")
	}
	marked := 0
	for _, l := range strings.Split(after, "\n") {
		if len(l) > 1 && l[1] == '>' {
			marked++
		}
	}
	if marked != 1 {
		t.Errorf("%d rows carry the cursor mark:\n%s", marked, after)
	}
}
