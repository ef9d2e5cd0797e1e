package auth

import (
	"bufio"
	"bytes"
	"errors"
	"fmt"
	"io"
	"strings"
	"sync"
)

// MaxHeaderBytes bounds the header section Check reads into memory. Real
// header sections stay far below it; a larger one is hostile or broken.
const MaxHeaderBytes = 1 << 20

// errHeaderTooLarge is returned when the header section exceeds
// MaxHeaderBytes.
var errHeaderTooLarge = fmt.Errorf("header section larger than %d bytes", MaxHeaderBytes)

// headerField is one unfolded header field.
type headerField struct {
	name  string // lower case
	value string // unfolded, line breaks removed, surrounding space trimmed
}

// messageHeader is the header section of a message.
type messageHeader struct {
	raw    []byte        // the bytes as read, for DKIM verification
	fields []headerField // in message order, top first
	// complete is false when the input ended before the empty line that
	// closes the header section: the body was not provided.
	complete bool
}

// all returns the values of every field called name (lower case), top first.
func (h *messageHeader) all(name string) []string {
	var out []string
	for _, f := range h.fields {
		if f.name == name {
			out = append(out, f.value)
		}
	}
	return out
}

// headerPool recycles Check's header sections: the raw bytes (4 KiB or
// more) and the fields of every message checked were an eighth of what a
// scan allocated, garbage a long-lived console pays for in collections.
var headerPool = sync.Pool{New: func() any { return &messageHeader{raw: make([]byte, 0, 4096)} }}

// maxPooledHeader bounds the raw buffer a pooled header keeps: a huge
// header's is dropped rather than held.
const maxPooledHeader = 64 << 10

// getHeader returns an empty pooled header section.
func getHeader() *messageHeader { return headerPool.Get().(*messageHeader) }

// putHeader gives h back to the pool. Nothing may refer to its raw bytes
// or fields afterwards; the strings of its fields stay valid (they are
// copies).
func putHeader(h *messageHeader) {
	if cap(h.raw) > maxPooledHeader {
		return
	}
	clear(h.fields)
	*h = messageHeader{raw: h.raw[:0], fields: h.fields[:0]}
	headerPool.Put(h)
}

// readHeaderInto reads the header section from br into h, which must be
// empty, leaving br at the first byte of the body. Lines are read
// straight into raw, and one buffer unfolds every field: a header of
// 3 KB used to cost three times that in line copies.
func readHeaderInto(h *messageHeader, br *bufio.Reader) (*messageHeader, error) {
	var (
		cur     []byte // the field being unfolded, reused for each
		inField bool
	)
	flush := func() {
		if !inField {
			return
		}
		inField = false
		name, value, ok := bytes.Cut(cur, []byte(":"))
		// A line without a colon (an mbox "From " line, garbage) is not a
		// field; it stays in raw for DKIM but is not interpreted.
		if ok && len(bytes.TrimSpace(name)) > 0 && !bytes.ContainsAny(name, " \t") {
			h.fields = append(h.fields, headerField{
				name:  fieldName(name),
				value: string(bytes.TrimSpace(value)),
			})
		}
	}
	for {
		start := len(h.raw)
		var err error
		h.raw, err = appendLine(h.raw, br)
		line := h.raw[start:]
		if errors.Is(err, errHeaderTooLarge) {
			return h, err
		}
		content := bytes.TrimRight(line, "\r\n")
		switch {
		case len(content) == 0 && len(line) > 0:
			flush()
			h.complete = true
			return h, nil
		case len(content) > 0 && (content[0] == ' ' || content[0] == '\t') && inField:
			cur = append(cur, ' ')
			cur = append(cur, bytes.TrimLeft(content, " \t")...)
		case len(content) > 0:
			flush()
			cur = append(cur[:0], content...)
			inField = true
		}
		if err != nil {
			flush()
			if err == io.EOF {
				return h, nil
			}
			return h, err
		}
	}
}

// appendLine appends the next line with its line ending to dst, or what
// is left before EOF. It fails with errHeaderTooLarge when dst would grow
// past MaxHeaderBytes, keeping what fits.
func appendLine(dst []byte, br *bufio.Reader) ([]byte, error) {
	for {
		chunk, err := br.ReadSlice('\n')
		if len(dst)+len(chunk) > MaxHeaderBytes {
			return append(dst, chunk[:max(0, MaxHeaderBytes-len(dst))]...), errHeaderTooLarge
		}
		dst = append(dst, chunk...)
		if errors.Is(err, bufio.ErrBufferFull) {
			continue
		}
		return dst, err
	}
}

// commonFields are the names of the fields most headers carry, lower
// case: fieldName returns these strings rather than a new one for each
// field of each message.
var commonFields = []string{
	"received", "from", "to", "cc", "subject", "date", "message-id",
	"return-path", "dkim-signature", "authentication-results",
	"arc-authentication-results", "arc-message-signature", "arc-seal",
	"received-spf", "content-type", "mime-version",
	"content-transfer-encoding", "reply-to", "references", "in-reply-to",
	"x-mailer", "delivered-to", "x-originating-ip", "list-unsubscribe",
	"list-id", "sender", "x-spam-status", "x-spam-flag",
}

// fieldName returns name lower-cased, as a string.
func fieldName(name []byte) string {
	for _, c := range commonFields {
		if len(c) == len(name) && bytes.EqualFold(name, []byte(c)) {
			return c
		}
	}
	return strings.ToLower(string(name))
}
