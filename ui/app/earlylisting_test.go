package app

import (
	"context"
	"errors"
	"fmt"
	"testing"

	"mxaudit/mailsrc"
	"mxaudit/model"
)

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
					got, whole := l.take(context.Background(), limit, nil)
					if want := listErr == nil && n <= limit; whole != want || whole && len(got) != n {
						t.Errorf("%s: take gave %d entries, whole %v", name, len(got), whole)
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
