// Package model holds mxaudit's domain types — a quarantined message's
// summary, its attachment and authentication verdicts, exceptions and audit
// entries — and the pure logic on them (sorting, filtering, policy
// evaluation). It does no I/O and knows nothing of the terminal: everything
// here can be tested with plain values.
package model

import "time"

// MessageID identifies a message within one source. It is opaque: each
// source chooses its form ("cur/1700000000.M1P2.host" for a Maildir,
// "42/1234" for IMAP UIDVALIDITY/UID, a relative path for a directory,
// a byte offset for mbox). Code outside the source must never parse it.
type MessageID string

// Message is the summary of one quarantined message: what the list shows
// and what the scan prints. Every string in it comes from the mail and is
// attacker-controlled; it is stored decoded (UTF-8) but not sanitised, so
// that JSON output stays faithful. Whatever draws it on a terminal must
// sanitise it first.
type Message struct {
	ID         MessageID `json:"id"`
	MessageID  string    `json:"message_id"`            // the Message-ID header, with angle brackets
	From       string    `json:"from"`                  // "Name <addr>" as decoded, or the raw header when unparsable
	FromAddr   string    `json:"from_address"`          // addr-spec of the single From address, lower-cased domain
	FromDomain string    `json:"from_domain"`           // lower-cased domain of FromAddr
	ReturnPath string    `json:"return_path,omitempty"` // envelope sender as recorded by the receiving MTA
	To         []string  `json:"to"`
	Cc         []string  `json:"cc,omitempty"`
	Subject    string    `json:"subject"`
	Date       time.Time `json:"date"`
	// DateSource is set when Date is not the Date header's (see
	// DateDelivered).
	DateSource DateSource `json:"date_source,omitempty"`
	Size       int64      `json:"size"` // bytes of the raw (uncompressed) message
	// SHA256 is the hex SHA-256 of the raw bytes the analysis read, when it
	// read the whole message; a release compares it with the bytes it
	// delivers, so that a file swapped after the analysis is not released
	// on the old file's verdict. Empty for a message analysed from a
	// summary (IMAP on-demand), whose bytes cannot change under its UID.
	SHA256 string `json:"sha256,omitempty"`
	// InReplyTo is the In-Reply-To header's first message ID, with angle
	// brackets; References lists the References header's IDs in order.
	// PPAP pairing uses them to tie a password mail to its ZIP mail.
	InReplyTo  string   `json:"in_reply_to,omitempty"`
	References []string `json:"references,omitempty"`
	// PasswordsInText says whether the text PPAP pairing searched holds a
	// password candidate; empty when it was not searched. It is part of
	// the head (before Attachments; see Encoded), so that a warm scan
	// reads it without decoding the rest.
	PasswordsInText PasswordsInText `json:"passwords_in_text,omitempty"`

	Attachments []Attachment `json:"attachments"`
	Auth        *Auth        `json:"auth,omitempty"`
	Verdict     Verdict      `json:"verdict"`
	// PasswordFor is set on a password mail found by PPAP pairing: which
	// encrypted attachments, in which messages, its text opened.
	PasswordFor []PasswordLink `json:"password_for,omitempty"`

	// Error is set when the message could not be read or parsed at all.
	// The other fields hold whatever could be recovered before the failure.
	Error string `json:"error"`

	// Exception is the exception that covers the message, set by
	// Policy.Annotate; nil when none does.
	Exception *ExceptionMatch `json:"exception,omitempty"`

	// Encoded is set only by a scan asked for encoded messages (the JSON
	// output of a warm scan): then only the head above is decoded, and
	// the rest must be read through Materialize (see Encoded).
	Encoded *Encoded `json:"-"`

	// PairingText is the text PPAP pairing searches for passwords, kept
	// by an analysis asked for it (analysis.Config.PairingText) so that
	// pairing need not read the message again. It may hold a password:
	// the pairing stream takes it and clears it before the message goes
	// on, and it is never encoded or shown.
	PairingText *PairingText `json:"-"`
}

// PairingText is a message's subject and body text as PPAP pairing reads
// them (see analysis.ReadBack).
type PairingText struct {
	Subject, Body string
	// Max is the most bytes of body text kept: pairing takes the text
	// only when it reads mails back with the same limit, so that what it
	// finds in the text is what it would find reading the mail.
	Max int64
}

// HasAttachments reports whether the message carries at least one file
// (also when it is encoded: see Encoded).
func (m *Message) HasAttachments() bool {
	if m.Encoded != nil {
		return m.Encoded.HasFiles
	}
	return len(m.Attachments) > 0
}

// FileNames returns the names of all attachments and of every archive entry
// inside them, depth first. It is what the text filter searches.
func (m *Message) FileNames() []string {
	var names []string
	for i := range m.Attachments {
		a := &m.Attachments[i]
		if a.Filename != "" {
			names = append(names, a.Filename)
		}
		if a.Archive != nil {
			names = a.Archive.appendNames(names)
		}
	}
	return names
}
