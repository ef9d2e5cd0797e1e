package mailsrc

import (
	"bufio"
	"bytes"
	"compress/gzip"
	"fmt"
	"io"
	"sync"
)

// headSize is how many (decompressed) bytes are read to tell mail from
// other files. A message's first line, even an mbox From_ line followed by
// the first header, fits easily; a longer first line is not mail.
const headSize = 1024

// utf8BOM is the byte order mark some editors put at the start of a saved
// message. It is not part of the message: left in, it would glue itself to
// the first field name and hide that field from the parser.
var utf8BOM = []byte{0xEF, 0xBB, 0xBF}

// isGzip reports whether b starts with the gzip magic bytes. Files are
// recognised as compressed by content, never by name: amavis stores
// "spam-*.gz" but also "virus-*" and "banned-*" compressed.
func isGzip(b []byte) bool {
	return len(b) >= 2 && b[0] == 0x1f && b[1] == 0x8b
}

// isHeaderLine reports whether line starts a header field: a field name,
// then a colon. The obsolete syntax (RFC 5322 §4.5) allows blanks before
// the colon ("Subject : x"), and real quarantines hold such mail, so they
// are accepted. Field names are held to letters, digits, '-', '_' and '.',
// starting with a letter or digit: narrower than RFC 5322, which allows
// any printable character but ':', yet every field name seen in mail fits,
// and JSON ({"a": 1}), CSV or markdown first lines do not.
func isHeaderLine(line []byte) bool {
	i := 0
	for i < len(line) && isFieldNameByte(line[i], i == 0) {
		i++
	}
	if i == 0 {
		return false
	}
	for i < len(line) && (line[i] == ' ' || line[i] == '\t') {
		i++
	}
	return i < len(line) && line[i] == ':'
}

// isFieldNameByte reports whether c may appear in a field name, at its
// start when first is set.
func isFieldNameByte(c byte, first bool) bool {
	switch {
	case 'a' <= c && c <= 'z', 'A' <= c && c <= 'Z', '0' <= c && c <= '9':
		return true
	case c == '-' || c == '_' || c == '.':
		return !first
	}
	return false
}

// isFromLine reports whether line is an mbox From_ line ("From sender
// date"). A header line written in the obsolete syntax ("From  : Joe")
// also starts with "From " and is not one.
func isFromLine(line []byte) bool {
	return bytes.HasPrefix(line, []byte("From ")) && !isHeaderLine(line)
}

// firstLine returns b up to and including its first '\n', and whether a
// '\n' was found.
func firstLine(b []byte) ([]byte, bool) {
	if i := bytes.IndexByte(b, '\n'); i >= 0 {
		return b[:i+1], true
	}
	return b, false
}

// classifyHead decides from the first bytes of a (decompressed) file
// whether it is a mail message. A message starts with a header line,
// optionally after a UTF-8 byte order mark or blanks (both seen in saved
// mail: an editor's BOM, a stray space before the first field), or with an
// mbox From_ line directly followed by a header line (a message saved from
// an mbox). skip is the number of leading bytes that are framing rather
// than message (the BOM, the blanks, the From_ line): Open drops them, as
// left in they would hide the first field from a parser. Anything else,
// including an empty file, a leading blank line, text, images and
// archives, is not mail and gets an error wrapping ErrNotMail.
func classifyHead(head []byte) (skip int, err error) {
	rest := head
	if bytes.HasPrefix(rest, utf8BOM) {
		skip = len(utf8BOM)
		rest = rest[skip:]
	}
	line, complete := firstLine(rest)
	if trimmed := bytes.TrimLeft(line, " \t"); len(trimmed) < len(line) && isHeaderLine(trimmed) {
		return skip + len(line) - len(trimmed), nil
	}
	switch {
	case isHeaderLine(line):
		return skip, nil
	case isFromLine(line) && complete:
		next, _ := firstLine(rest[len(line):])
		if isHeaderLine(next) {
			return skip + len(line), nil
		}
		return 0, fmt.Errorf("%w: a From_ line not followed by a header", ErrNotMail)
	case len(head) == 0:
		return 0, fmt.Errorf("%w: empty file", ErrNotMail)
	}
	return 0, fmt.Errorf("%w: does not start with a header field", ErrNotMail)
}

// sniffer holds what sniff needs for one file, recycled through a pool: a
// listing sniffs thousands of files, and a gzip reader carries a large
// inflate state.
type sniffer struct {
	br    *bufio.Reader // over the file; also the gzip reader's byte source
	gz    *gzip.Reader  // nil until the first gzip file
	plain [headSize]byte
}

var sniffers = sync.Pool{New: func() any { return &sniffer{br: bufio.NewReaderSize(nil, 4096)} }}

// readHead fills buf from r as far as r goes. Unlike io.ReadFull it tells
// a short file (nil error) from a broken one: a truncated gzip stream
// reports io.ErrUnexpectedEOF itself, and that must not pass for a short
// message.
func readHead(r io.Reader, buf []byte) (int, error) {
	n := 0
	for n < len(buf) {
		m, err := r.Read(buf[n:])
		n += m
		if err == io.EOF {
			return n, nil
		}
		if err != nil {
			return n, err
		}
	}
	return n, nil
}

// sniff reads the head of a stored file, decompressing it when it is
// gzip, and classifies it. A nil error means mail; an error wrapping
// ErrNotMail means the file is readable but not mail; any other error
// means it could not be read (a corrupt or truncated gzip stream, an I/O
// error) and is reported as such.
func sniff(r io.Reader) error {
	s := sniffers.Get().(*sniffer)
	defer func() {
		s.br.Reset(nil) // hold no file while pooled
		sniffers.Put(s)
	}()
	s.br.Reset(r)
	head, err := s.br.Peek(headSize)
	if err != nil && err != io.EOF {
		return err
	}
	if !isGzip(head) {
		_, err = classifyHead(head)
		return err
	}
	if s.gz == nil {
		s.gz, err = gzip.NewReader(s.br)
	} else {
		err = s.gz.Reset(s.br)
	}
	if err != nil {
		return fmt.Errorf("gzip: %w", err)
	}
	n, err := readHead(s.gz, s.plain[:])
	if err != nil {
		return fmt.Errorf("gzip: %w", err)
	}
	_, err = classifyHead(s.plain[:n])
	return err
}
