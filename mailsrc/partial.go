package mailsrc

import (
	"context"
	"strings"

	"mxaudit/model"
)

// PartInfo describes one leaf MIME part of a message as a server reports it
// before any of its bytes are fetched (from an IMAP BODYSTRUCTURE). Every
// string in it comes from the mail and is attacker-controlled.
type PartInfo struct {
	// Path is the part's section number ("1", "2.3"): opaque to callers,
	// useful only in logs.
	Path string
	// ContentType is the declared media type, lower-cased, without
	// parameters ("application/zip").
	ContentType string
	// Filename is the file name from Content-Disposition's filename or
	// Content-Type's name parameter, as far as the server decoded it; ""
	// when the part has none.
	Filename string
	// Disposition is "attachment", "inline" or "" as declared.
	Disposition string
	// Encoding is the Content-Transfer-Encoding, lower-cased ("base64").
	Encoding string
	// Size is the size of the part's body in octets as stored, that is
	// still transfer-encoded.
	Size int64
}

// DecodedSize estimates the part's size once its transfer encoding is
// undone: three quarters of the octets for base64 (line breaks ignored),
// the octets themselves otherwise. It is what a size cap should compare.
func (p PartInfo) DecodedSize() int64 {
	if strings.EqualFold(p.Encoding, "base64") {
		// 76-character lines plus CRLF: 78 octets carry 57 bytes.
		return p.Size * 57 / 78
	}
	return p.Size
}

// Summary is one message as a Summarizer delivers it: the listing entry and
// a reconstructed message that the ordinary analyzer can parse.
type Summary struct {
	Entry Entry
	// Message is a MIME message rebuilt from the real header, the real
	// headers of named parts, the bodies of the parts the caller asked for,
	// and an empty body for every other leaf part. Each elided part carries
	// the header ElidedHeader with its stored size in octets, so that an
	// analyzer can still report its name and size. Message is not the raw
	// message: it must not be used for DKIM body hashes or shown as the
	// raw source; use Source.Open for that.
	Message []byte
	// Elided lists the parts whose bodies were left out.
	Elided []PartInfo
	// Fetched lists the parts whose bodies are in Message.
	Fetched []PartInfo
}

// ElidedHeader marks a MIME part whose body a Summarizer left out; its value
// is the body's stored size in octets. A Summarizer removes any such header
// the mail itself carries, so an analyzer may trust it in a Summary's
// Message — and only there: in a message read with Source.Open it is
// attacker-controlled text like any other header.
const ElidedHeader = "X-Mxaudit-Elided"

// Summarizer is an optional interface of a Source whose messages are
// expensive to fetch whole (IMAP). Instead of Source.List followed by
// Source.Open of every message, a scanner calls ListSummaries, which fetches
// headers and structure of many messages per round trip and the bodies of
// only those parts that need selects.
type Summarizer interface {
	// ListSummaries calls fn once for every message, in the same order and
	// with the same streaming, early-stop and error rules as Source.List.
	// need is called for each leaf part of each message and says whether
	// its body must be fetched; it must be safe to call from the
	// goroutine that lists and cheap (it runs for every part).
	ListSummaries(ctx context.Context, need func(PartInfo) bool, fn func(Summary) error) error
	// Summaries does the same for the given messages only, in the order
	// given: new arrivals reported by a Watcher, or messages missing from
	// a cache. IDs the source no longer holds are skipped.
	Summaries(ctx context.Context, ids []model.MessageID, need func(PartInfo) bool, fn func(Summary) error) error
}
