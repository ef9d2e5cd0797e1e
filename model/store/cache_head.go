package store

import (
	"bytes"
	"encoding/binary"
	"strconv"
	"unicode/utf8"

	"mxaudit/model"
)

// decodeHead decodes the head of a cached message (see cutHead: the
// fields before "attachments", up to the comma before it) into m without
// encoding/json's reflection, which was most of a warm scan's decoding.
// It reads exactly what encodeMessage writes for these fields: strings
// without escapes, arrays of them or null, the date, the size. Anything
// else — an escape, a field it does not know, a number that is not a
// plain integer, bytes that are not UTF-8 — makes it report false, and
// the caller decodes the head with encoding/json instead, so the answer
// is always encoding/json's. m must be zero; on false it may hold part
// of the head.
//
// The head's strings share one allocation, a copy of the head: made one
// by one, they were nine allocations a message, the most of a warm
// scan's. A string kept alone past the message would keep the whole
// head with it, which an attacker's headers can make large: what keeps
// a sender's strings for long copies them (PPAP's index through
// model.Interner.Owned, the scan's exception memo).
func decodeHead(head []byte, m *model.Message) bool {
	p := headParser{b: head, s: string(head)}
	if !p.byte('{') {
		return false
	}
	for {
		key, ok := p.plainString()
		if !ok || !p.byte(':') {
			return false
		}
		if !p.field(key, m) || !p.byte(',') {
			return false
		}
		if p.end() {
			return true
		}
	}
}

// headParser reads a head from b at i. encodeMessage writes no spaces.
// s holds the same bytes as b: the strings read are cut from it.
type headParser struct {
	b []byte
	s string
	i int
}

func (p *headParser) byte(c byte) bool {
	if p.i < len(p.b) && p.b[p.i] == c {
		p.i++
		return true
	}
	return false
}

func (p *headParser) end() bool { return p.i == len(p.b) }

// plainString reads a string without escapes or control characters, in
// valid UTF-8: its content is then exactly the bytes between the quotes.
// The string ends at the first quote, as no escape comes before it; the
// bytes before it are then checked whole, eight at a time.
func (p *headParser) plainString() ([]byte, bool) {
	if !p.byte('"') {
		return nil, false
	}
	n := bytes.IndexByte(p.b[p.i:], '"')
	if n < 0 {
		return nil, false
	}
	s := p.b[p.i : p.i+n]
	if bytes.IndexByte(s, '\\') >= 0 || hasControl(s) || !utf8.Valid(s) {
		return nil, false
	}
	p.i += n + 1
	return s, true
}

// hasControl reports whether b holds a byte below 0x20, which JSON
// allows in a string only escaped.
func hasControl(b []byte) bool {
	const ones, highs = 0x0101010101010101, 0x8080808080808080
	for len(b) >= 8 {
		// A byte below 0x20 borrows into its high bit when 0x20 is taken
		// from it, which a byte of 0x80 or more has set already.
		x := binary.LittleEndian.Uint64(b)
		if (x-0x20*ones)&^x&highs != 0 {
			return true
		}
		b = b[8:]
	}
	for _, c := range b {
		if c < 0x20 {
			return true
		}
	}
	return false
}

func (p *headParser) str() (string, bool) {
	s, ok := p.plainString()
	if !ok {
		return "", false
	}
	end := p.i - 1 // the closing quote
	return p.s[end-len(s) : end], true
}

// strings reads an array of strings, or null (a nil slice); [] is an
// empty slice, as encoding/json makes it.
func (p *headParser) strings() ([]string, bool) {
	if bytes.HasPrefix(p.b[p.i:], []byte("null")) {
		p.i += 4
		return nil, true
	}
	if !p.byte('[') {
		return nil, false
	}
	out := []string{}
	if p.byte(']') {
		return out, true
	}
	for {
		s, ok := p.str()
		if !ok {
			return nil, false
		}
		out = append(out, s)
		if p.byte(',') {
			continue
		}
		return out, p.byte(']')
	}
}

// field reads the value of one head field into m.
func (p *headParser) field(key []byte, m *model.Message) bool {
	var ok bool
	switch string(key) {
	case "id":
		var s string
		s, ok = p.str()
		m.ID = model.MessageID(s)
	case "message_id":
		m.MessageID, ok = p.str()
	case "from":
		m.From, ok = p.str()
	case "from_address":
		m.FromAddr, ok = p.str()
	case "from_domain":
		m.FromDomain, ok = p.str()
	case "return_path":
		m.ReturnPath, ok = p.str()
	case "to":
		m.To, ok = p.strings()
	case "cc":
		m.Cc, ok = p.strings()
	case "subject":
		m.Subject, ok = p.str()
	case "date":
		// time.Time decodes itself from the quoted text, as encoding/json
		// has it do.
		start := p.i
		if _, ok = p.plainString(); ok {
			ok = m.Date.UnmarshalJSON(p.b[start:p.i]) == nil
		}
	case "date_source":
		var s string
		s, ok = p.str()
		m.DateSource = model.DateSource(s)
	case "size":
		start := p.i
		_ = p.byte('-') // a negative size reads as encoding/json reads it
		for p.i < len(p.b) && p.b[p.i] >= '0' && p.b[p.i] <= '9' {
			p.i++
		}
		digits := p.b[start:p.i]
		if len(digits) > 1 && (digits[0] == '0' || bytes.HasPrefix(digits, []byte("-0"))) {
			return false // not how a number is written: let encoding/json say
		}
		var err error
		m.Size, err = strconv.ParseInt(string(digits), 10, 64)
		ok = err == nil
	case "sha256":
		m.SHA256, ok = p.str()
	case "in_reply_to":
		m.InReplyTo, ok = p.str()
	case "references":
		m.References, ok = p.strings()
	case "passwords_in_text":
		var s string
		s, ok = p.str()
		m.PasswordsInText = model.PasswordsInText(s)
	}
	return ok
}
