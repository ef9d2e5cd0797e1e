package demo

import (
	"bytes"
	"strings"
)

// field is one header field; Value is already in wire form (encoded,
// folded with CRLF + whitespace where long).
type field struct {
	Name  string
	Value string
}

// part is a MIME entity under construction: a leaf with an encoded body,
// or a multipart with children.
type part struct {
	Header   []field
	Body     []byte // leaf body in its transfer encoding, CRLF line ends
	Parts    []*part
	Boundary string
}

// render writes the entity: header, blank line, body.
func (p *part) render(buf *bytes.Buffer) {
	for _, f := range p.Header {
		buf.WriteString(f.Name)
		buf.WriteString(": ")
		buf.WriteString(f.Value)
		buf.WriteString("\r\n")
	}
	buf.WriteString("\r\n")
	if p.Parts == nil {
		buf.Write(p.Body)
		return
	}
	buf.WriteString("This is a multi-part message in MIME format.\r\n")
	for _, c := range p.Parts {
		buf.WriteString("\r\n--" + p.Boundary + "\r\n")
		c.render(buf)
		trimFinalCRLF(buf)
	}
	buf.WriteString("\r\n--" + p.Boundary + "--\r\n")
}

// trimFinalCRLF drops one CRLF at the end of buf: it belongs to the next
// boundary delimiter (RFC 2046 §5.1.1), which brings its own.
func trimFinalCRLF(buf *bytes.Buffer) {
	if bytes.HasSuffix(buf.Bytes(), []byte("\r\n")) {
		buf.Truncate(buf.Len() - 2)
	}
}

// textBody is a text part's content and how to put it on the wire.
type textBody struct {
	Text    string // UTF-8 with LF line ends
	Charset string // MIME charset; "" is UTF-8
	// CTE is the transfer encoding: "7bit", "8bit", "base64" or
	// "quoted-printable"; "" picks the usual one for the charset.
	CTE string
	// NoCharset leaves the charset parameter out of Content-Type, as some
	// old Japanese mailers did for ISO-2022-JP.
	NoCharset bool
	HTML      bool
}

// leaf renders the text as a MIME leaf.
func (t textBody) leaf() *part {
	cs := t.Charset
	if cs == "" {
		cs = csUTF8
	}
	cte := t.CTE
	if cte == "" {
		switch cs {
		case csISO2022:
			cte = "7bit"
		case csUTF8:
			cte = "base64"
		case csEUCJP:
			cte = "8bit"
		default:
			cte = "base64"
		}
	}
	raw := encodeCharset(cs, crlf(t.Text))
	var body []byte
	switch cte {
	case "base64":
		body = base64Lines(raw)
	case "quoted-printable":
		body = quotedPrintable(raw)
		if !bytes.HasSuffix(body, []byte("\r\n")) {
			body = append(body, "\r\n"...)
		}
	default:
		body = raw
		if !bytes.HasSuffix(body, []byte("\r\n")) {
			body = append(body, "\r\n"...)
		}
	}
	ct := "text/plain"
	if t.HTML {
		ct = "text/html"
	}
	if !t.NoCharset {
		ct += "; charset=" + cs
	}
	return &part{Header: []field{
		{"Content-Type", ct},
		{"Content-Transfer-Encoding", cte},
	}, Body: body}
}

// nameForm is how an attachment's file name is written in the header.
type nameForm int

const (
	nameASCII       nameForm = iota // plain quoted string
	nameRFC2231                     // filename*=UTF-8''%E8%AB%8B...
	nameRFC2047UTF8                 // filename="=?UTF-8?B?...?=" (Outlook, Gmail)
	nameRFC2047JIS                  // name="=?ISO-2022-JP?B?...?=" (Japanese mailers)
	nameRaw                         // the name's bytes as they are, unencoded
)

// attachmentPart renders a base64 attachment with its name in the given form.
func attachmentPart(contentType, name string, form nameForm, data []byte) *part {
	var ctParam, cdParam string
	switch form {
	case nameRFC2231:
		ctParam = "; name=\"" + encodedWords(csUTF8, name) + "\""
		cdParam = ";\r\n\t" + rfc2231Filename("filename", name)
	case nameRFC2047UTF8:
		w := encodedWords(csUTF8, name)
		ctParam = ";\r\n\tname=\"" + w + "\""
		cdParam = ";\r\n\tfilename=\"" + w + "\""
	case nameRFC2047JIS:
		w := encodedWords(csISO2022, name)
		ctParam = ";\r\n\tname=\"" + w + "\""
		cdParam = ";\r\n\tfilename=\"" + w + "\""
	default:
		q := "\"" + strings.ReplaceAll(name, "\"", "\\\"") + "\""
		ctParam = "; name=" + q
		cdParam = ";\r\n\tfilename=" + q
	}
	return &part{Header: []field{
		{"Content-Type", contentType + ctParam},
		{"Content-Disposition", "attachment" + cdParam},
		{"Content-Transfer-Encoding", "base64"},
	}, Body: base64Lines(data)}
}
