package mimetext

import (
	"bytes"
	"encoding/base64"
	"fmt"
	"io"
	"mime"
	"strings"
	"unicode/utf8"

	"github.com/emersion/go-message/charset"
	"golang.org/x/text/encoding"
	"golang.org/x/text/encoding/htmlindex"
	"golang.org/x/text/encoding/ianaindex"
	"golang.org/x/text/encoding/japanese"
)

func init() {
	// Labels that Japanese mailers write but the WHATWG/IANA indexes behind
	// go-message's charset package do not know. Registering is global, but
	// it only adds aliases for encodings that are already there.
	for _, label := range []string{"cp932", "x-cp932", "windows-932", "ms_kanji"} {
		charset.RegisterEncoding(label, japanese.ShiftJIS)
		charsetAliases[label] = japanese.ShiftJIS
	}
	for _, label := range []string{"cp50220", "cp50221", "cp50222", "iso-2022-jp-1", "iso-2022-jp-2", "iso-2022-jp-3", "iso-2022-jp-ms"} {
		charset.RegisterEncoding(label, japanese.ISO2022JP)
		charsetAliases[label] = japanese.ISO2022JP
	}
}

// wordDecoder decodes RFC 2047 words. Its CharsetReader hands back a
// convertedText, whose WriteTo converts the (short) word in one piece: the
// stdlib copies a charset reader into a strings.Builder through a fresh 32
// KiB buffer unless the reader can write itself out, which for Japanese
// subjects of a dozen encoded words was most of the allocation of a whole
// analysis.
var wordDecoder = mime.WordDecoder{CharsetReader: func(label string, input io.Reader) (io.Reader, error) {
	enc, err := lookupCharset(label)
	if err != nil {
		return nil, err
	}
	return &convertedText{raw: input, enc: enc}, nil
}}

// charsetAliases are labels Japanese mailers write that the IANA and
// WHATWG indexes do not know.
var charsetAliases = map[string]encoding.Encoding{}

// lookupCharset finds the decoder for a MIME charset label the way
// go-message's charset package does (IANA, then "cs"+label, then WHATWG),
// after the Japanese aliases.
func lookupCharset(label string) (encoding.Encoding, error) {
	label = strings.ToLower(strings.TrimSpace(label))
	if enc, ok := charsetAliases[label]; ok {
		return enc, nil
	}
	if enc, err := ianaindex.MIME.Encoding(label); err == nil && enc != nil {
		return enc, nil
	}
	if enc, err := ianaindex.MIME.Encoding("cs" + label); err == nil && enc != nil {
		return enc, nil
	}
	enc, err := htmlindex.Get(label)
	if err != nil || enc == nil {
		return nil, fmt.Errorf("unknown charset %q", label)
	}
	return enc, nil
}

// DecodeHeaderText turns a raw header value into UTF-8. It decodes RFC 2047
// encoded words in any charset go-message knows, and also what Japanese
// mailers send without encoding: raw ISO-2022-JP escape sequences and raw
// 8-bit Shift_JIS or EUC-JP. Invalid bytes become U+FFFD; it never fails.
func DecodeHeaderText(raw string) string {
	s := decodeRawJapanese(raw)
	if strings.Contains(s, "=?") {
		s = joinAdjacentWords(s)
		if dec, err := wordDecoder.DecodeHeader(s); err == nil {
			s = dec
		}
	}
	return strings.ToValidUTF8(s, "\uFFFD")
}

// joinAdjacentWords merges neighbouring encoded words of the same charset
// and B encoding into one. Japanese mailers split an ISO-2022-JP or
// Shift_JIS string into encoded words at arbitrary byte boundaries, which
// decodes to garbage when each word is decoded on its own.
func joinAdjacentWords(s string) string {
	words := strings.Fields(s)
	if len(words) < 2 {
		return s
	}
	var (
		out             []string
		curCharset, buf string
		joined          bool
	)
	flush := func() {
		if curCharset != "" {
			out = append(out, "=?"+curCharset+"?B?"+b64encode(buf)+"?=")
			curCharset, buf = "", ""
		}
	}
	for _, w := range words {
		cs, raw, ok := splitBWord(w)
		if ok && cs == curCharset {
			buf += raw
			joined = true
			continue
		}
		flush()
		if ok {
			curCharset, buf = cs, raw
			continue
		}
		out = append(out, w)
	}
	flush()
	if !joined {
		return s
	}
	return strings.Join(out, " ")
}

// decodeRawJapanese decodes a header value that carries Japanese text
// without RFC 2047 encoding. Plain ASCII and valid UTF-8 come back as they
// are.
func decodeRawJapanese(s string) string {
	if strings.Contains(s, "\x1b$B") || strings.Contains(s, "\x1b$@") || strings.Contains(s, "\x1b(I") {
		if out, err := japanese.ISO2022JP.NewDecoder().String(s); err == nil {
			return out
		}
	}
	if utf8.ValidString(s) {
		return s
	}
	return decodeGuessJapanese([]byte(s))
}

// decodeGuessJapanese decodes 8-bit text whose charset is not declared,
// trying Shift_JIS (CP932) and EUC-JP and keeping the reading with fewer
// undecodable bytes; Shift_JIS wins ties, being what Windows mailers send.
func decodeGuessJapanese(b []byte) string {
	best, bestBad := "", -1
	for _, enc := range []encoding.Encoding{japanese.ShiftJIS, japanese.EUCJP} {
		out, err := io.ReadAll(enc.NewDecoder().Reader(bytes.NewReader(b)))
		if err != nil {
			continue
		}
		bad := strings.Count(string(out), "\uFFFD")
		if bestBad < 0 || bad < bestBad {
			best, bestBad = string(out), bad
		}
	}
	if bestBad < 0 {
		return strings.ToValidUTF8(string(b), "\uFFFD")
	}
	return best
}

// splitBWord recognises one B-encoded word "=?charset?B?data?=" (with an
// optional RFC 2231 language suffix on the charset) and returns its charset
// and decoded bytes.
func splitBWord(w string) (cs, raw string, ok bool) {
	if !strings.HasPrefix(w, "=?") || !strings.HasSuffix(w, "?=") || len(w) < 8 {
		return "", "", false
	}
	parts := strings.Split(w[2:len(w)-2], "?")
	if len(parts) != 3 || !strings.EqualFold(parts[1], "B") || parts[0] == "" {
		return "", "", false
	}
	data, err := b64decode(parts[2])
	if err != nil {
		return "", "", false
	}
	return parts[0], string(data), true
}

func b64decode(s string) ([]byte, error) {
	s = strings.TrimRight(s, "=")
	return base64.RawStdEncoding.DecodeString(s)
}

func b64encode(s string) string { return base64.StdEncoding.EncodeToString([]byte(s)) }
