package dmarcreport

import (
	"context"
	"errors"
	"fmt"
	"sync"
	"sync/atomic"
	"testing"
	"time"
)

// TestBatchOrder checks that results arrive in the order the items were
// added even when a later item finishes first.
func TestBatchOrder(t *testing.T) {
	var got []string
	b := NewBatch(context.Background(), 4, Limits{}, func(where string, reps []*Report, err error) {
		got = append(got, where)
	})
	first := make(chan struct{})
	for i := range 20 {
		where := fmt.Sprint(i)
		b.Add(where, func(Limits) ([]*Report, error) {
			switch i {
			case 0:
				<-first // waits until the item after it is done
			case 1:
				close(first)
			}
			return nil, nil
		})
	}
	b.Wait()
	for i, w := range got {
		if w != fmt.Sprint(i) {
			t.Fatalf("delivered %v", got)
		}
	}
	if len(got) != 20 {
		t.Fatalf("delivered %d of 20", len(got))
	}
}

// TestBatchBudget reads items that are too large for the small cap on
// four workers: they are read again under the full cap one at a time,
// while small reads run side by side; an ErrTooLarge that is not about
// size is not read again.
func TestBatchBudget(t *testing.T) {
	const workers = 4
	lim := Limits{MaxBytes: 64 << 20}
	var full, fullMax, calls atomic.Int32
	var small sync.WaitGroup
	small.Add(workers)
	allSmall := make(chan struct{})
	go func() { small.Wait(); close(allSmall) }()
	var errs []error
	b := NewBatch(context.Background(), workers, lim, func(where string, reps []*Report, err error) {
		errs = append(errs, err)
	})
	bomb := func(lim Limits) ([]*Report, error) {
		calls.Add(1)
		if lim.MaxBytes < 64<<20 {
			return nil, &SizeError{What: "report", Limit: lim.MaxBytes}
		}
		n := full.Add(1)
		fullMax.Store(max(fullMax.Load(), n))
		// Give a second full read, were one let in, time to overlap.
		time.Sleep(5 * time.Millisecond)
		full.Add(-1)
		return nil, &SizeError{What: "report", Limit: lim.MaxBytes}
	}
	for i := range workers {
		b.Add(fmt.Sprint("small", i), func(lim Limits) ([]*Report, error) {
			if lim.MaxBytes != SmallBytes {
				t.Errorf("first read under %d bytes", lim.MaxBytes)
			}
			small.Done()
			select {
			case <-allSmall:
			case <-time.After(10 * time.Second):
				t.Error("small reads did not run side by side")
			}
			return nil, nil
		})
	}
	for i := range 8 {
		b.Add(fmt.Sprint("bomb", i), bomb)
	}
	nesting := 0
	b.Add("nesting", func(Limits) ([]*Report, error) {
		nesting++
		return nil, fmt.Errorf("%w: containers nested deeper than 3", ErrTooLarge)
	})
	b.Wait()
	if fullMax.Load() != 1 {
		t.Errorf("%d full-cap reads at once, want 1", fullMax.Load())
	}
	if calls.Load() != 16 || nesting != 1 {
		t.Errorf("%d bomb reads (want 2 each of 8), %d nesting reads (want 1)", calls.Load(), nesting)
	}
	var size *SizeError
	if len(errs) != workers+9 || !errors.As(errs[workers], &size) || size.Limit != 64<<20 {
		t.Errorf("errors delivered: %v", errs)
	}
}

// TestBatchCancel stops adding once the context ends, and Wait returns.
func TestBatchCancel(t *testing.T) {
	ctx, cancel := context.WithCancel(context.Background())
	delivered := 0
	b := NewBatch(ctx, 2, Limits{}, func(string, []*Report, error) { delivered++ })
	for i := range 5 {
		if err := b.Add(fmt.Sprint(i), func(Limits) ([]*Report, error) { return nil, nil }); err != nil {
			t.Fatal(err)
		}
	}
	cancel()
	if err := b.Add("late", func(Limits) ([]*Report, error) { return nil, nil }); !errors.Is(err, context.Canceled) {
		t.Errorf("Add after cancel: %v", err)
	}
	b.Wait()
	if delivered != 5 {
		t.Errorf("%d delivered, want the 5 added before the cancel", delivered)
	}
}
