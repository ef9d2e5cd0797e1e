package mailsrc

import (
	"context"

	"mxaudit/model"
)

// Summary is one message as a Summarizer delivers it: the listing entry and
// a reconstructed message that the ordinary analyzer can parse.
type Summary struct {
	Entry Entry
	// Message is a MIME message rebuilt from the real header, the real
	// headers of named parts, the bodies of the parts the caller asked for,
	// and an empty body for every other leaf part. Each elided part carries
	// the header model.ElidedHeader with its stored size in octets, so that an
	// analyzer can still report its name and size. Message is not the raw
	// message: it must not be used for DKIM body hashes or shown as the
	// raw source; use Source.Open for that.
	Message []byte
	// Elided lists the parts whose bodies were left out.
	Elided []model.PartInfo
	// Fetched lists the parts whose bodies are in Message.
	Fetched []model.PartInfo
}

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
	ListSummaries(ctx context.Context, need func(model.PartInfo) bool, fn func(Summary) error) error
	// Summaries does the same for the given messages only, in the order
	// given: new arrivals reported by a Watcher, or messages missing from
	// a cache. IDs the source no longer holds are skipped.
	Summaries(ctx context.Context, ids []model.MessageID, need func(model.PartInfo) bool, fn func(Summary) error) error
}
