package app

import (
	"context"

	"mxaudit/mailsrc"
)

// earlyAhead is how many listed entries may wait for the scan before it
// takes any: while the cache opens, the listing goes on rather than
// wait for it. At 100,000 messages the listing then ended 60-90 ms
// sooner on a warm start, which waits for the whole listing; no more is
// listed ahead than the open gives time for. Once the scan takes the
// entries, to hold them for a replay (take) or to stream them to its
// analysis (List), what waits shrinks back to earlyBuffer, few enough to
// keep a scan's memory flat. They go
// over in chunks of up to earlyChunk: one channel send an entry, each
// often waking the reader (a futex call, dear on a VM), took a warm
// start at 100,000 messages 0.13 s after the folder was read.
const (
	earlyAhead  = 1 << 17
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
	ch chan []mailsrc.Entry
	// tokens bound the chunks listed and not yet taken: the listing
	// takes one for each chunk it sends, and take gives it back; List
	// keeps all but earlyBuffer's worth (kept), those of the chunks it
	// takes and those idle, so that fewer wait (reclaim).
	tokens chan struct{}
	kept   int
	cancel context.CancelFunc
	err    error        // the listing's, set before ch is closed
	head   *heldEntries // taken ahead, to be given first
}

// startListing starts listing src; the caller calls stop when done.
func startListing(ctx context.Context, src mailsrc.Source) *earlyListing {
	ctx, cancel := context.WithCancel(ctx)
	l := &earlyListing{Source: src, ch: make(chan []mailsrc.Entry, earlyAhead/earlyChunk),
		tokens: make(chan struct{}, earlyAhead/earlyChunk), cancel: cancel}
	for range cap(l.tokens) {
		l.tokens <- struct{}{}
	}
	go func() {
		defer close(l.ch)
		var chunk []mailsrc.Entry
		send := func() error {
			select {
			case <-l.tokens:
				l.ch <- chunk // never waits: no more chunks wait than there are tokens
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
// rest is listed, as held (heldEntries.at). Room is made for room
// entries (at most limit, and maxSizeHint) at the first
// (newHeldEntries).
func (l *earlyListing) take(ctx context.Context, limit, room int, each func(mailsrc.Entry)) (*heldEntries, bool) {
	l.head = newHeldEntries(min(max(room, 0), limit, maxSizeHint))
	for {
		select {
		case chunk, ok := <-l.ch:
			if !ok {
				return l.head, l.err == nil
			}
			l.giveBack()
			from := l.head.len()
			for _, e := range chunk {
				l.head.add(e)
			}
			if l.head.len() > limit {
				return nil, false
			}
			if each != nil {
				// The entries as held: an ID each keeps (a console's kept
				// digest) is then the held listing's copy, and the texts
				// the source made for the listing go as it goes
				// (briefList).
				for i := from; i < l.head.len(); i++ {
					each(l.head.at(i))
				}
			}
		case <-ctx.Done():
			return nil, false
		}
	}
}

// giveBack returns the token of a chunk taken, unless fewer than all
// but earlyBuffer's worth are kept: once the scan takes the entries,
// whether to hold them (take) or to analyse them (List), the listing
// need wait no further ahead than that. Taken whole ahead of a replay,
// a million messages' listing kept the 512 chunks of earlyAhead waiting
// (12 MB of entries) until its end, beside the entries held.
func (l *earlyListing) giveBack() {
	if l.kept < cap(l.tokens)-earlyBuffer/earlyChunk {
		l.kept++
		return
	}
	l.tokens <- struct{}{}
}

// reclaim keeps the idle tokens, up to all but earlyBuffer's worth: the
// listing then waits as soon as that many chunks wait, not once List has
// taken every chunk it could list ahead.
func (l *earlyListing) reclaim() {
	for l.kept < cap(l.tokens)-earlyBuffer/earlyChunk {
		select {
		case <-l.tokens:
			l.kept++
		default:
			return
		}
	}
}

// List gives the entries taken ahead, then the rest of the listing, and
// ends with the listing's error.
func (l *earlyListing) List(ctx context.Context, fn func(mailsrc.Entry) error) error {
	l.reclaim()
	head := l.head
	l.head = nil
	if head != nil {
		if err := head.list(ctx, 0, true, fn); err != nil {
			return err
		}
	}
	for {
		select {
		case chunk, ok := <-l.ch:
			if !ok {
				return l.err
			}
			l.giveBack()
			l.reclaim()
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
