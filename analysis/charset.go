package analysis

import (
	"regexp"

	"github.com/emersion/go-message"

	"mxaudit/analysis/mimetext"
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

// decodeHeaderIn decodes raw header text of the message whose header is
// h in the charset h declares (mimetext.DecodeHeaderTextIn), looking that
// up only for the raw 8-bit text it decides: parsing Content-Type and
// searching five fields for an encoded word was about a fortieth of
// an analysis, for nearly every message in vain.
func decodeHeaderIn(raw string, h message.Header) string {
	charset := ""
	if mimetext.DecidedByDeclaredCharset(raw) {
		charset = declaredCharset(h)
	}
	return mimetext.DecodeHeaderTextIn(raw, charset)
}
