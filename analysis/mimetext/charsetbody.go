package mimetext

import (
	"bytes"
	"errors"
	"fmt"
	"io"
	"strings"
	"sync"

	"github.com/emersion/go-message"
	"golang.org/x/text/encoding"
	"golang.org/x/text/encoding/charmap"
	"golang.org/x/text/encoding/htmlindex"
	"golang.org/x/text/encoding/ianaindex"
	"golang.org/x/text/encoding/unicode"
)

// go-message converts the body of every text/* part from its declared
// charset as it builds the part (message.New), through the package-wide
// message.CharsetReader. That is right for text a person reads and wrong
// for a text/* part that is an attachment: a mail client saves the bytes
// with only the transfer encoding undone, so a ZIP sent as
// "text/plain; charset=windows-1252" is a ZIP on the recipient's disk,
// while the converted body the analyzer used to read is mangled (every
// byte above 0x7F widened to two): its archive listed wrong, its password
// never proved, its content hidden from the scanners.
//
// mxaudit therefore installs its own CharsetReader. It finds the encoding
// exactly as go-message/charset.Reader does, so the same labels are
// accepted and refused, but defers the conversion to the first Read and
// keeps the unconverted reader, which TransferDecoded hands back to a
// reader that wants the file's bytes. Deferring also saves the converter's
// 8 KiB of buffers for a body nobody reads as text, and WriteTo converts a
// header's encoded word without io.Copy's 32 KiB buffer; both were a large
// share of what an analysis allocated.
func init() {
	message.CharsetReader = charsetBody
}

// goMessageCharsets mirrors go-message/charset's own table: the two labels
// it adds to the indexes, and the Japanese aliases registered in this
// package's init (charset.RegisterEncoding), which are in charsetAliases.
var goMessageCharsets = map[string]encoding.Encoding{
	"ansi_x3.110-1983": charmap.ISO8859_1,
	"x-utf_8j":         unicode.UTF8,
}

// goMessageEncoding finds a charset label's encoding in the order
// go-message/charset.Reader does: its table, the IANA index, "cs"+label
// in the IANA index, then the WHATWG index.
func goMessageEncoding(label string) (encoding.Encoding, error) {
	lower := strings.ToLower(label)
	if enc, ok := goMessageCharsets[lower]; ok {
		return enc, nil
	}
	if enc, ok := charsetAliases[lower]; ok {
		return enc, nil
	}
	enc, err := ianaindex.MIME.Encoding(label)
	if enc == nil {
		enc, err = ianaindex.MIME.Encoding("cs" + label)
	}
	if enc == nil {
		enc, err = htmlindex.Get(label)
	}
	if err != nil {
		return nil, fmt.Errorf("charset %q: %v", label, err)
	}
	if enc == nil {
		return nil, fmt.Errorf("charset %q: unsupported charset", label)
	}
	return enc, nil
}

// charsetBody is mxaudit's message.CharsetReader.
func charsetBody(label string, input io.Reader) (io.Reader, error) {
	enc, err := goMessageEncoding(label)
	if err != nil {
		return nil, err
	}
	return &convertedText{raw: input, enc: enc}, nil
}

// convertedText is a text part's body converted to UTF-8 on reading, with
// the unconverted body kept for TransferDecoded.
type convertedText struct {
	raw io.Reader
	enc encoding.Encoding
	dec io.Reader // made at the first Read
	// used is set once any of raw has been read as text, after which
	// TransferDecoded cannot hand out the file's bytes.
	used bool
}

func (c *convertedText) Read(p []byte) (int, error) {
	c.used = true
	if c.dec == nil {
		c.dec = c.enc.NewDecoder().Reader(c.raw)
	}
	return c.dec.Read(p)
}

// eagerLimit bounds the text WriteTo converts in one piece: the content of
// a header's encoded word, which mime.WordDecoder hands over whole in a
// bytes.Reader.
const eagerLimit = 64 << 10

// copyBuffers are the buffers WriteTo streams longer text through.
var copyBuffers = sync.Pool{New: func() any { b := make([]byte, 8<<10); return &b }}

// WriteTo writes the converted text to w. mime.WordDecoder copies every
// encoded word it converts into a strings.Builder; without WriteTo io.Copy
// would allocate 32 KiB for each.
func (c *convertedText) WriteTo(w io.Writer) (int64, error) {
	c.used = true
	if br, ok := c.raw.(*bytes.Reader); ok && c.dec == nil && br.Len() <= eagerLimit {
		in := make([]byte, br.Len())
		if _, err := io.ReadFull(br, in); err != nil {
			return 0, err
		}
		out, err := c.enc.NewDecoder().Bytes(in)
		if err != nil {
			return 0, err
		}
		n, err := w.Write(out)
		return int64(n), err
	}
	buf := copyBuffers.Get().(*[]byte)
	defer copyBuffers.Put(buf)
	return io.CopyBuffer(w, struct{ io.Reader }{c}, *buf)
}

// TransferDecoded returns a part's body as a mail client saves it to disk:
// with its transfer encoding (base64, quoted-printable) undone, but not
// converted from its charset, which go-message does for every text/* part
// (see convertedText). Anything that judges an attachment's bytes reads
// them through it. A body that is not converted text is returned as it
// is; one already read as text fails to read (ErrReadAsText), so that the
// part is reported broken rather than judged by the wrong bytes.
func TransferDecoded(body io.Reader) io.Reader {
	c, ok := body.(*convertedText)
	switch {
	case !ok:
		return body
	case c.used:
		return failingReader{ErrReadAsText}
	}
	return c.raw
}

// ErrReadAsText is what TransferDecoded's reader returns for a body that
// was already read as converted text.
var ErrReadAsText = errors.New("the part was already read as converted text; its bytes as sent are gone")

// failingReader returns its error.
type failingReader struct{ err error }

func (f failingReader) Read([]byte) (int, error) { return 0, f.err }
