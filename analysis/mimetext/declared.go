package mimetext

import (
	"strings"
	"unicode/utf8"
)

// DecodeHeaderTextIn is DecodeHeaderText for a message that declared
// charset: raw 8-bit text that is neither UTF-8 nor ISO-2022-JP is
// decoded in charset when it is known, before any Japanese guess (a
// Latin-1 subject in a message that says windows-1252 is not Shift_JIS).
func DecodeHeaderTextIn(raw, charset string) string {
	if charset == "" || !DecidedByDeclaredCharset(raw) {
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

// DecidedByDeclaredCharset reports whether DecodeHeaderTextIn reads raw
// in the charset it is given: raw 8-bit text that is neither UTF-8 nor
// ISO-2022-JP (escape sequences). For any other text the charset is not
// needed, and a caller may leave it "" rather than look it up.
func DecidedByDeclaredCharset(raw string) bool {
	return !utf8.ValidString(raw) && !strings.Contains(raw, "\x1b")
}
