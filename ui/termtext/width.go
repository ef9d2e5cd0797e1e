package termtext

import (
	"strings"

	"github.com/charmbracelet/x/ansi"
)

// Width is the number of terminal columns s occupies, counting East Asian
// wide characters as two. It uses the wcwidth method, which is what Bubble
// Tea's renderer and tmux use unless the terminal announces grapheme
// clustering support.
func Width(s string) int { return ansi.StringWidthWc(s) }

// Truncate shortens plain text s to at most width columns, ending it with
// "…" when something was cut. A wide character that would straddle the
// limit is dropped whole, never halved.
func Truncate(s string, width int) string {
	if width <= 0 {
		return ""
	}
	if Width(s) <= width {
		return s
	}
	return ansi.TruncateWc(s, width, "…")
}

// Fit truncates plain text s to width columns and pads it with spaces so
// that it occupies exactly width columns: table cells stay aligned even
// when a wide character had to be dropped.
func Fit(s string, width int) string {
	s = Truncate(s, width)
	if pad := width - Width(s); pad > 0 {
		s += strings.Repeat(" ", pad)
	}
	return s
}

// FitRight is Fit with the text aligned to the right, for numbers.
func FitRight(s string, width int) string {
	s = Truncate(s, width)
	if pad := width - Width(s); pad > 0 {
		s = strings.Repeat(" ", pad) + s
	}
	return s
}

// WrapWords breaks plain text into lines of at most width columns at
// spaces; a word longer than width gets a line of its own.
func WrapWords(text string, width int) []string {
	var lines []string
	line := ""
	for _, w := range strings.Fields(text) {
		switch {
		case line == "":
			line = w
		case Width(line)+1+Width(w) <= width:
			line += " " + w
		default:
			lines = append(lines, line)
			line = w
		}
	}
	return append(lines, line)
}
