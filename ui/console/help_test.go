package console

import (
	"strings"
	"testing"

	"github.com/charmbracelet/x/ansi"
)

// lastLine is the footer of a frame, styles stripped and trailing blanks
// trimmed.
func lastLine(m *Model) string {
	lines := strings.Split(ansi.Strip(m.View().Content), "\n")
	return strings.TrimRight(lines[len(lines)-1], " ")
}

// TestFooterEndsWithHelp is defect 3 of issue 15: at 80×24 the footer of
// every screen ends with "? help" (other hints are dropped first), and
// the filter prompt says how to keep or cancel it.
func TestFooterEndsWithHelp(t *testing.T) {
	for name, ks := range map[string][]string{
		"list":   nil,
		"detail": {"enter"},
		"beside": {"|"},
		"raw":    {"R"},
		"stats":  {"T"},
		"help":   {"?"},
	} {
		for _, w := range []int{60, 80} {
			m := loaded(t, w, 24)
			pressAll(m, ks...)
			if got := lastLine(m); !strings.HasSuffix(got, "? help") {
				t.Errorf("%s at %d columns: footer %q does not end with \"? help\"", name, w, got)
			}
		}
	}
	m := loaded(t, 80, 24)
	pressAll(m, "/", "x")
	if got := lastLine(m); !strings.Contains(got, "enter") || !strings.Contains(got, "esc") {
		t.Errorf("filter prompt %q has no enter/esc hints", got)
	}
}

// TestHelpScrollsSearchesAndFollowsTheScreen: the help scrolls to its
// last line at 80×24, "/" narrows it to matching lines, and inside the
// raw viewer it lists the viewer's keys, not the list's.
func TestHelpScrollsSearchesAndFollowsTheScreen(t *testing.T) {
	m := loaded(t, 80, 24)
	pressAll(m, "?")
	if strings.Contains(ansi.Strip(m.View().Content), "Exceptions (E):") {
		t.Fatal("the whole help fits at 80×24: the test proves nothing")
	}
	pressAll(m, "G")
	if !strings.Contains(ansi.Strip(m.View().Content), "Exceptions (E):") {
		t.Errorf("G does not scroll the help to its end:\n%s", ansi.Strip(m.View().Content))
	}
	pressAll(m, "/", "r", "e", "l", "e", "a", "s", "e", "enter")
	frame := ansi.Strip(m.View().Content)
	if !strings.Contains(frame, "release…") || strings.Contains(frame, "sort next column") {
		t.Errorf("searching the help for release:\n%s", frame)
	}
	pressAll(m, "esc", "esc")
	if m.showHelp {
		t.Error("esc esc does not close the help")
	}

	m = loaded(t, 80, 24)
	pressAll(m, "R", "?")
	frame = ansi.Strip(m.View().Content)
	if !strings.Contains(frame, "scroll left") || strings.Contains(frame, "release…") {
		t.Errorf("help inside the raw viewer shows the wrong keys:\n%s", frame)
	}
}
