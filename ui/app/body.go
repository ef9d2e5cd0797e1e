package app

import (
	"errors"
	"fmt"
	"io"
	"strings"

	"github.com/emersion/go-message"
	_ "github.com/emersion/go-message/charset" // text parts in any charset: ISO-2022-JP, Shift_JIS, EUC-JP…
	"golang.org/x/net/html"

	"mxaudit/analysis/mimetext"
)

// Body is a message as a person reads it: the text of its first
// text/plain part (or its first text/html part rendered to text), in
// UTF-8, and the list of its attachments. Nothing here is sanitised:
// the screen does that.
type Body struct {
	Text string
	// FromHTML is set when the text was rendered from HTML.
	FromHTML bool
	// Attachments name the other parts: "report.zip (application/zip, 5120 bytes)".
	Attachments []string
}

// maxBodyText bounds the text kept of one part.
const maxBodyText = 4 << 20

// DecodeBody reads a raw message and returns its readable body. Broken
// MIME gives what could be read and the error.
func DecodeBody(r io.Reader) (Body, error) {
	var b Body
	e, err := message.Read(r)
	if e == nil {
		return b, err
	}
	var plain, htmlText string
	walkErr := walk(e, &b, &plain, &htmlText)
	switch {
	case plain != "":
		b.Text = plain
	case htmlText != "":
		b.Text, b.FromHTML = HTMLToText(htmlText), true
	}
	if walkErr != nil {
		return b, walkErr
	}
	if err != nil && !message.IsUnknownCharset(err) && !message.IsUnknownEncoding(err) {
		return b, err
	}
	return b, nil
}

// walk visits the parts depth first, keeping the first text/plain and
// text/html bodies and naming the attachments.
func walk(e *message.Entity, b *Body, plain, htmlText *string) error {
	if mr := e.MultipartReader(); mr != nil {
		for {
			p, err := mr.NextPart()
			if errors.Is(err, io.EOF) {
				return nil
			}
			if p == nil {
				return err
			}
			if err := walk(p, b, plain, htmlText); err != nil {
				return err
			}
		}
	}
	ct, params, _ := e.Header.ContentType()
	disp, dparams, _ := e.Header.ContentDisposition()
	name := dparams["filename"]
	if name == "" {
		name = params["name"]
	}
	if disp == "attachment" || name != "" || !(ct == "" || strings.HasPrefix(ct, "text/")) {
		// The size the recipient's client saves (see ExtractPart).
		n, _ := io.Copy(io.Discard, mimetext.TransferDecoded(e.Body))
		if name == "" {
			name = "(unnamed)"
		}
		b.Attachments = append(b.Attachments, fmt.Sprintf("%s (%s, %d bytes)", name, orText(ct, "application/octet-stream"), n))
		return nil
	}
	data, err := io.ReadAll(io.LimitReader(e.Body, maxBodyText))
	switch {
	case ct == "text/html" && *htmlText == "":
		*htmlText = string(data)
	case ct != "text/html" && *plain == "":
		*plain = string(data)
	}
	return err
}

func orText(s, alt string) string {
	if s == "" {
		return alt
	}
	return s
}

// HTMLToText renders HTML as plain text: scripts and styles dropped,
// blocks and <br> on their own lines, links followed by their target in
// angle brackets (a phishing link shows where it goes), entities
// decoded, runs of blanks folded.
func HTMLToText(src string) string {
	z := html.NewTokenizer(strings.NewReader(src))
	var out strings.Builder
	skip := 0
	var href string
	newline := func() {
		s := out.String()
		if s != "" && !strings.HasSuffix(s, "\n") {
			out.WriteByte('\n')
		}
	}
	for {
		switch z.Next() {
		case html.ErrorToken:
			return strings.TrimSpace(foldBlankLines(out.String())) + "\n"
		case html.TextToken:
			if skip == 0 {
				text := strings.Join(strings.Fields(string(z.Text())), " ")
				if text != "" {
					s := out.String()
					if s != "" && !strings.HasSuffix(s, "\n") && !strings.HasSuffix(s, " ") {
						out.WriteByte(' ')
					}
					out.WriteString(text)
				}
			}
		case html.StartTagToken, html.SelfClosingTagToken:
			name, hasAttr := z.TagName()
			tag := string(name)
			switch tag {
			case "script", "style", "head", "title":
				skip++
			case "br", "p", "div", "tr", "li", "h1", "h2", "h3", "h4", "h5", "h6", "table", "blockquote", "hr":
				newline()
				if tag == "li" {
					out.WriteString("- ")
				}
			case "a":
				href = ""
				for hasAttr {
					var k, v []byte
					k, v, hasAttr = z.TagAttr()
					if string(k) == "href" {
						href = string(v)
					}
				}
			}
		case html.EndTagToken:
			name, _ := z.TagName()
			switch tag := string(name); tag {
			case "script", "style", "head", "title":
				if skip > 0 {
					skip--
				}
			case "p", "div", "tr", "table", "blockquote", "h1", "h2", "h3", "h4", "h5", "h6":
				newline()
			case "a":
				if href != "" && !strings.HasPrefix(href, "#") {
					out.WriteString(" <" + href + ">")
				}
				href = ""
			}
		}
	}
}

// foldBlankLines trims each line and keeps at most one blank line in a
// row.
func foldBlankLines(s string) string {
	var out []string
	blank := false
	for _, l := range strings.Split(s, "\n") {
		l = strings.TrimSpace(l)
		if l == "" {
			if blank {
				continue
			}
			blank = true
		} else {
			blank = false
		}
		out = append(out, l)
	}
	return strings.Join(out, "\n")
}

// DecodeHeaders returns a header section with its folded lines joined and
// every value decoded to UTF-8 (RFC 2047 words, raw ISO-2022-JP,
// Shift_JIS, EUC-JP), one header per line, for the header viewer's
// decoded mode.
func DecodeHeaders(raw []byte) string {
	var out strings.Builder
	var cur string
	flush := func() {
		if cur == "" {
			return
		}
		name, value, ok := strings.Cut(cur, ":")
		if ok {
			out.WriteString(name + ": " + mimetext.DecodeHeaderText(strings.TrimSpace(value)) + "\n")
		} else {
			out.WriteString(cur + "\n")
		}
		cur = ""
	}
	for _, line := range strings.Split(strings.ReplaceAll(string(raw), "\r\n", "\n"), "\n") {
		if line == "" {
			break // the end of the header section
		}
		if line[0] == ' ' || line[0] == '\t' {
			cur += " " + strings.TrimSpace(line)
			continue
		}
		flush()
		cur = line
	}
	flush()
	return out.String()
}
