package imap

import (
	"context"
	"crypto/tls"
	"errors"
	"fmt"
	"io"
	"strconv"
	"strings"
	"sync"

	goimap "github.com/emersion/go-imap/v2"
	"github.com/emersion/go-imap/v2/imapclient"

	"mxaudit/mailsrc"
	"mxaudit/model"
)

// Source is an IMAP mailbox seen as a quarantine. It implements
// mailsrc.Source, mailsrc.Summarizer, mailsrc.Watcher and mailsrc.Mover,
// and is safe for concurrent use.
type Source struct {
	cfg      Config
	ep       endpoint
	tls      *tls.Config
	password secret

	stats  counters
	reader *session // EXAMINE: List, ListSummaries, Open
	action *session // SELECT: Release, Delete

	// actMu runs releases and deletes one at a time (see act), so that
	// this Source has at most one claim in progress; claimKeyword is its
	// claim keyword (see ClaimPrefix).
	actMu        sync.Mutex
	claimKeyword goimap.Flag
	// claimHook, when set (by tests), is called at each step of a claim:
	// "looked", "stored", then "waiting" (per extra look) or "won".
	claimHook func(step string)

	mu       sync.Mutex
	baseline listing // the last complete listing, Watch's starting point
}

// listing is the set of UIDs one complete listing delivered.
type listing struct {
	validity uint32
	uids     []goimap.UID
}

var (
	_ mailsrc.Source     = (*Source)(nil)
	_ mailsrc.Summarizer = (*Source)(nil)
	_ mailsrc.Watcher    = (*Source)(nil)
	_ mailsrc.Mover      = (*Source)(nil)
)

// Open checks cfg, obtains the password, connects, authenticates and
// opens the mailbox read-only. It makes one connection attempt: a wrong
// host, certificate, password or mailbox is reported at once.
func Open(ctx context.Context, cfg Config) (*Source, error) {
	cfg = cfg.withDefaults()
	ep, err := parseURL(cfg.URL)
	if err != nil {
		return nil, err
	}
	if !ep.implicitTLS && cfg.InsecurePlaintext && cfg.Logf != nil {
		cfg.Logf("imap: %s: --insecure-plaintext: the password crosses the network in clear text", ep.addr)
	}
	switch cfg.DeleteMode {
	case DeleteToTrash, DeleteExpunge:
	default:
		return nil, fmt.Errorf("imap: unknown delete mode %q (want %q or %q)", cfg.DeleteMode, DeleteToTrash, DeleteExpunge)
	}
	s := &Source{cfg: cfg, ep: ep, claimKeyword: newClaimKeyword()}
	if s.tls, err = tlsConfig(ep, cfg.CAFile); err != nil {
		return nil, err
	}
	if cfg.TokenCommand == "" {
		pw, err := cfg.Password.Resolve(ctx, ep.user+"@"+ep.host)
		if err != nil {
			return nil, err
		}
		s.password = secret(pw)
	}
	s.reader = newSession(s, true, nil)
	s.action = newSession(s, false, nil)
	if _, err := s.reader.get(ctx); err != nil {
		return nil, err
	}
	return s, nil
}

// Name describes the source without secrets ("imaps://ops@host:993/Quarantine").
func (s *Source) Name() string { return s.ep.String() }

// Stats returns the traffic counters so far.
func (s *Source) Stats() Stats { return s.stats.snapshot() }

// Close logs out of every connection the Source holds.
func (s *Source) Close() error {
	s.reader.close()
	s.action.close()
	return nil
}

// formatID makes the message ID "UIDVALIDITY/UID".
func formatID(validity uint32, uid goimap.UID) model.MessageID {
	return model.MessageID(strconv.FormatUint(uint64(validity), 10) + "/" + strconv.FormatUint(uint64(uid), 10))
}

// parseID splits an ID made by formatID.
func parseID(id model.MessageID) (uint32, goimap.UID, error) {
	v, u, ok := strings.Cut(string(id), "/")
	validity, err1 := strconv.ParseUint(v, 10, 32)
	uid, err2 := strconv.ParseUint(u, 10, 32)
	if !ok || err1 != nil || err2 != nil || validity == 0 || uid == 0 {
		return 0, 0, fmt.Errorf("imap: %q is not an IMAP message ID (UIDVALIDITY/UID): %w", id, mailsrc.ErrNotFound)
	}
	return uint32(validity), goimap.UID(uid), nil
}

// staleID is the error for an ID minted under another UIDVALIDITY.
func staleID(id model.MessageID) error {
	return fmt.Errorf("imap: message %s: %w (%w)", id, mailsrc.ErrNotFound, ErrUIDValidityChanged)
}

// Open returns the whole raw message (BODY.PEEK[], so \Seen stays
// unset). It is what DKIM body verification, the raw viewer and a release
// need; the listing uses ListSummaries instead. The message is streamed
// from the connection into a mailsrc.Spool (memory while small, then a
// private temporary file), so that a message of hundreds of MiB costs a
// few MiB; closing the reader removes the file.
func (s *Source) Open(ctx context.Context, id model.MessageID) (io.ReadCloser, error) {
	validity, uid, err := parseID(id)
	if err != nil {
		return nil, err
	}
	spool := mailsrc.NewSpool("")
	section := &goimap.FetchItemBodySection{Peek: true}
	err = s.run(ctx, s.reader, func(cn conn) error {
		if cn.validity != validity {
			return permanentError{staleID(id)}
		}
		if err := spool.Reset(); err != nil {
			return permanentError{err}
		}
		found, err := fetchBody(cn.c, uid, section, spool)
		if err != nil {
			return err
		}
		if !found {
			return permanentError{fmt.Errorf("imap: message %s: %w (another operator may have moved it)", id, mailsrc.ErrNotFound)}
		}
		return nil
	}, nil)
	if err != nil {
		spool.Close()
		return nil, err
	}
	s.stats.opened.Add(1)
	return spool.Owner(), nil
}

// fetchBody fetches section of message uid and streams it into spool as
// it arrives; it reports whether the message answered. A literal of
// another message (a server may interleave answers) is not kept.
func fetchBody(c *imapclient.Client, uid goimap.UID, section *goimap.FetchItemBodySection, spool *mailsrc.Spool) (bool, error) {
	cmd := c.Fetch(goimap.UIDSetNum(uid), &goimap.FetchOptions{UID: true, BodySection: []*goimap.FetchItemBodySection{section}})
	found := false
	var copyErr error
	for msg := cmd.Next(); msg != nil; msg = cmd.Next() {
		var got goimap.UID
		copied := false
		for item := msg.Next(); item != nil; item = msg.Next() {
			switch item := item.(type) {
			case imapclient.FetchItemDataUID:
				got = item.UID
			case imapclient.FetchItemDataBodySection:
				if found || copied || item.Literal == nil || copyErr != nil {
					continue
				}
				copied = true
				if _, err := io.Copy(spool, item.Literal); err != nil {
					copyErr = err
				}
			}
		}
		switch {
		case copied && got == uid && copyErr == nil:
			found = true
		case copied && !found:
			if err := spool.Reset(); err != nil && copyErr == nil {
				copyErr = err
			}
		}
	}
	err := cmd.Close()
	var ierr *goimap.Error
	if errors.As(err, &ierr) && ierr.Code == codeExpungeIssued {
		err = nil
	}
	if err == nil && copyErr != nil {
		// The connection delivered the literal short, or the spool's disk
		// is full: not a reason to retry on a new connection forever.
		err = permanentError{fmt.Errorf("imap: message %d: %w", uid, copyErr)}
	}
	return found, err
}

// codeExpungeIssued is RFC 9051's EXPUNGEISSUED, which go-imap does not name.
const codeExpungeIssued goimap.ResponseCode = "EXPUNGEISSUED"

// collect reads a whole FETCH answer. A NO [EXPUNGEISSUED] — some of the
// asked messages were expunged by another session — is not a failure: the
// messages that remain are returned and the vanished ones are simply absent.
func collect(cmd *imapclient.FetchCommand) ([]*imapclient.FetchMessageBuffer, error) {
	msgs, err := cmd.Collect()
	var ierr *goimap.Error
	if errors.As(err, &ierr) && ierr.Code == codeExpungeIssued {
		return msgs, nil
	}
	return msgs, err
}

// searchUIDs returns the UIDs of the mailbox from from on, ascending.
func searchUIDs(c *imapclient.Client, from goimap.UID) ([]goimap.UID, error) {
	criteria := &goimap.SearchCriteria{UID: []goimap.UIDSet{{{Start: max(from, 1), Stop: 0}}}}
	var opts *goimap.SearchOptions
	if c.Caps().Has(goimap.CapESearch) {
		opts = &goimap.SearchOptions{ReturnAll: true}
	}
	data, err := c.UIDSearch(criteria, opts).Wait()
	if err != nil {
		return nil, err
	}
	set, _ := data.All.(goimap.UIDSet)
	uids, ok := set.Nums()
	if !ok {
		return nil, errors.New("imap: the server answered SEARCH with a dynamic set")
	}
	// "from:*" also matches the highest UID when it is below from.
	out := uids[:0]
	for _, u := range uids {
		if u >= from {
			out = append(out, u)
		}
	}
	return out, nil
}

// setBaseline records a complete listing for Watch.
func (s *Source) setBaseline(l listing) {
	s.mu.Lock()
	s.baseline = l
	s.mu.Unlock()
}

func (s *Source) getBaseline() listing {
	s.mu.Lock()
	defer s.mu.Unlock()
	return listing{s.baseline.validity, append([]goimap.UID(nil), s.baseline.uids...)}
}
