package analysis

import (
	"regexp"
	"strings"
	"unicode/utf8"

	"github.com/emersion/go-message"
)

// Raw 8-bit header text is decoded in a charset the message itself
// declares before any guess: the top-level Content-Type's charset, or
// the charset of an encoded word in another header. Only without one is
// it guessed as Japanese (Shift_JIS or EUC-JP). A Latin-1 subject in a
// message that says windows-1252 is not Shift_JIS (issue 15, item 8).

// encodedWordCharset finds the charset of an RFC 2047 encoded word.
var encodedWordCharset = regexp.MustCompile(`=\?([A-Za-z0-9_.:+-]+)(?:\*[A-Za-z-]+)?\?[BbQq]\?`)

// declaredCharset returns the charset the header h declares, or "".
func declaredCharset(h message.Header) string {
	if _, params, err := h.ContentType(); err == nil && params["charset"] != "" {
		return params["charset"]
	}
	for _, name := range []string{"From", "Subject", "To", "Cc", "Reply-To"} {
		if m := encodedWordCharset.FindStringSubmatch(h.Get(name)); m != nil {
			return m[1]
		}
	}
	return ""
}

// decodeHeaderIn is DecodeHeaderText for a message that declared
// charset: raw 8-bit text that is neither UTF-8 nor ISO-2022-JP is
// decoded in charset when it is known.
func decodeHeaderIn(raw, charset string) string {
	if charset == "" || utf8.ValidString(raw) || strings.Contains(raw, "\x1b") {
		return DecodeHeaderText(raw)
	}
	enc, err := lookupCharset(charset)
	if err != nil {
		return DecodeHeaderText(raw)
	}
	out, err := enc.NewDecoder().String(raw)
	if err != nil || strings.ContainsRune(out, utf8.RuneError) {
		// The declaration does not explain the bytes (a 7-bit charset
		// declared, Shift_JIS sent): the Japanese guess decides.
		return DecodeHeaderText(raw)
	}
	return DecodeHeaderText(out)
}
