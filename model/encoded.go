package model

import (
	"fmt"
	"io"

	jsonv1 "github.com/go-json-experiment/json/v1"
)

// Encoded is a message as the analysis cache holds it, carried beside a
// message of which only the head is decoded (the fields up to
// PasswordsInText: identity, sender, recipients, subject, date, digest,
// whether the text holds a password). A warm scan that prints JSON writes
// the cached bytes out as they are instead of decoding and encoding every
// message again; whatever needs more than the head (a verdict, an
// attachment, an exception's required kinds) calls Materialize first.
//
// JSON is exactly what store.Cache wrote for the message (Exception is
// never cached), and is read-only: the cache may hold the same bytes (a
// record not yet written to its file). HasFiles says whether the
// message carries attachments; MayHaveEncryptedArchive is false only
// when no attachment holds an encrypted archive, so that PPAP pairing
// can leave the others encoded.
type Encoded struct {
	JSON                    []byte
	HasFiles                bool
	MayHaveEncryptedArchive bool
	// JSONSum is the SHA-256 of JSON when HasJSONSum says the one who
	// holds the message computed it (ui/app's row lister, for the
	// row's ContentSum): a keeper that checks what it wrote against
	// its hash (ui/app's spill) takes it rather than hash the bytes
	// again. A wrong one only makes that keeper's reads fail.
	JSONSum    [32]byte
	HasJSONSum bool
	// From, when set, is the file JSON was read from, at At: the
	// analysis cache's, whose records never change once written (it is
	// only appended to; a compaction or a rebuild writes a new file).
	// A keeper may read the bytes from there again rather than write a
	// copy of its own (ui/app's spill), and must check them against
	// their sum: JSON is what it must read.
	From RecordFile
	At   int64
}

// A RecordFile is the file an encoded message was read from
// (Encoded.From). Reopen returns a handle of the reader's own on that
// very file, valid after its holder lets its own go; it fails once the
// holder has closed it (the cache closed, or read another file since).
type RecordFile interface {
	Reopen() (ReaderAtCloser, error)
}

// ReaderAtCloser is what RecordFile.Reopen returns.
type ReaderAtCloser interface {
	io.ReaderAt
	io.Closer
}

// IsEncoded reports whether only m's head is decoded (see Encoded).
func (m *Message) IsEncoded() bool { return m.Encoded != nil }

// Materialize decodes the whole of an encoded message into m and drops
// the encoded form; it does nothing to a message that is not encoded.
// The head must not have been changed meanwhile: the decoded message
// replaces it.
func (m *Message) Materialize() error {
	if m.Encoded == nil {
		return nil
	}
	var full Message
	if err := jsonv1.Unmarshal(m.Encoded.JSON, &full); err != nil {
		return fmt.Errorf("decoding cached message %s: %w", m.ID, err)
	}
	*m = full
	return nil
}
