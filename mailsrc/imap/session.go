package imap

import (
	"context"
	"errors"
	"fmt"
	"math/rand/v2"
	"sync"
	"time"

	goimap "github.com/emersion/go-imap/v2"
	"github.com/emersion/go-imap/v2/imapclient"
)

// ErrUIDValidityChanged is returned (wrapped) when the mailbox's UIDVALIDITY
// differs from the one the IDs in hand were made with: every ID is void and
// the caller must list again. The next call succeeds with the new value.
var ErrUIDValidityChanged = errors.New("imap: the mailbox UIDVALIDITY changed; message IDs are void, reload the list")

// ErrNoUIDPlus is returned by Release and Delete on a server that has
// neither MOVE nor UIDPLUS: removing one message would need a plain
// EXPUNGE, which also removes what other operators flagged \Deleted.
var ErrNoUIDPlus = errors.New("imap: the server offers neither MOVE nor UIDPLUS; refusing a plain EXPUNGE that could remove other operators' deletions")

// session is one logical connection with the mailbox selected, re-dialled
// on demand after a failure. The reader session (listing, Open) and the
// watcher use EXAMINE; the action session (release, delete) uses SELECT.
type session struct {
	src      *Source
	readOnly bool
	handler  *imapclient.UnilateralDataHandler

	mu       sync.Mutex
	c        *imapclient.Client
	gen      uint64
	validity uint32 // UIDVALIDITY at the last select; 0 before the first
}

// conn is a session's client as one operation sees it.
type conn struct {
	c        *imapclient.Client
	gen      uint64
	validity uint32
}

func newSession(src *Source, readOnly bool, handler *imapclient.UnilateralDataHandler) *session {
	return &session{src: src, readOnly: readOnly, handler: handler}
}

// get returns the live client, connecting and selecting first when there
// is none. When the new selection reveals a changed UIDVALIDITY it returns
// the client and an error wrapping ErrUIDValidityChanged; the following
// call returns the same client without error.
func (s *session) get(ctx context.Context) (conn, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.c != nil {
		select {
		case <-s.c.Closed():
			s.c = nil
		default:
			return conn{s.c, s.gen, s.validity}, nil
		}
	}
	c, err := s.src.connect(ctx, s.handler)
	if err != nil {
		return conn{}, err
	}
	opts := &goimap.SelectOptions{ReadOnly: s.readOnly}
	data, err := c.Select(s.src.ep.mailbox, opts).Wait()
	if err != nil {
		c.Close()
		var ierr *goimap.Error
		if errors.As(err, &ierr) {
			return conn{}, permanentError{fmt.Errorf("imap: cannot open mailbox %q: %w", s.src.ep.mailbox, err)}
		}
		return conn{}, err
	}
	s.c = c
	s.gen++
	old := s.validity
	s.validity = data.UIDValidity
	cn := conn{c, s.gen, s.validity}
	if old != 0 && old != data.UIDValidity {
		s.src.cfg.Logf("imap: %s: UIDVALIDITY changed from %d to %d; the list must be reloaded", s.src.ep, old, data.UIDValidity)
		return cn, fmt.Errorf("%w (was %d, now %d)", ErrUIDValidityChanged, old, data.UIDValidity)
	}
	return cn, nil
}

// drop closes the client of generation gen, if it is still the current
// one, so that the next get dials again.
func (s *session) drop(gen uint64) {
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.c != nil && s.gen == gen {
		s.c.Close()
		s.c = nil
	}
}

// close logs out politely, waiting briefly, then closes.
func (s *session) close() {
	s.mu.Lock()
	c := s.c
	s.c = nil
	s.mu.Unlock()
	if c == nil {
		return
	}
	done := make(chan struct{})
	go func() {
		c.Logout().Wait()
		close(done)
	}()
	select {
	case <-done:
	case <-time.After(2 * time.Second):
	}
	c.Close()
}

// callerError wraps an error returned by a caller's callback, which must
// stop the operation as it is rather than trigger a reconnection.
type callerError struct{ err error }

func (e callerError) Error() string { return e.err.Error() }
func (e callerError) Unwrap() error { return e.err }

// retryable tells a dropped or broken connection, which a reconnection may
// cure, from everything else.
func retryable(ctx context.Context, err error) bool {
	if ctx.Err() != nil || errors.Is(err, context.Canceled) || errors.Is(err, context.DeadlineExceeded) {
		return false
	}
	var ierr *goimap.Error
	var perm permanentError
	var cerr callerError
	switch {
	case errors.As(err, &ierr), errors.As(err, &perm), errors.As(err, &cerr):
		return false
	case errors.Is(err, ErrUIDValidityChanged):
		return false
	}
	return true
}

// backoff is the wait before reconnection attempt n (1-based): 250 ms
// doubling to at most 10 s, plus up to 20 % jitter so that several
// consoles do not hammer a restarting server in step.
func backoff(n int) time.Duration {
	d := 250 * time.Millisecond << min(n-1, 6)
	d = min(d, 10*time.Second)
	return d + time.Duration(rand.Int64N(int64(d/5)+1))
}

// run calls op with a live client of sess, reconnecting with backoff and
// calling op again when the connection fails, up to MaxAttempts in a row.
// op must be written to resume: it is called again from the start after a
// reconnection. progress, when not nil, counts op's useful work (messages
// delivered): an attempt that made progress starts the count afresh, so a
// long listing survives any number of separate blips. Errors that a
// reconnection cannot cure are returned at once, callback errors
// unwrapped.
func (s *Source) run(ctx context.Context, sess *session, op func(conn) error, progress func() int) error {
	done := 0
	for attempt := 1; ; attempt++ {
		if err := ctx.Err(); err != nil {
			return err
		}
		cn, err := sess.get(ctx)
		if err == nil {
			err = op(cn)
		}
		if err == nil {
			return nil
		}
		if !retryable(ctx, err) {
			var cerr callerError
			if errors.As(err, &cerr) {
				return cerr.err
			}
			if ctx.Err() != nil {
				return ctx.Err()
			}
			return err
		}
		sess.drop(cn.gen)
		if progress != nil && progress() > done {
			done, attempt = progress(), 1
		}
		if attempt >= s.cfg.MaxAttempts {
			return fmt.Errorf("imap: %s: giving up after %d connection attempts: %w", s.ep.addr, attempt, err)
		}
		wait := backoff(attempt)
		s.cfg.Logf("imap: %s: connection lost (%v); reconnecting in %v", s.ep.addr, err, wait.Round(time.Millisecond))
		if err := s.cfg.sleep(ctx, wait); err != nil {
			return err
		}
	}
}
