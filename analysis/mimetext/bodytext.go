package mimetext

import (
	"io"
	"strings"
	"unicode/utf8"

	"golang.org/x/net/html"
)

// BodyText collects the text a person reads in a message: every body part
// of type text/plain, text/html or none (IsBodyText), converted to UTF-8
// from its declared charset, HTML flattened, one part after the other,
// within a bound on the bytes read. It is what PPAP pairing searches for
// passwords. The analysis collects it during its one read of a message,
// and pairing collects it again when it reads a message back; both go
// through Collect over the same bytes, so that they find the same
// passwords.
type BodyText struct {
	max, left int64
	b         strings.Builder
}

// NewBodyText returns a BodyText that reads at most max bytes of body
// parts, counted before conversion, and holds at most max bytes of text
// after it (a conversion may widen the text: replacement characters,
// UTF-16).
func NewBodyText(max int64) *BodyText { return &BodyText{max: max, left: max} }

// IsBodyText reports whether a part of media type ct that is not an
// attachment holds text that Collect reads.
func IsBodyText(ct string) bool { return ct == "text/plain" || ct == "text/html" || ct == "" }

// Collect reads body, a part's Body as go-message hands it, to its end
// through TransferDecoded (so that a transfer-decoding error is the
// error it returns, whatever the bound), and appends the text of its
// first bytes within the bound: converted from the part's charset as
// go-message would convert it, guessed as a header's text is when it is
// still not UTF-8 (undeclared or mislabelled Japanese), and flattened
// when isHTML.
func (t *BodyText) Collect(body io.Reader, isHTML bool) error {
	raw := TransferDecoded(body)
	var head []byte
	if t.left > 0 {
		var err error
		head, err = io.ReadAll(io.LimitReader(raw, t.left))
		t.left -= int64(len(head))
		if err != nil {
			return err
		}
	}
	_, err := io.Copy(io.Discard, raw)
	if len(head) == 0 {
		return err
	}
	s := string(head)
	if c, ok := body.(*convertedText); ok {
		if out, cerr := c.enc.NewDecoder().String(s); cerr == nil {
			s = out
		}
	}
	if !utf8.ValidString(s) || strings.Contains(s, "\x1b$") {
		s = DecodeHeaderText(s)
	}
	if isHTML {
		s = htmlText(s)
	}
	room := t.max - int64(t.b.Len())
	if room <= 0 {
		return err
	}
	if int64(len(s)) >= room {
		s = strings.ToValidUTF8(s[:room-1], "") // a rune cut in two is dropped
	}
	t.b.WriteString(s)
	t.b.WriteString("\n")
	return err
}

// String returns the text collected so far.
func (t *BodyText) String() string { return t.b.String() }

// blockTags end a line of text when HTML is flattened.
var blockTags = map[string]bool{"p": true, "br": true, "div": true, "tr": true, "li": true, "td": true,
	"h1": true, "h2": true, "h3": true, "h4": true, "table": true, "blockquote": true, "pre": true}

// htmlText flattens HTML to text: tags dropped, entities decoded, block
// elements on lines of their own, scripts and styles left out.
func htmlText(s string) string {
	z := html.NewTokenizer(strings.NewReader(s))
	var b strings.Builder
	skip := 0
	for {
		switch z.Next() {
		case html.ErrorToken:
			return b.String()
		case html.TextToken:
			if skip == 0 {
				b.Write(z.Text())
			}
		case html.StartTagToken, html.SelfClosingTagToken, html.EndTagToken:
			name, _ := z.TagName()
			tag := string(name)
			if tag == "script" || tag == "style" {
				if t := z.Token().Type; t == html.StartTagToken {
					skip++
				} else if t == html.EndTagToken && skip > 0 {
					skip--
				}
			}
			if blockTags[tag] {
				b.WriteByte('\n')
			}
		}
	}
}
