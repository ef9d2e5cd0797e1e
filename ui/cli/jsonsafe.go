package cli

import (
	"encoding/binary"
	"fmt"
	"io"
	"unicode"
	"unicode/utf16"
	"unicode/utf8"
)

// jsonSafe wraps the writer of a JSON encoder and writes C1 controls and
// invisible format characters (bidi overrides, zero-width characters) as
// \u escapes. The JSON means the same to a parser, but a terminal showing
// it raw — an operator piping `mxaudit scan --json` to less — no longer
// acts on U+009B (CSI) or reorders text around U+202E. encoding/json
// escapes only C0 controls and U+2028/U+2029. Such characters occur only
// inside JSON strings, so escaping them keeps the document valid; each
// Encode call writes whole values, so no character is split between
// writes.
type jsonSafe struct{ w io.Writer }

func (j jsonSafe) Write(p []byte) (int, error) {
	if isClean(p) {
		return j.w.Write(p)
	}
	n := len(p)
	out := make([]byte, 0, n+32)
	for len(p) > 0 {
		r, size := utf8.DecodeRune(p)
		if needsEscape(r) {
			if r > 0xffff {
				a, b := utf16.EncodeRune(r)
				out = fmt.Appendf(out, `\u%04x\u%04x`, a, b)
			} else {
				out = fmt.Appendf(out, `\u%04x`, r)
			}
		} else {
			out = append(out, p[:size]...)
		}
		p = p[size:]
	}
	if _, err := j.w.Write(out); err != nil {
		return 0, err
	}
	return n, nil
}

// isClean reports whether p holds nothing to escape. Every character to
// escape is outside ASCII, so ASCII bytes, nearly all of a scan's output,
// are passed over without decoding runes.
func isClean(p []byte) bool {
	for i := 0; i < len(p); {
		if i+8 <= len(p) && binary.LittleEndian.Uint64(p[i:])&0x8080808080808080 == 0 {
			i += 8 // eight ASCII bytes at once
			continue
		}
		if p[i] < utf8.RuneSelf {
			i++
			continue
		}
		r, size := utf8.DecodeRune(p[i:])
		if needsEscape(r) {
			return false
		}
		i += size
	}
	return true
}

func needsEscape(r rune) bool {
	return (r >= 0x80 && r < 0xa0) || unicode.Is(unicode.Cf, r)
}
