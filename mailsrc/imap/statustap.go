package imap

import (
	"bytes"
	"net"
	"strconv"
	"sync"
)

// statusTap watches the clear-text stream of one connection for the
// response code that go-imap v2 (beta.8) parses and then discards:
// RFC 7162's MODIFIED, the only way a server says that a conditional
// STORE (UNCHANGEDSINCE) did not apply — with a tagged OK, so the client
// reports success. The claim in claim.go cannot be sound without it.
//
// It sits between TLS and the IMAP client, so it sees exactly what the
// client parses. Server output is scanned line by line; literals
// ({n}, {n+}, ~{n}) are skipped by their announced length, so no text
// inside a message, however crafted, can pass for a tagged line. Only the
// tag of the last UID STORE command written and the last tagged MODIFIED
// answer are kept: the action connection runs one command at a time.
type statusTap struct {
	net.Conn

	// Reader side (the client's one reader goroutine).
	head    []byte // first headMax bytes of the current response line
	tail    []byte // last tailMax bytes of the current line segment
	skip    int64  // literal bytes still to pass over
	midLine bool   // the line continues after a literal

	// Writer side (commands are written under the client's lock).
	wline []byte

	mu        sync.Mutex
	storeTag  string // tag of the last UID STORE sent
	modTag    string // tag of the last tagged response carrying MODIFIED
	modFields string // its MODIFIED argument, e.g. "7,9"
}

const (
	headMax = 128
	tailMax = 32
)

func (t *statusTap) Read(b []byte) (int, error) {
	n, err := t.Conn.Read(b)
	t.scan(b[:n])
	return n, err
}

func (t *statusTap) Write(b []byte) (int, error) {
	for _, ch := range b {
		if ch == '\n' {
			t.command(t.wline)
			t.wline = t.wline[:0]
			continue
		}
		if len(t.wline) < headMax {
			t.wline = append(t.wline, ch)
		}
	}
	return t.Conn.Write(b)
}

// command notes the tag of a UID STORE command line.
func (t *statusTap) command(line []byte) {
	tag, rest, ok := bytes.Cut(line, []byte(" "))
	if !ok || !isTag(tag) || !hasPrefixFold(rest, "UID STORE ") {
		return
	}
	t.mu.Lock()
	t.storeTag = string(tag)
	t.mu.Unlock()
}

// scan feeds server output through the line scanner.
func (t *statusTap) scan(p []byte) {
	for len(p) > 0 {
		if t.skip > 0 {
			k := int64(len(p))
			if k > t.skip {
				k = t.skip
			}
			p = p[k:]
			t.skip -= k
			continue
		}
		ch := p[0]
		p = p[1:]
		if ch != '\n' {
			if !t.midLine && len(t.head) < headMax {
				t.head = append(t.head, ch)
			}
			if len(t.tail) == tailMax {
				copy(t.tail, t.tail[1:])
				t.tail = t.tail[:tailMax-1]
			}
			t.tail = append(t.tail, ch)
			continue
		}
		if n, ok := literalLength(t.tail); ok {
			t.skip, t.midLine = n, true
			t.tail = t.tail[:0]
			continue
		}
		t.response(bytes.TrimSuffix(t.head, []byte("\r")))
		t.head, t.tail, t.midLine = t.head[:0], t.tail[:0], false
	}
}

// response records a tagged response carrying [MODIFIED set].
func (t *statusTap) response(head []byte) {
	tag, rest, ok := bytes.Cut(head, []byte(" "))
	if !ok || !isTag(tag) {
		return
	}
	_, rest, ok = bytes.Cut(rest, []byte(" ")) // OK, NO or BAD
	if !ok || !hasPrefixFold(rest, "[MODIFIED ") {
		return
	}
	set, _, ok := bytes.Cut(rest[len("[MODIFIED "):], []byte("]"))
	if !ok {
		return
	}
	t.mu.Lock()
	t.modTag, t.modFields = string(tag), string(set)
	t.mu.Unlock()
}

// lastStoreModified reports the MODIFIED set of the last UID STORE's
// tagged answer, and whether there was one. It must be called after that
// command completed: the client parses a response only after reading it,
// so the tap has seen it by then.
func (t *statusTap) lastStoreModified() (string, bool) {
	t.mu.Lock()
	defer t.mu.Unlock()
	if t.storeTag == "" || t.modTag != t.storeTag {
		return "", false
	}
	return t.modFields, true
}

// literalLength recognises a line segment ending in a literal's length,
// "{123}", "{123+}" or "~{123}", followed by the CR of CRLF.
func literalLength(seg []byte) (int64, bool) {
	seg = bytes.TrimSuffix(seg, []byte("\r"))
	if len(seg) < 3 || seg[len(seg)-1] != '}' {
		return 0, false
	}
	open := bytes.LastIndexByte(seg, '{')
	if open < 0 {
		return 0, false
	}
	digits := bytes.TrimSuffix(seg[open+1:len(seg)-1], []byte("+"))
	n, err := strconv.ParseInt(string(digits), 10, 64)
	if err != nil || n < 0 {
		return 0, false
	}
	return n, true
}

// isTag matches the client's tags: 'T' and digits.
func isTag(b []byte) bool {
	if len(b) < 2 || b[0] != 'T' {
		return false
	}
	for _, c := range b[1:] {
		if c < '0' || c > '9' {
			return false
		}
	}
	return true
}

func hasPrefixFold(b []byte, prefix string) bool {
	return len(b) >= len(prefix) && bytes.EqualFold(b[:len(prefix)], []byte(prefix))
}
