// Package mailsrc is where quarantined messages live: one small interface,
// Source, and an implementation per kind of store (a Maildir, a directory of
// message files, an mbox file; IMAP in its own sub-package). Listing,
// opening and, for sources that support them, release and delete are here;
// what a message means is the business of package analysis.
package mailsrc

import (
	"context"
	"errors"
	"io"
	"time"

	"mxaudit/model"
)

// Source is a store of quarantined messages.
//
// Implementations must be safe for concurrent use: the scanner lists from
// one goroutine while several workers Open messages at once.
type Source interface {
	// Name describes the source for titles and logs ("maildir /var/quarantine").
	Name() string

	// List calls fn once for every message, in a stable order, as the
	// source discovers them: it streams, so the caller can start work
	// before the listing ends. A message that cannot be read is still
	// reported, with Entry.Err set; files that are not mail at all are
	// reported with an Err wrapping ErrNotMail so that callers can warn and
	// skip them. List stops early and returns fn's error when fn fails, and
	// returns ctx.Err() when ctx is done. A non-nil error from List itself
	// means the source could not be read at all.
	List(ctx context.Context, fn func(Entry) error) error

	// Open returns the raw bytes of one message, decompressed if the source
	// stores it compressed. The caller must close it.
	Open(ctx context.Context, id model.MessageID) (io.ReadCloser, error)

	// Close releases what the source holds (connections, file handles).
	Close() error
}

// Entry is one message as the listing sees it, before analysis.
type Entry struct {
	ID model.MessageID
	// Size is the stored size in bytes (compressed size for gzip files);
	// 0 when unknown.
	Size int64
	// Received is when the source got the message (file modification time,
	// IMAP INTERNALDATE); zero when unknown.
	Received time.Time
	// Stamp identifies the stored bytes without reading them (the file's
	// inode, size and modification time; for an mbox, the file's and the
	// message's place in it): the same stamp means the same bytes unless
	// someone forged the time on purpose. Empty when the source has none
	// (IMAP, whose UIDs already name one message for good).
	Stamp string
	// Err is set when the message is listed but cannot be read.
	Err error
	// Warning is set when the source is unsure where the message ends: an
	// mbox From_ line followed by header lines inside it that was not
	// taken as a separator. It is a sentence for people, shown among the
	// message's reasons.
	Warning string
}

// ErrNotMail marks a listed file that is not a mail message. Scanners warn
// about it and go on.
var ErrNotMail = errors.New("not a mail message")

// ErrNotFound is returned by Open for an ID the source does not hold (any
// longer: another operator may have released or deleted it).
var ErrNotFound = errors.New("message not found")
