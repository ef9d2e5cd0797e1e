package imap

import (
	"context"
	"slices"

	goimap "github.com/emersion/go-imap/v2"
	"github.com/emersion/go-imap/v2/imapclient"

	"mxaudit/mailsrc"
)

// batchFetch fetches what one batch of UIDs needs in one round trip. It
// runs on its own goroutine, ahead of the delivery of the previous batch.
type batchFetch[R any] func(c *imapclient.Client, uids []goimap.UID) (R, error)

// batchDeliver turns a fetched batch into callbacks. It calls delivered
// after each message handed to the caller, so that a reconnection resumes
// after it; it wraps callback errors in callerError.
type batchDeliver[R any] func(cn conn, uids []goimap.UID, r R, delivered func(goimap.UID)) error

// walk lists the mailbox in ascending UID order: one UID SEARCH, then one
// fetch per batch of Config.Batch UIDs, the next batch fetched while the
// current one is delivered. Nothing is streamed while a callback runs, so
// a callback may itself call Open on the same connection. After a dropped
// connection it resumes after the last UID delivered: no duplicates.
func walk[R any](ctx context.Context, s *Source, fetch batchFetch[R], deliver batchDeliver[R]) error {
	var (
		last      goimap.UID
		validity  uint32
		delivered []goimap.UID
	)
	mark := func(uid goimap.UID) {
		last = uid
		delivered = append(delivered, uid)
	}
	err := s.run(ctx, s.reader, func(cn conn) error {
		if validity != 0 && cn.validity != validity {
			// Reconnected to a mailbox whose UIDs mean other messages.
			return permanentError{ErrUIDValidityChanged}
		}
		validity = cn.validity
		uids, err := searchUIDs(cn.c, last+1)
		if err != nil {
			return err
		}
		slices.Sort(uids)
		batches := chunk(uids, s.cfg.Batch)
		type result struct {
			r   R
			err error
		}
		start := func(b []goimap.UID) chan result {
			ch := make(chan result, 1) // buffered: an abandoned fetch never blocks
			go func() {
				r, err := fetch(cn.c, b)
				ch <- result{r, err}
			}()
			return ch
		}
		var next chan result
		if len(batches) > 0 {
			next = start(batches[0])
		}
		for i, b := range batches {
			var res result
			select {
			case res = <-next:
			case <-ctx.Done():
				return ctx.Err()
			}
			if res.err != nil {
				return res.err
			}
			if i+1 < len(batches) {
				next = start(batches[i+1])
			}
			before := len(delivered)
			if err := deliver(cn, b, res.r, mark); err != nil {
				return err
			}
			if gone := len(b) - (len(delivered) - before); gone > 0 {
				s.cfg.Logf("imap: %s: %d message(s) vanished during the listing (another operator acted); left out", s.ep, gone)
			}
		}
		return nil
	}, func() int { return len(delivered) })
	if err == nil {
		s.setBaseline(listing{validity, delivered})
	}
	return err
}

// chunk splits uids into slices of at most n.
func chunk(uids []goimap.UID, n int) [][]goimap.UID {
	var out [][]goimap.UID
	for len(uids) > n {
		out = append(out, uids[:n:n])
		uids = uids[n:]
	}
	if len(uids) > 0 {
		out = append(out, uids)
	}
	return out
}

// byUID indexes fetched messages, dropping those that were not asked for.
func byUID(msgs []*imapclient.FetchMessageBuffer) map[goimap.UID]*imapclient.FetchMessageBuffer {
	m := make(map[goimap.UID]*imapclient.FetchMessageBuffer, len(msgs))
	for _, msg := range msgs {
		if msg.UID != 0 {
			m[msg.UID] = msg
		}
	}
	return m
}

// List implements mailsrc.Source: one UID FETCH of (UID RFC822.SIZE
// INTERNALDATE) per batch. A scanner that analyses messages should prefer
// ListSummaries, which avoids fetching every message whole.
func (s *Source) List(ctx context.Context, fn func(mailsrc.Entry) error) error {
	opts := &goimap.FetchOptions{UID: true, RFC822Size: true, InternalDate: true}
	fetch := func(c *imapclient.Client, uids []goimap.UID) ([]*imapclient.FetchMessageBuffer, error) {
		return collect(c.Fetch(goimap.UIDSetNum(uids...), opts))
	}
	deliver := func(cn conn, uids []goimap.UID, msgs []*imapclient.FetchMessageBuffer, delivered func(goimap.UID)) error {
		got := byUID(msgs)
		for _, uid := range uids {
			m, ok := got[uid]
			if !ok {
				continue
			}
			if err := ctx.Err(); err != nil {
				return err
			}
			e := mailsrc.Entry{ID: formatID(cn.validity, uid), Size: m.RFC822Size, Received: m.InternalDate}
			if err := fn(e); err != nil {
				return callerError{err}
			}
			s.stats.messages.Add(1)
			delivered(uid)
		}
		return nil
	}
	return walk(ctx, s, fetch, deliver)
}
