package mailsrc

import (
	"bytes"
	"strconv"
	"strings"
	"time"
)

// An attacker who can put a line "From x" followed by header lines in a
// mail body makes an mbox reader forge a second message whose From, Subject
// and attachments the attacker chose (and hides the rest of the real
// message's body from the first). scanMbox therefore does not split a
// message where the split would contradict what the message itself says:
//   - inside its Content-Length (the mboxcl convention, RFC 4155 section
//     "Content-Length"), when the declared length is confirmed by the file:
//     a From_ line or a blank line at exactly that offset, or the end;
//   - inside an open MIME multipart structure (RFC 2046 section 5.1.1):
//     after the top-level boundary is declared and before its closing
//     delimiter "--boundary--".
// Such From_ lines are held back; when the message confirms itself (the
// length matches, the closing delimiter comes) they are dropped and the
// message is flagged ambiguous. When it does not (a length the file
// contradicts, a structure never closed), the held From_ lines are
// separators after all, so that a lying header cannot swallow the messages
// that follow it.

// heldSplit is a From_ line taken for a separator only if the message
// around it does not confirm itself.
type heldSplit struct {
	end, start int64 // where the message before it ends, the next starts
	date       time.Time
}

// maxHeldSplits bounds the From_ lines held for one message; past it the
// message is not protected any more.
const maxHeldSplits = 1024

// splitGuard follows one message's header and top-level MIME structure.
type splitGuard struct {
	inHeader  bool
	inCType   bool
	ctype     []byte
	clLen     int64 // declared Content-Length, -1 when none
	clEnd     int64 // offset where the body should end, -1 when unknown
	boundary  string
	mimeOpen  bool
	held      []heldSplit
	ambiguous bool
}

func newSplitGuard() splitGuard { return splitGuard{inHeader: true, clLen: -1, clEnd: -1} }

// observe follows one line of the current message, which starts at
// lineOff; next is the offset of the line after it.
func (g *splitGuard) observe(line []byte, next int64) {
	if !g.inHeader {
		if g.mimeOpen && string(bytes.TrimRight(line, " \t\r\n")) == "--"+g.boundary+"--" {
			g.mimeOpen = false
			g.held = nil // the structure closed: what it held was body
		}
		return
	}
	switch {
	case isBlankLine(line):
		g.inHeader, g.inCType = false, false
		if g.clLen >= 0 {
			g.clEnd = next + g.clLen
		}
		g.boundary = boundaryParam(string(g.ctype))
		g.mimeOpen = g.boundary != ""
	case len(line) > 0 && (line[0] == ' ' || line[0] == '\t'):
		if g.inCType && len(g.ctype) < 4096 {
			g.ctype = append(g.ctype, line...)
		}
	default:
		name, value, _ := bytes.Cut(line, []byte(":"))
		name = bytes.TrimSpace(name)
		g.inCType = bytes.EqualFold(name, []byte("Content-Type"))
		switch {
		case g.inCType:
			g.ctype = append(g.ctype[:0], value...)
		case bytes.EqualFold(name, []byte("Content-Length")):
			if n, err := strconv.ParseInt(string(bytes.TrimSpace(value)), 10, 64); err == nil && n >= 0 {
				g.clLen = n
			}
		}
	}
}

// protects reports whether a separator at off would cut the message.
func (g *splitGuard) protects(off int64) bool {
	return len(g.held) < maxHeldSplits && (g.mimeOpen || (g.clEnd >= 0 && off < g.clEnd))
}

// hold keeps back a From_ line the message protects.
func (g *splitGuard) hold(h heldSplit) {
	g.held = append(g.held, h)
	g.ambiguous = true
}

// confirmLength is called for each line once the declared length is
// reached: a From_ or blank line exactly there confirms it, and the held
// From_ lines were body; anything else contradicts it. It returns the
// held From_ lines that must now separate messages.
func (g *splitGuard) confirmLength(lineOff int64, line []byte) []heldSplit {
	if g.clEnd < 0 || lineOff < g.clEnd {
		return nil
	}
	end := g.clEnd
	g.clEnd = -1
	if lineOff == end && (isFromLine(line) || isBlankLine(line)) {
		if !g.mimeOpen {
			g.held = nil
		}
		return nil
	}
	if g.mimeOpen {
		return nil // the MIME structure still holds them
	}
	return g.release()
}

// atEnd is called at the end of the file (at offset end): a length that
// ends there is confirmed; a structure still open or a length still
// unreached was a lie, and the held From_ lines separate messages.
func (g *splitGuard) atEnd(end int64) []heldSplit {
	if !g.mimeOpen && g.clEnd >= 0 && end-g.clEnd >= 0 && end-g.clEnd <= 2 {
		g.held = nil
		return nil
	}
	if !g.mimeOpen && g.clEnd < 0 {
		return nil
	}
	return g.release()
}

func (g *splitGuard) release() []heldSplit {
	h := g.held
	g.held = nil
	if len(h) > 0 {
		g.ambiguous = false
	}
	return h
}

// boundaryParam returns the boundary parameter of a multipart Content-Type
// value (RFC 2046 section 5.1.1), quoted or not; "" for other types.
func boundaryParam(ct string) string {
	lower := strings.ToLower(ct)
	if !strings.Contains(lower, "multipart/") {
		return ""
	}
	i := strings.Index(lower, "boundary=")
	if i < 0 {
		return ""
	}
	v := strings.TrimSpace(ct[i+len("boundary="):])
	if strings.HasPrefix(v, `"`) {
		if j := strings.IndexByte(v[1:], '"'); j >= 0 {
			return v[1 : j+1]
		}
		return ""
	}
	if j := strings.IndexAny(v, "; \t\r\n"); j >= 0 {
		v = v[:j]
	}
	return v
}
