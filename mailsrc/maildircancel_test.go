package mailsrc

import (
	"context"
	"errors"
	"fmt"
	"testing"
)

// TestMaildirCancelledListingFails: a listing whose context is cancelled
// before it returns never ends in nil, wherever the cancel falls (at the
// end of the first chunk, inside the second, at the last entry). A worker
// cuts its chunk short on cancel and may hand over an empty one; a nil
// there read as a complete listing, after which the scan prunes the cache
// (found in review).
func TestMaildirCancelledListingFails(t *testing.T) {
	files := map[string]string{}
	for i := range 300 {
		files[fmt.Sprintf("cur/%d.M%dP1.host:2,", 1700000000+i, i)] = "Subject: x\n\n"
	}
	_, md := newTestMaildir(t, files)
	for _, at := range []int{256, 280, 300} {
		t.Run(fmt.Sprint(at), func(t *testing.T) {
			for range 20 {
				ctx, cancel := context.WithCancel(context.Background())
				n := 0
				err := md.List(ctx, func(Entry) error {
					if n++; n == at {
						cancel()
					}
					return nil
				})
				cancel()
				if !errors.Is(err, context.Canceled) {
					t.Fatalf("List cancelled at entry %d of 300 returned %v after %d entries, want context.Canceled", at, err, n)
				}
			}
		})
	}
}
