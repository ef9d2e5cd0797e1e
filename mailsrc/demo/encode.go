package demo

import (
	"encoding/base64"
	"fmt"
	"mime/quotedprintable"
	"strings"

	"golang.org/x/text/encoding"
	"golang.org/x/text/encoding/japanese"
)

// Charsets the demo writes, by their MIME names.
const (
	csUTF8     = "UTF-8"
	csISO2022  = "ISO-2022-JP"
	csShiftJIS = "Shift_JIS"
	csEUCJP    = "EUC-JP"
)

// charsetEncoder returns the encoder for a MIME charset name; nil means
// UTF-8, which needs none.
func charsetEncoder(cs string) *encoding.Encoder {
	switch cs {
	case csISO2022:
		return japanese.ISO2022JP.NewEncoder()
	case csShiftJIS:
		return japanese.ShiftJIS.NewEncoder()
	case csEUCJP:
		return japanese.EUCJP.NewEncoder()
	}
	return nil
}

// encodeCharset converts UTF-8 text to charset cs. The demo's texts are
// chosen to be representable; a failure is a bug in a sample and panics
// so that every test notices.
func encodeCharset(cs, s string) []byte {
	enc := charsetEncoder(cs)
	if enc == nil {
		return []byte(s)
	}
	b, err := enc.String(s)
	if err != nil {
		panic(fmt.Sprintf("demo: %q not representable in %s: %v", s, cs, err))
	}
	return []byte(b)
}

// encodedWords encodes s as RFC 2047 B-encoded words in charset cs, each
// at most 75 characters, joined by a folding CRLF SP. Each word holds whole
// characters and, for ISO-2022-JP, returns to ASCII at its end, as RFC 1468
// requires.
func encodedWords(cs, s string) string {
	if s == "" {
		return ""
	}
	prefix := "=?" + cs + "?B?"
	budget := 75 - len(prefix) - 2
	var words []string
	var chunk []rune
	flush := func() {
		if len(chunk) > 0 {
			words = append(words, prefix+base64.StdEncoding.EncodeToString(encodeCharset(cs, string(chunk)))+"?=")
			chunk = chunk[:0]
		}
	}
	for _, r := range s {
		next := append(append([]rune{}, chunk...), r)
		if base64.StdEncoding.EncodedLen(len(encodeCharset(cs, string(next)))) > budget {
			flush()
		}
		chunk = append(chunk, r)
	}
	flush()
	return strings.Join(words, "\r\n ")
}

// headerText returns s as a header value: unchanged when it is printable
// ASCII, else as encoded words in cs.
func headerText(cs, s string) string {
	for i := 0; i < len(s); i++ {
		if s[i] >= 0x80 || s[i] < 0x20 {
			if cs == "" {
				cs = csUTF8
			}
			return encodedWords(cs, s)
		}
	}
	return s
}

// addr is a mailbox: a display name and an address.
type addr struct {
	Name    string
	Address string
}

// format renders the mailbox with its display name encoded in cs.
func (a addr) format(cs string) string {
	if a.Name == "" {
		return a.Address
	}
	name := headerText(cs, a.Name)
	if name == a.Name && strings.ContainsAny(name, `,.;:"()<>@[]\`) {
		name = `"` + strings.ReplaceAll(name, `"`, `\"`) + `"`
	}
	return name + " <" + a.Address + ">"
}

// domain returns the lower-cased domain of the address.
func (a addr) domain() string {
	_, d, _ := strings.Cut(a.Address, "@")
	return strings.ToLower(d)
}

// addrList renders a comma-separated address list, one per folded line.
func addrList(cs string, as []addr) string {
	parts := make([]string, len(as))
	for i, a := range as {
		parts[i] = a.format(cs)
	}
	return strings.Join(parts, ",\r\n ")
}

// crlf turns the LF line ends of the demo's source texts into CRLF.
func crlf(s string) string {
	return strings.ReplaceAll(strings.ReplaceAll(s, "\r\n", "\n"), "\n", "\r\n")
}

// base64Lines encodes b as base64 in 76-character CRLF-terminated lines.
func base64Lines(b []byte) []byte {
	enc := base64.StdEncoding.EncodeToString(b)
	out := make([]byte, 0, len(enc)+len(enc)/76*2+2)
	for len(enc) > 76 {
		out = append(out, enc[:76]...)
		out = append(out, "\r\n"...)
		enc = enc[76:]
	}
	out = append(out, enc...)
	return append(out, "\r\n"...)
}

// quotedPrintable encodes CRLF text as quoted-printable.
func quotedPrintable(b []byte) []byte {
	var sb strings.Builder
	w := quotedprintable.NewWriter(&sb)
	w.Write(b) // a strings.Builder never fails
	w.Close()
	return []byte(sb.String())
}

// rfc2231Filename renders a filename parameter in RFC 2231 extended form,
// split into continuations when long, as Thunderbird and Gmail do.
func rfc2231Filename(param, name string) string {
	var sb strings.Builder
	for i := 0; i < len(name); i++ {
		c := name[i]
		if c < 0x80 && (c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z' || c >= '0' && c <= '9' || strings.IndexByte("-._~", c) >= 0) {
			sb.WriteByte(c)
		} else {
			fmt.Fprintf(&sb, "%%%02X", c)
		}
	}
	esc := sb.String()
	if len(esc) <= 60 {
		return param + "*=UTF-8''" + esc
	}
	var parts []string
	for i := 0; len(esc) > 0; i++ {
		n := min(60, len(esc))
		// never cut a %XX escape in half
		if p := strings.LastIndexByte(esc[:n], '%'); p >= 0 && p > n-3 {
			n = p
		}
		chunk := esc[:n]
		esc = esc[n:]
		if i == 0 {
			parts = append(parts, fmt.Sprintf("%s*0*=UTF-8''%s", param, chunk))
		} else {
			parts = append(parts, fmt.Sprintf("%s*%d*=%s", param, i, chunk))
		}
	}
	return strings.Join(parts, ";\r\n\t")
}
