package ppap

import (
	"bufio"
	"context"
	"fmt"
	"io"
	"strings"
	"unicode/utf8"

	"github.com/emersion/go-message"
	_ "github.com/emersion/go-message/charset" // text parts in any charset
	"golang.org/x/net/html"

	"mxaudit/analysis/mimetext"
	"mxaudit/model"
)

// Opener returns the raw bytes of one message of the source being paired;
// mailsrc.Source's Open method is one.
type Opener func(ctx context.Context, id model.MessageID) (io.ReadCloser, error)

// maxMIMEDepth matches the analyzer's bound on MIME nesting.
const maxMIMEDepth = 32

// mail is what pairing reads back from a message: its text (subject and
// every plain or HTML body part, tags stripped, bounded) and the bytes of
// the attachments asked for.
type mail struct {
	subject string
	text    strings.Builder
	// atts holds the decoded bytes of the attachments asked for, by their
	// index in model.Message.Attachments.
	atts map[int][]byte

	wantText bool
	want     map[int]bool
	textLeft int64
	attMax   int64
	attIndex int
}

// readMail opens id and reads its text (when wantText) and the attachments
// whose indexes are in want, each up to attMax bytes. It walks the MIME
// tree as the analyzer does, so that attachment indexes agree with
// model.Message.Attachments.
func readMail(ctx context.Context, open Opener, id model.MessageID, wantText bool, want map[int]bool, textMax, attMax int64) (*mail, error) {
	rc, err := open(ctx, id)
	if err != nil {
		return nil, err
	}
	defer rc.Close()
	m := &mail{atts: map[int][]byte{}, wantText: wantText, want: want, textLeft: textMax, attMax: attMax}
	br := bufio.NewReaderSize(rc, 4096)
	if head, _ := br.Peek(5); string(head) == "From " {
		_, _ = br.ReadSlice('\n') // an mbox envelope line, as the analyzer skips it
	}
	ent, err := message.Read(br)
	if ent == nil {
		return nil, fmt.Errorf("message %s cannot be parsed: %v", id, err)
	}
	m.subject = mimetext.DecodeHeaderText(ent.Header.Get("Subject"))
	m.walk(ent, 0)
	return m, nil
}

func (m *mail) walk(e *message.Entity, depth int) {
	if depth > maxMIMEDepth {
		return
	}
	if mr := e.MultipartReader(); mr != nil {
		for {
			part, err := mr.NextPart()
			if err == io.EOF || (err != nil && part == nil) {
				return
			}
			m.walk(part, depth+1)
		}
	}
	m.leaf(e, depth)
}

// leaf mirrors the analyzer's leaf: attached messages are walked, files
// are counted (and kept when asked for), body text is collected.
func (m *mail) leaf(e *message.Entity, depth int) {
	ctype := e.Header.Get("Content-Type")
	ct := mimetext.MediaType(ctype)
	cd := e.Header.Get("Content-Disposition")
	named := mimetext.HasParam(cd, "filename") || mimetext.HasParam(ctype, "name")

	if (ct == "message/rfc822" || ct == "message/global") && depth > 0 {
		inner, err := message.Read(e.Body)
		if err != nil && inner == nil {
			return
		}
		m.walk(inner, depth+1)
		return
	}
	if !isAttachment(ct, mimetext.MediaType(cd), named) {
		if m.wantText && (ct == "text/plain" || ct == "text/html" || ct == "") && m.textLeft > 0 {
			m.addText(e.Body, ct == "text/html")
		}
		return
	}
	i := m.attIndex
	m.attIndex++
	if !m.want[i] {
		return
	}
	b, err := io.ReadAll(io.LimitReader(mimetext.TransferDecoded(e.Body), m.attMax+1))
	if int64(len(b)) > m.attMax {
		return // too large to decrypt; the analyzer reported it already
	}
	if err == nil || len(b) > 0 {
		m.atts[i] = b
	}
}

// addText appends one body part's text, decoded and bounded.
func (m *mail) addText(body io.Reader, isHTML bool) {
	b, _ := io.ReadAll(io.LimitReader(body, m.textLeft))
	m.textLeft -= int64(len(b))
	s := string(b)
	if !utf8.ValidString(s) || strings.Contains(s, "\x1b$") {
		// Undeclared or mislabelled Japanese charsets: the analyzer's
		// header decoder guesses them the same way.
		s = mimetext.DecodeHeaderText(s)
	}
	if isHTML {
		s = htmlText(s)
	}
	m.text.WriteString(s)
	m.text.WriteString("\n")
}

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

// isAttachment is the analyzer's rule: a named part or one with an
// attachment disposition is a file; unnamed text and images are body.
func isAttachment(ct, disposition string, named bool) bool {
	switch {
	case disposition == "attachment", named:
		return true
	case strings.HasPrefix(ct, "text/"), strings.HasPrefix(ct, "image/"), ct == "":
		return false
	case strings.HasPrefix(ct, "multipart/"), strings.HasPrefix(ct, "message/"):
		return false
	}
	return true
}
