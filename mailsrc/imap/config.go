// Package imap opens an IMAP mailbox as a quarantine: a mailsrc.Source
// whose message IDs are "UIDVALIDITY/UID", with an efficient summary listing
// (mailsrc.Summarizer), change notification (mailsrc.Watcher) and release
// and delete (mailsrc.Mover). Nothing it does sets \Seen: the listing and
// every fetch run on a mailbox opened read-only with EXAMINE and use
// BODY.PEEK; only release and delete SELECT the mailbox, on a connection of
// their own.
package imap

import (
	"context"
	"errors"
	"fmt"
	"net"
	"net/url"
	"strings"
	"time"
)

// DeleteMode says what Delete does with a message.
type DeleteMode string

// Delete modes.
const (
	// DeleteToTrash moves the message to Config.TrashMailbox (the default).
	DeleteToTrash DeleteMode = "trash"
	// DeleteExpunge flags the message \Deleted and expunges that UID only.
	DeleteExpunge DeleteMode = "expunge"
)

// Defaults applied by Open to zero Config fields.
const (
	DefaultBatch        = 500
	DefaultTrash        = "Trash"
	DefaultPollInterval = 30 * time.Second
	DefaultMaxAttempts  = 8
)

// Config says which mailbox to open and how.
type Config struct {
	// URL is imaps://user@host[:port]/Mailbox (implicit TLS, port 993) or
	// imap://user@host[:port]/Mailbox (STARTTLS required, port 143). The
	// user may be percent-encoded ("ops%40example.com"); the mailbox
	// defaults to INBOX. A password in the URL is refused.
	URL string
	// CAFile is a PEM file of extra trusted CA certificates, for a server
	// with a private CA. The system roots stay trusted.
	CAFile string
	// InsecurePlaintext allows imap:// without STARTTLS: the password
	// crosses the network in clear. It is meant for loopback tests only.
	InsecurePlaintext bool
	// Password says where the password comes from. It is not used when
	// TokenCommand is set.
	Password PasswordSource
	// TokenCommand, when set, is run with "sh -c" at every (re)connection;
	// its first output line is an OAuth 2 access token used with
	// AUTHENTICATE OAUTHBEARER, or XOAUTH2 when only that is offered.
	TokenCommand string
	// Batch is how many messages one UID FETCH asks for; 0 means
	// DefaultBatch.
	Batch int
	// ReleaseMailbox is where Release moves a message when it is given no
	// destination.
	ReleaseMailbox string
	// TrashMailbox is where Delete moves a message in DeleteToTrash mode;
	// "" means DefaultTrash.
	TrashMailbox string
	// DeleteMode is DeleteToTrash ("" too) or DeleteExpunge.
	DeleteMode DeleteMode
	// PollInterval is how often Watch sends NOOP to a server without IDLE;
	// 0 means DefaultPollInterval.
	PollInterval time.Duration
	// MaxAttempts bounds the connection attempts made to recover one
	// operation after the connection dropped; 0 means DefaultMaxAttempts.
	MaxAttempts int
	// DialTimeout bounds connecting and the TLS handshake; 0 means 30 s.
	DialTimeout time.Duration
	// Logf, when set, receives notes for the operator's log: reconnections,
	// messages that vanished. It never receives secrets.
	Logf func(format string, args ...any)

	// sleep waits between reconnection attempts; tests replace it.
	sleep func(ctx context.Context, d time.Duration) error
}

// endpoint is a parsed Config.URL.
type endpoint struct {
	implicitTLS bool
	addr        string // host:port
	host        string // for certificate verification
	user        string
	mailbox     string
}

// String renders the endpoint without secrets, for titles and logs.
func (e endpoint) String() string {
	scheme := "imap"
	if e.implicitTLS {
		scheme = "imaps"
	}
	u := url.URL{Scheme: scheme, User: url.User(e.user), Host: e.addr, Path: "/" + e.mailbox}
	return u.String()
}

// parseURL checks and splits Config.URL. Its errors never repeat a
// password found in the URL.
func parseURL(raw string) (endpoint, error) {
	u, err := url.Parse(raw)
	if err != nil {
		// url.Parse quotes the input, password included: do not wrap it.
		return endpoint{}, errors.New("imap: malformed URL (expected imaps://user@host[:port]/Mailbox)")
	}
	var e endpoint
	port := ""
	switch strings.ToLower(u.Scheme) {
	case "imaps":
		e.implicitTLS, port = true, "993"
	case "imap":
		port = "143"
	default:
		return endpoint{}, fmt.Errorf("imap: URL scheme %q is not imap or imaps", u.Scheme)
	}
	if u.User == nil || u.User.Username() == "" {
		return endpoint{}, errors.New("imap: the URL names no user (imaps://user@host/Mailbox)")
	}
	if _, has := u.User.Password(); has {
		return endpoint{}, errors.New("imap: a password in the URL is refused: it would show in the process list and shell history; use MXAUDIT_IMAP_PASSWORD, password_file or password_command")
	}
	e.user = u.User.Username()
	e.host = u.Hostname()
	if e.host == "" {
		return endpoint{}, errors.New("imap: the URL names no host")
	}
	if p := u.Port(); p != "" {
		port = p
	}
	e.addr = net.JoinHostPort(e.host, port)
	if u.RawQuery != "" || u.Fragment != "" {
		return endpoint{}, errors.New("imap: the URL must not have a query or fragment")
	}
	e.mailbox = strings.TrimPrefix(u.Path, "/")
	if e.mailbox == "" {
		e.mailbox = "INBOX"
	}
	return e, nil
}

// withDefaults returns cfg with zero fields set to their defaults.
func (cfg Config) withDefaults() Config {
	if cfg.Batch <= 0 {
		cfg.Batch = DefaultBatch
	}
	if cfg.TrashMailbox == "" {
		cfg.TrashMailbox = DefaultTrash
	}
	if cfg.DeleteMode == "" {
		cfg.DeleteMode = DeleteToTrash
	}
	if cfg.PollInterval <= 0 {
		cfg.PollInterval = DefaultPollInterval
	}
	if cfg.MaxAttempts <= 0 {
		cfg.MaxAttempts = DefaultMaxAttempts
	}
	if cfg.DialTimeout <= 0 {
		cfg.DialTimeout = 30 * time.Second
	}
	if cfg.Logf == nil {
		cfg.Logf = func(string, ...any) {}
	}
	if cfg.sleep == nil {
		cfg.sleep = sleepCtx
	}
	return cfg
}

// sleepCtx waits for d or until ctx is done.
func sleepCtx(ctx context.Context, d time.Duration) error {
	t := time.NewTimer(d)
	defer t.Stop()
	select {
	case <-t.C:
		return nil
	case <-ctx.Done():
		return ctx.Err()
	}
}
