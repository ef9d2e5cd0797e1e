package app

import (
	"bytes"
	"encoding/base64"
	"fmt"
	"mime"
	"mime/quotedprintable"
	"net/mail"
	"strings"
	"time"

	"golang.org/x/text/encoding/japanese"
)

// NoticeHeaders are the header fields of a notice besides its subject.
type NoticeHeaders struct {
	From      mail.Address
	To        mail.Address
	Cc        []string
	Date      time.Time
	MessageID string // with angle brackets
	// InReplyTo is the held message's Message-ID: the partner's mail
	// program shows the notice in the same thread.
	InReplyTo string
}

// EncodeNotice builds the RFC 5322 message of a draft: a new message
// (never the held one), text/plain in the draft's charset. ISO-2022-JP,
// as Japanese business mail expects, is written 7bit with RFC 2047
// encoded words that each end in ASCII; text the charset cannot carry
// makes the whole message UTF-8 instead (quoted-printable), never a
// damaged one. It returns the message and the charset used.
func EncodeNotice(dr Draft, h NoticeHeaders) ([]byte, string) {
	charset := dr.Charset
	var body []byte
	if charset == "ISO-2022-JP" {
		enc, err := japanese.ISO2022JP.NewEncoder().String(crlf(dr.Body))
		if err != nil || !iso2022Safe(dr.Subject, h) {
			charset = "UTF-8"
		} else {
			body = []byte(enc)
		}
	}
	cte := "7bit"
	if charset == "UTF-8" {
		body = []byte(crlf(dr.Body))
		if !isASCII(dr.Body) {
			var qp bytes.Buffer
			w := quotedprintable.NewWriter(&qp)
			w.Write(body)
			w.Close()
			body, cte = qp.Bytes(), "quoted-printable"
		}
	}
	var b bytes.Buffer
	field := func(name, value string) { fmt.Fprintf(&b, "%s: %s\r\n", name, value) }
	field("From", address(h.From, charset))
	field("To", address(h.To, charset))
	if len(h.Cc) > 0 {
		field("Cc", strings.Join(h.Cc, ", "))
	}
	field("Subject", fold(encodeWords(dr.Subject, charset), len("Subject: ")))
	field("Date", h.Date.Format(time.RFC1123Z))
	field("Message-ID", h.MessageID)
	if h.InReplyTo != "" {
		field("In-Reply-To", h.InReplyTo)
		field("References", h.InReplyTo)
	}
	field("MIME-Version", "1.0")
	field("Content-Type", "text/plain; charset="+charset)
	field("Content-Transfer-Encoding", cte)
	b.WriteString("\r\n")
	b.Write(body)
	if !bytes.HasSuffix(body, []byte("\r\n")) {
		b.WriteString("\r\n")
	}
	return b.Bytes(), charset
}

// iso2022Safe reports whether the subject and display names can be
// written in ISO-2022-JP.
func iso2022Safe(subject string, h NoticeHeaders) bool {
	for _, s := range []string{subject, h.From.Name, h.To.Name} {
		if _, err := japanese.ISO2022JP.NewEncoder().String(s); err != nil {
			return false
		}
	}
	return true
}

// address writes "Name <addr>" with the name as encoded words when it is
// not plain ASCII.
func address(a mail.Address, charset string) string {
	if a.Name == "" || isASCII(a.Name) {
		return a.String()
	}
	return encodeWords(a.Name, charset) + "\r\n <" + a.Address + ">"
}

// maxWordBytes keeps an encoded word of ISO-2022-JP within 62
// characters ("=?ISO-2022-JP?B?" and "?=" take 18, base64 of 33 bytes
// 44), so that even the first one, after "Subject: ", stays within the
// 78 characters a line should keep to (RFC 5322 §2.1.1).
const maxWordBytes = 33

// encodeWords encodes s as RFC 2047 B words folded onto lines, or returns
// it as is when it is ASCII. For ISO-2022-JP every word is encoded on its
// own, so that each starts and ends in ASCII mode and no escape sequence
// is cut between two words; mime's encoder splits bytes, not characters,
// for charsets other than UTF-8.
func encodeWords(s, charset string) string {
	if isASCII(s) {
		return s
	}
	if charset != "ISO-2022-JP" {
		return strings.ReplaceAll(mime.BEncoding.Encode("UTF-8", s), " =?", "\r\n =?")
	}
	var words []string
	runes := []rune(s)
	for start := 0; start < len(runes); {
		end, chunk := start+1, ""
		for end <= len(runes) {
			enc, _ := japanese.ISO2022JP.NewEncoder().String(string(runes[start:end]))
			if len(enc) > maxWordBytes && end > start+1 {
				break
			}
			chunk = enc
			end++
		}
		words = append(words, "=?ISO-2022-JP?B?"+base64.StdEncoding.EncodeToString([]byte(chunk))+"?=")
		start = end - 1
	}
	return strings.Join(words, "\r\n ")
}

// fold breaks a plain-text header value at spaces so that no line is
// longer than 78 characters; indent is what precedes it on the first
// line. Encoded words are already on lines of their own.
func fold(v string, indent int) string {
	if strings.Contains(v, "\r\n") {
		return v
	}
	var b strings.Builder
	line := indent
	for i, w := range strings.Split(v, " ") {
		switch {
		case i == 0:
		case line+1+len(w) > 78:
			b.WriteString("\r\n")
			line = 0
			fallthrough
		default:
			b.WriteByte(' ')
			line++
		}
		b.WriteString(w)
		line += len(w)
	}
	return b.String()
}

func isASCII(s string) bool {
	for i := 0; i < len(s); i++ {
		if s[i] >= 0x80 {
			return false
		}
	}
	return true
}

// crlf makes every line end in CRLF.
func crlf(s string) string {
	return strings.ReplaceAll(strings.ReplaceAll(s, "\r\n", "\n"), "\n", "\r\n")
}
