package app

import (
	"context"

	"mxaudit/mailsrc"
)

// earlyBuffer is how many listed entries wait for the scan: enough for a
// Maildir's first chunks of metadata, few enough to keep a cold scan's
// memory flat. They go over in chunks of up to earlyChunk: one channel
// send an entry, each often waking the reader (a futex call, dear on a
// VM), took a warm start at 100,000 messages 0.13 s after the folder was
// read.
const (
	earlyBuffer = 4096
	earlyChunk  = 256
)

// earlyListing lists a source on a goroutine of its own from the moment
// a scan starts, while the analysis cache reads its index: on a warm
// reopen the two take about as long, and neither needs the other. Its
// List gives what was taken ahead (take) and then the rest, once: it is
// the listing of one scan.
type earlyListing struct {
	mailsrc.Source
	ch     chan []mailsrc.Entry
	cancel context.CancelFunc
	err    error           // the listing's, set before ch is closed
	head   []mailsrc.Entry // taken ahead, to be given first
}

// startListing starts listing src; the caller calls stop when done.
func startListing(ctx context.Context, src mailsrc.Source) *earlyListing {
	ctx, cancel := context.WithCancel(ctx)
	l := &earlyListing{Source: src, ch: make(chan []mailsrc.Entry, earlyBuffer/earlyChunk), cancel: cancel}
	go func() {
		defer close(l.ch)
		var chunk []mailsrc.Entry
		send := func() error {
			select {
			case l.ch <- chunk:
				chunk = nil
				return nil
			case <-ctx.Done():
				return ctx.Err()
			}
		}
		err := src.List(ctx, func(e mailsrc.Entry) error {
			if chunk == nil {
				chunk = make([]mailsrc.Entry, 0, earlyChunk)
			}
			// A chunk goes when it is full, or at once while the scan
			// has nothing to take: a slow source's first entries (a
			// directory of files read as they are listed, on slow
			// storage) are not held back for 255 more.
			if chunk = append(chunk, e); len(chunk) >= earlyChunk || len(l.ch) == 0 {
				return send()
			}
			return nil
		})
		if len(chunk) > 0 {
			if serr := send(); err == nil {
				err = serr
			}
		}
		l.err = err
	}()
	return l
}

// stop ends the listing and waits for its goroutine.
func (l *earlyListing) stop() {
	l.cancel()
	for range l.ch {
	}
}

// take reads the listing ahead, up to limit entries, and reports whether
// that is all of it, listed without an error. The entries stay to be
// given by List. each, when set, sees every entry as it comes, while the
// rest is listed.
func (l *earlyListing) take(ctx context.Context, limit int, each func(mailsrc.Entry)) ([]mailsrc.Entry, bool) {
	l.head = make([]mailsrc.Entry, 0, min(max(limit, 0), maxSizeHint))
	for {
		select {
		case chunk, ok := <-l.ch:
			if !ok {
				return l.head, l.err == nil
			}
			l.head = append(l.head, chunk...)
			if len(l.head) > limit {
				return nil, false
			}
			if each != nil {
				for _, e := range chunk {
					each(e)
				}
			}
		case <-ctx.Done():
			return nil, false
		}
	}
}

// List gives the entries taken ahead, then the rest of the listing, and
// ends with the listing's error.
func (l *earlyListing) List(ctx context.Context, fn func(mailsrc.Entry) error) error {
	head := l.head
	l.head = nil
	for _, e := range head {
		if err := ctx.Err(); err != nil {
			return err
		}
		if err := fn(e); err != nil {
			return err
		}
	}
	for {
		select {
		case chunk, ok := <-l.ch:
			if !ok {
				return l.err
			}
			for _, e := range chunk {
				if err := ctx.Err(); err != nil {
					return err
				}
				if err := fn(e); err != nil {
					return err
				}
			}
		case <-ctx.Done():
			return ctx.Err()
		}
	}
}
