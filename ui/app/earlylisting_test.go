package app

import (
	"context"
	"errors"
	"fmt"
	"sync/atomic"
	"testing"
	"time"

	"mxaudit/mailsrc"
	"mxaudit/model"
)

// listedSource is a source whose listing is entries.
type listedSource struct {
	mailsrc.Source
	entries []mailsrc.Entry
}

func (s listedSource) List(ctx context.Context, fn func(mailsrc.Entry) error) error {
	for _, e := range s.entries {
		if err := ctx.Err(); err != nil {
			return err
		}
		if err := fn(e); err != nil {
			return err
		}
	}
	return nil
}

// failingListing lists its entries, then fails with err (nil: succeeds).
type failingListing struct {
	listedSource
	err error
}

func (s failingListing) List(ctx context.Context, fn func(mailsrc.Entry) error) error {
	if err := s.listedSource.List(ctx, fn); err != nil {
		return err
	}
	return s.err
}

// TestEarlyListingGivesTheWholeListing: whatever was taken ahead, List
// gives every entry once, in order, and ends with the listing's error;
// take says a listing is whole only when it ended, within the limit and
// without an error.
func TestEarlyListingGivesTheWholeListing(t *testing.T) {
	var entries []mailsrc.Entry
	for i := range 3 * earlyBuffer {
		entries = append(entries, mailsrc.Entry{ID: model.MessageID(fmt.Sprint(i))})
	}
	broken := errors.New("listing failed")
	for _, n := range []int{0, 5, earlyBuffer + 7, len(entries)} {
		for _, listErr := range []error{nil, broken} {
			for _, limit := range []int{-1, 0, n - 1, n, n + 1} {
				name := fmt.Sprintf("%d entries, error %v, limit %d", n, listErr, limit)
				l := startListing(context.Background(), failingListing{listedSource{entries: entries[:n]}, listErr})
				if limit >= 0 {
					got, whole := l.take(context.Background(), limit, limit, nil)
					if want := listErr == nil && n <= limit; whole != want || whole && got.len() != n {
						t.Errorf("%s: take gave %d entries, whole %v", name, heldLen(got), whole)
					}
				}
				var ids []model.MessageID
				err := l.List(context.Background(), func(e mailsrc.Entry) error { ids = append(ids, e.ID); return nil })
				if !errors.Is(err, listErr) || listErr == nil && err != nil {
					t.Errorf("%s: List ended with %v", name, err)
				}
				if len(ids) != n {
					t.Fatalf("%s: List gave %d entries", name, len(ids))
				}
				for i, id := range ids {
					if id != entries[i].ID {
						t.Fatalf("%s: entry %d is %s", name, i, id)
					}
				}
				l.stop()
			}
		}
	}
	// A consumer that stops: List ends with its error, stop ends the
	// listing.
	l := startListing(context.Background(), failingListing{listedSource{entries: entries}, nil})
	stopHere := errors.New("enough")
	if err := l.List(context.Background(), func(mailsrc.Entry) error { return stopHere }); err != stopHere {
		t.Errorf("List ended with %v", err)
	}
	l.stop()
}

// stallingListing lists one entry, then waits until released (or
// cancelled) before the rest: a slow source.
type stallingListing struct {
	mailsrc.Source
	first, rest []mailsrc.Entry
	release     chan struct{}
}

func (s stallingListing) List(ctx context.Context, fn func(mailsrc.Entry) error) error {
	if err := (listedSource{entries: s.first}).List(ctx, fn); err != nil {
		return err
	}
	select {
	case <-s.release:
	case <-ctx.Done():
		return ctx.Err()
	}
	return listedSource{entries: s.rest}.List(ctx, fn)
}

// TestEarlyListingPassesASlowSourcesEntriesOn: an entry a source lists
// reaches the scan while the source is still listing, when the scan is
// waiting for it, rather than once a chunk is full: the first entries of
// a slow source are analysed while it lists the rest.
func TestEarlyListingPassesASlowSourcesEntriesOn(t *testing.T) {
	var entries []mailsrc.Entry
	for i := range earlyChunk + 10 {
		entries = append(entries, mailsrc.Entry{ID: model.MessageID(fmt.Sprint(i))})
	}
	src := stallingListing{first: entries[:3], rest: entries[3:], release: make(chan struct{})}
	// Held back, the first entry would never come: the listing fails
	// at the deadline instead of hanging the test.
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	l := startListing(ctx, src)
	defer l.stop()
	var got []model.MessageID
	err := l.List(ctx, func(e mailsrc.Entry) error {
		if got = append(got, e.ID); len(got) == 1 {
			close(src.release) // the source lists the rest only once the first entry is in
		}
		return nil
	})
	if err != nil || len(got) != len(entries) {
		t.Fatalf("listed %d of %d entries: %v", len(got), len(entries), err)
	}
	for i, id := range got {
		if id != entries[i].ID {
			t.Fatalf("entry %d is %s", i, id)
		}
	}
}

// countingListing lists its entries and counts those it has handed on.
type countingListing struct {
	mailsrc.Source
	listed *atomic.Int64
}

func (s countingListing) List(ctx context.Context, fn func(mailsrc.Entry) error) error {
	return s.Source.List(ctx, func(e mailsrc.Entry) error {
		s.listed.Add(1)
		return fn(e)
	})
}

// TestEarlyListingGoesAheadOnlyUntilStreamed: before the scan takes
// anything, the listing goes on up to earlyAhead entries; once List
// streams them, no more than earlyBuffer wait beyond the chunk being
// filled and the one being given.
func TestEarlyListingGoesAheadOnlyUntilStreamed(t *testing.T) {
	ctx, entries, l, listed := listedAhead(t, earlyAhead+3*earlyBuffer)
	given := 0
	err := l.List(ctx, func(e mailsrc.Entry) error {
		if e.ID != entries[given].ID {
			return fmt.Errorf("entry %d is %s", given, e.ID)
		}
		given++
		waiting := int(listed.Load()) - given
		if waiting > earlyAhead+earlyChunk {
			return fmt.Errorf("%d entries wait, more than %d", waiting, earlyAhead)
		}
		if given > earlyAhead && waiting > earlyBuffer+2*earlyChunk {
			return fmt.Errorf("%d entries wait at entry %d, while streamed", waiting, given)
		}
		return nil
	})
	if err != nil || given != len(entries) {
		t.Fatalf("gave %d of %d entries: %v", given, len(entries), err)
	}
}

// TestEarlyListingStreamedRightAwayWaitsForFew: a listing streamed from
// the start (a cold scan, with no snapshot to take it for) keeps no more
// than earlyBuffer entries waiting for a slow scan, beyond the chunk
// being filled and the one being given.
func TestEarlyListingStreamedRightAwayWaitsForFew(t *testing.T) {
	var entries []mailsrc.Entry
	for i := range 4*earlyBuffer + 100 {
		entries = append(entries, mailsrc.Entry{ID: model.MessageID(fmt.Sprint(i))})
	}
	// The source lists the rest only once the scan has the first entry:
	// List has begun, and nothing was listed ahead of it.
	var listed atomic.Int64
	src := stallingListing{first: entries[:1], rest: entries[1:], release: make(chan struct{})}
	ctx, cancel := context.WithTimeout(context.Background(), 20*time.Second)
	defer cancel()
	l := startListing(ctx, countingListing{src, &listed})
	defer l.stop()
	given := 0
	err := l.List(ctx, func(e mailsrc.Entry) error {
		if e.ID != entries[given].ID {
			return fmt.Errorf("entry %d is %s", given, e.ID)
		}
		if given++; given == 1 {
			close(src.release)
		}
		if waiting := int(listed.Load()) - given; waiting > earlyBuffer+2*earlyChunk {
			return fmt.Errorf("%d entries wait at entry %d", waiting, given)
		}
		if given%256 == 0 {
			time.Sleep(time.Millisecond) // a scan slower than the listing
		}
		return nil
	})
	if err != nil || given != len(entries) {
		t.Fatalf("gave %d of %d entries: %v", given, len(entries), err)
	}
}

// heldLen is h's length, 0 for none.
func heldLen(h *heldEntries) int {
	if h == nil {
		return 0
	}
	return h.len()
}

// TestEarlyListingTakenWaitsForFew: a listing taken ahead of a replay
// (take), by a scan slower than the listing, keeps no more than
// earlyBuffer entries waiting once the scan has taken what was listed
// before it began, beyond the chunk being filled and the one being
// taken; and take holds every entry, in order.
func TestEarlyListingTakenWaitsForFew(t *testing.T) {
	ctx, entries, l, listed := listedAhead(t, earlyAhead+4*earlyBuffer)
	taken, worst := 0, 0
	held, whole := l.take(ctx, len(entries), len(entries), func(mailsrc.Entry) {
		if taken++; taken > earlyAhead {
			worst = max(worst, int(listed.Load())-taken)
		}
		if taken%256 == 0 {
			time.Sleep(time.Millisecond) // a scan slower than the listing
		}
	})
	if !whole || held.len() != len(entries) {
		t.Fatalf("took %d of %d entries, whole %v", held.len(), len(entries), whole)
	}
	for i := range entries {
		if held.id(i) != entries[i].ID {
			t.Fatalf("entry %d is %s", i, held.id(i))
		}
	}
	if worst > earlyBuffer+2*earlyChunk {
		t.Errorf("%d entries waited while taken, more than %d", worst, earlyBuffer+2*earlyChunk)
	}
}

// listedAhead starts listing n entries (more than earlyAhead) and waits
// until earlyAhead are listed, as they are while a cache opens; it
// returns the test's context, the entries, the listing, and how many
// the source has listed.
func listedAhead(t *testing.T, n int) (context.Context, []mailsrc.Entry, *earlyListing, *atomic.Int64) {
	t.Helper()
	var entries []mailsrc.Entry
	for i := range n {
		entries = append(entries, mailsrc.Entry{ID: model.MessageID(fmt.Sprint(i))})
	}
	ctx, cancel := context.WithTimeout(context.Background(), 20*time.Second)
	t.Cleanup(cancel)
	listed := new(atomic.Int64)
	l := startListing(ctx, countingListing{listedSource{entries: entries}, listed})
	t.Cleanup(l.stop)
	for listed.Load() < earlyAhead {
		if ctx.Err() != nil {
			t.Fatalf("the listing stopped at %d entries before the scan took any", listed.Load())
		}
		time.Sleep(time.Millisecond)
	}
	return ctx, entries, l, listed
}
