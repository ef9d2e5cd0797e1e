// Package termtext makes attacker-controlled text safe to draw on a
// terminal and measures it the way the terminal will.
//
// Every string that comes from a message (subjects, names, file names,
// headers, raw source) may carry escape sequences meant for the operator's
// terminal: a CSI that clears the screen or moves the cursor over a
// verdict, an OSC 52 that writes the clipboard, an OSC 8 hyperlink that
// hides its target, bidi overrides that reverse a file extension. Nothing
// from a message may reach the screen without going through Sanitize or
// SanitizeLines first.
package termtext

import (
	"fmt"
	"strings"
	"unicode"
	"unicode/utf8"
)

// Markers drawn in place of what was removed. They are single-column,
// East-Asian-neutral characters so that widths stay predictable.
const (
	// EscapeMarker replaces a whole escape sequence on a single line.
	EscapeMarker = "␛"
	// ControlMarker replaces a C1 control character on a single line.
	ControlMarker = "�"
)

// bidiNames names the bidirectional formatting characters. They are drawn
// as visible tags because an override in a file name is how "exe.pdf"
// becomes "fdp.exe" on screen.
var bidiNames = map[rune]string{
	'\u200e': "<LRM>", '\u200f': "<RLM>", '\u061c': "<ALM>",
	'\u202a': "<LRE>", '\u202b': "<RLE>", '\u202c': "<PDF>",
	'\u202d': "<LRO>", '\u202e': "<RLO>",
	'\u2066': "<LRI>", '\u2067': "<RLI>", '\u2068': "<FSI>", '\u2069': "<PDI>",
}

// Sanitize returns s as one line of plain printable text: escape
// sequences (CSI, OSC including OSC 8 and 52, DCS, APC, PM, SOS and
// two-byte escapes) are replaced by a single EscapeMarker, other C0
// controls by their Unicode control picture (␇ for BEL), C1 controls by
// ControlMarker, bidi formatting characters by tags such as "<RLO>", tabs
// and line breaks by a space, and invalid UTF-8 by U+FFFD.
func Sanitize(s string) string {
	if isPlain(s) {
		return s
	}
	var b strings.Builder
	b.Grow(len(s) + 8)
	for i := 0; i < len(s); {
		r, size := utf8.DecodeRuneInString(s[i:])
		switch {
		case r == utf8.RuneError && size <= 1:
			b.WriteRune(utf8.RuneError)
		case r == 0x1b:
			b.WriteString(EscapeMarker)
			size = escapeLen(s[i:])
		case r == '\t' || r == '\n' || r == '\r' || r == '\u2028' || r == '\u2029':
			b.WriteByte(' ')
		case r < 0x20:
			b.WriteRune(0x2400 + r) // control pictures: ␀ .. ␟
		case r == 0x7f:
			b.WriteRune('␡')
		case r >= 0x80 && r < 0xa0:
			b.WriteString(ControlMarker)
		default:
			if name, ok := bidiNames[r]; ok {
				b.WriteString(name)
			} else if invisible(r) {
				b.WriteString(invisibleTag(r))
			} else {
				b.WriteRune(r)
			}
		}
		i += size
	}
	return b.String()
}

// invisible reports whether r draws nothing, or draws differently from
// terminal to terminal: format characters (zero-width space and joiners,
// the soft hyphen, the byte-order mark, tag characters, interlinear
// annotation) and the Hangul fillers. They let "paypa\u200bl.example"
// pass for another name and shift columns, so they are shown as tags.
func invisible(r rune) bool {
	return unicode.Is(unicode.Cf, r) || r == '\u115f' || r == '\u1160' || r == '\u3164' || r == '\uffa0'
}

func invisibleTag(r rune) string { return fmt.Sprintf("<U+%04X>", r) }

// SanitizeLines returns s split into lines with every control made
// visible rather than removed, for the header and raw-source viewers where
// the operator wants to see exactly what the message carries: ESC becomes
// "^[" followed by the rest of the sequence as plain text, other C0
// controls caret notation ("^G"), DEL "^?", C1 controls "<9B>", bidi
// formatting characters tags such as "<RLO>", tabs spaces to the next
// multiple of eight, and invalid UTF-8 U+FFFD. Lines end at LF; a CR
// before the LF is dropped and a lone CR is shown as "^M".
func SanitizeLines(s string) []string {
	lines := strings.Split(s, "\n")
	for i, line := range lines {
		line = strings.TrimSuffix(line, "\r")
		lines[i] = sanitizeVisible(line)
	}
	return lines
}

func sanitizeVisible(s string) string {
	if isPlain(s) {
		return s
	}
	var b strings.Builder
	col := 0
	write := func(t string) {
		b.WriteString(t)
		col += utf8.RuneCountInString(t)
	}
	for _, r := range s {
		switch {
		case r == '\t':
			n := 8 - col%8
			write(strings.Repeat(" ", n))
		case r < 0x20:
			write("^" + string(rune(r+'@')))
		case r == 0x7f:
			write("^?")
		case r >= 0x80 && r < 0xa0:
			write("<" + strings.ToUpper(hex2(byte(r))) + ">")
		default:
			// range over a string already yields U+FFFD for invalid bytes.
			if name, ok := bidiNames[r]; ok {
				write(name)
			} else if invisible(r) {
				write(invisibleTag(r))
			} else {
				b.WriteRune(r)
				col++
			}
		}
	}
	return b.String()
}

func hex2(c byte) string {
	const digits = "0123456789abcdef"
	return string([]byte{digits[c>>4], digits[c&0xf]})
}

// isPlain reports whether s is printable ASCII, the common case that needs
// no copy.
func isPlain(s string) bool {
	for i := 0; i < len(s); i++ {
		if c := s[i]; c < 0x20 || c >= 0x7f {
			return false
		}
	}
	return true
}

// escapeLen returns the length in bytes of the escape sequence at the
// start of s (s[0] is ESC), including its terminator. An unterminated
// string sequence runs to the end of s, so nothing after an unclosed OSC
// can smuggle its payload through.
func escapeLen(s string) int {
	if len(s) < 2 {
		return len(s)
	}
	switch s[1] {
	case '[': // CSI: parameters and intermediates, then a final byte 0x40-0x7e
		for i := 2; i < len(s); i++ {
			c := s[i]
			if c >= 0x40 && c <= 0x7e {
				return i + 1
			}
			if c < 0x20 || c >= 0x7f {
				return i // malformed: stop before the odd byte
			}
		}
		return len(s)
	case ']', 'P', 'X', '^', '_': // OSC, DCS, SOS, PM, APC: up to BEL or ST
		for i := 2; i < len(s); i++ {
			switch s[i] {
			case 0x07:
				return i + 1
			case 0x1b:
				if i+1 < len(s) && s[i+1] == '\\' {
					return i + 2
				}
				return i
			}
		}
		return len(s)
	}
	// A two-byte escape (ESC c, ESC 7, ESC ( B): ESC, any intermediates
	// 0x20-0x2f, and a final byte.
	i := 1
	for i < len(s) && s[i] >= 0x20 && s[i] <= 0x2f {
		i++
	}
	if i < len(s) && s[i] >= 0x30 && s[i] <= 0x7e {
		i++
	}
	return i
}
