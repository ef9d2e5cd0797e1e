package model

import (
	"bytes"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"fmt"
	"net/url"
	"strings"
	"time"
)

// AuditAction names what an audit record records.
type AuditAction string

// Audited actions.
const (
	ActionRelease          AuditAction = "release"
	ActionDelete           AuditAction = "delete"
	ActionPurge            AuditAction = "purge"   // a deleted message removed from the trash for good
	ActionRestore          AuditAction = "restore" // a deleted message moved back from the trash
	ActionExceptionAdd     AuditAction = "exception-add"
	ActionExceptionApprove AuditAction = "exception-approve"
	ActionExceptionRevoke  AuditAction = "exception-revoke"
	// ActionNotify is a notification sent to a partner about held mail
	// (Detail starts "partner DOMAIN;").
	ActionNotify AuditAction = "notify"
	// ActionHook is a configured hook command that failed after an
	// action; hooks that succeed are not recorded.
	ActionHook AuditAction = "hook"
	// ActionExceptionRemind is an expiry reminder sent for an exception.
	ActionExceptionRemind AuditAction = "exception-remind"
	// ActionExceptionExpire records that an exception was found expired
	// and its expiry hooks were run (once per exception).
	ActionExceptionExpire AuditAction = "exception-expire"
)

// OutcomeOK is the Outcome of an action that succeeded; any other value is
// the error text of one that failed, or OutcomeStarted.
const OutcomeOK = "ok"

// OutcomeStarted is the Outcome of an intent record: written (and
// fsynced) before a release delivers, a delete moves or a purge removes a
// message, so that no mail leaves and nothing is destroyed unless the log
// can say so. The outcome record follows with the same message and
// action; an intent record with none after it is an action that was
// interrupted (a crash, or the log failing mid-run).
const OutcomeStarted = "started"

// AuditEntry is one record of the audit log, one JSON object per line.
//
// The log is a hash chain: PrevHash is the Hash of the record before
// (empty for the first), and Hash is the SHA-256 of this record's JSON
// encoding with Hash left out. Seq numbers records from 1, so that a gap
// or a repeat is named precisely.
//
// Nothing in a record may hold a credential: Source goes through
// RedactSource, and no field is meant for passwords.
type AuditEntry struct {
	Seq       int       `json:"seq"`
	Time      time.Time `json:"time"`
	Operator  string    `json:"operator"`
	SSHClient string    `json:"ssh_client,omitempty"`
	// Key is the SHA256 fingerprint of the operator's SSH key under
	// "mxaudit serve"; absent for a local operator.
	Key    string      `json:"key,omitempty"`
	Action AuditAction `json:"action"`
	Source string      `json:"source,omitempty"`
	// MessageID is mxaudit's ID of the message within Source;
	// HeaderMessageID its Message-ID header, SHA256 the hex digest of its
	// raw bytes.
	MessageID       MessageID `json:"message_id,omitempty"`
	HeaderMessageID string    `json:"header_message_id,omitempty"`
	SHA256          string    `json:"sha256,omitempty"`
	Recipients      []string  `json:"recipients,omitempty"`
	// ExceptionID is the exception the action relied on or changed;
	// ExceptionSHA256, on an approval, the digest of the exception as
	// approved (Exception.ApprovedContent).
	ExceptionID     int    `json:"exception_id,omitempty"`
	ExceptionSHA256 string `json:"exception_sha256,omitempty"`
	OverrideReason  string `json:"override_reason,omitempty"`
	// Detail says more in words: the exception added, the reason given.
	Detail   string `json:"detail,omitempty"`
	Outcome  string `json:"outcome"`
	PrevHash string `json:"prev_hash"`
	Hash     string `json:"hash,omitempty"`
}

// NewAuditEntry starts a record of action by op at now; the caller fills
// in the rest and the outcome.
func NewAuditEntry(action AuditAction, op Operator, now time.Time) AuditEntry {
	return AuditEntry{Time: now, Operator: op.Identity(), SSHClient: op.SSHClient, Key: op.Key, Action: action}
}

// NewMessageEntry starts a record of an action on message m of source:
// the message's IDs are filled in; the caller adds the SHA-256 of the raw
// message, the recipients it went to and the outcome.
func NewMessageEntry(action AuditAction, op Operator, now time.Time, source string, m *Message) AuditEntry {
	e := NewAuditEntry(action, op, now)
	e.Source = RedactSource(source)
	e.MessageID = m.ID
	e.HeaderMessageID = m.MessageID
	return e
}

// Note records in e what a release relied on: the exception the decision
// names, or, for an override, the approver's reason.
func (d Decision) Note(e *AuditEntry, overrideReason string) {
	if d.Exception != nil {
		e.ExceptionID = d.Exception.ID
	}
	if d.Outcome == DecisionNeedsOverride {
		e.OverrideReason = strings.TrimSpace(overrideReason)
	}
}

// SetOutcome sets the outcome from an action's error: "ok" for nil, the
// error text otherwise.
func (e *AuditEntry) SetOutcome(err error) {
	if err == nil {
		e.Outcome = OutcomeOK
		return
	}
	e.Outcome = err.Error()
}

// Encode returns the record as it is written: its canonical JSON, one line
// without the newline. HTML characters are not escaped, so that
// Message-IDs read as they are ("<a@b>").
func (e *AuditEntry) Encode() ([]byte, error) {
	var buf bytes.Buffer
	enc := json.NewEncoder(&buf)
	enc.SetEscapeHTML(false)
	c := *e
	c.Time = c.Time.UTC()
	if err := enc.Encode(&c); err != nil {
		return nil, fmt.Errorf("audit record: %w", err)
	}
	return bytes.TrimSuffix(buf.Bytes(), []byte("\n")), nil
}

// ComputeHash returns the hex SHA-256 of the record's encoding without
// its Hash.
func (e *AuditEntry) ComputeHash() (string, error) {
	c := *e
	c.Hash = ""
	b, err := c.Encode()
	if err != nil {
		return "", err
	}
	sum := sha256.Sum256(b)
	return hex.EncodeToString(sum[:]), nil
}

// Chain makes e the record after prev (nil for the first record): it sets
// Seq, PrevHash and Hash, and normalises Time to UTC, and returns the line
// to write (without the newline).
func (e *AuditEntry) Chain(prev *AuditEntry) ([]byte, error) {
	e.Seq, e.PrevHash = 1, ""
	if prev != nil {
		e.Seq, e.PrevHash = prev.Seq+1, prev.Hash
	}
	e.Time = e.Time.UTC()
	e.Source = RedactSource(e.Source)
	if e.Outcome == "" {
		return nil, fmt.Errorf("audit record: no outcome")
	}
	h, err := e.ComputeHash()
	if err != nil {
		return nil, err
	}
	e.Hash = h
	return e.Encode()
}

// RedactSource removes a password from a source written as a URL
// ("imaps://user:secret@host/INBOX" becomes "imaps://user@host/INBOX"),
// so that no credential reaches the audit log even if a caller passes
// the source as the operator typed it.
func RedactSource(s string) string {
	u, err := url.Parse(s)
	if err != nil {
		return redactUnparsed(s)
	}
	if u.User == nil {
		return s
	}
	if _, has := u.User.Password(); !has {
		return s
	}
	u.User = url.User(u.User.Username())
	return u.String()
}

// redactUnparsed drops what follows the first colon of the user
// information of a URL that url.Parse refused (a password with a space,
// say): everything between "://" and the last "@".
func redactUnparsed(s string) string {
	i := strings.Index(s, "://")
	if i < 0 {
		return s
	}
	rest := s[i+3:]
	at := strings.LastIndexByte(rest, '@')
	if at < 0 {
		return s
	}
	user, _, hasPass := strings.Cut(rest[:at], ":")
	if !hasPass {
		return s
	}
	return s[:i+3] + user + rest[at:]
}
