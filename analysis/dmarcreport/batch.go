package dmarcreport

import (
	"context"
	"errors"
	"sync"

	"golang.org/x/sync/semaphore"
)

// SmallBytes is the byte cap of a first read in a Batch: reports that
// decompress to less (nearly all of them) are read side by side; a larger
// one is read again under the full cap, one at a time.
const SmallBytes = 1 << 20

// ReadFunc reads one item of a Batch (a mail, a file) under lim. It may be
// called twice, so it must open the item afresh each time.
type ReadFunc func(lim Limits) ([]*Report, error)

// DeliverFunc receives what one item held, in the order the items were
// added; calls never overlap.
type DeliverFunc func(where string, reps []*Report, err error)

// Batch reads report items on several workers under one memory budget.
//
// Each worker may hold, while it decompresses and parses, up to the byte
// cap it reads under. A first read of each item runs under SmallBytes;
// when it stops at that cap (a SizeError) the worker gives its share back
// and waits for the full Limits.MaxBytes, which the budget (the full cap
// plus one small share per worker) grants to one worker at a time. So N
// bombs, or N large reports, cost about one report's cap whatever the
// number of workers, and the many small reports still run side by side.
// A worker holds one grant at a time, so the budget cannot deadlock.
//
// Results are handed to the DeliverFunc in the order the items were
// added, so that the output does not depend on scheduling.
type Batch struct {
	ctx     context.Context
	lim     Limits
	small   int64
	budget  *semaphore.Weighted
	jobs    chan batchJob
	order   chan chan batchResult
	workers sync.WaitGroup
	done    chan struct{} // closed when every result has been delivered
}

type batchJob struct {
	where string
	read  ReadFunc
	out   chan batchResult
}

type batchResult struct {
	where string
	reps  []*Report
	err   error
}

// NewBatch starts workers (at least one) reading under lim and delivering
// to deliver. Add the items, then Wait.
func NewBatch(ctx context.Context, workers int, lim Limits, deliver DeliverFunc) *Batch {
	lim = lim.withDefaults()
	workers = max(1, workers)
	b := &Batch{
		ctx:   ctx,
		lim:   lim,
		small: min(SmallBytes, lim.MaxBytes),
		jobs:  make(chan batchJob),
		order: make(chan chan batchResult, workers),
		done:  make(chan struct{}),
	}
	b.budget = semaphore.NewWeighted(lim.MaxBytes + int64(workers)*b.small)
	for range workers {
		b.workers.Go(func() {
			for j := range b.jobs {
				reps, err := b.read(j.read)
				j.out <- batchResult{where: j.where, reps: reps, err: err}
			}
		})
	}
	go func() {
		defer close(b.done)
		for out := range b.order {
			r := <-out
			deliver(r.where, r.reps, r.err)
		}
	}()
	return b
}

// Add queues an item, waiting while every worker is busy. It returns the
// context's error, without queueing, once the context is done.
func (b *Batch) Add(where string, read ReadFunc) error {
	if err := b.ctx.Err(); err != nil {
		return err
	}
	j := batchJob{where: where, read: read, out: make(chan batchResult, 1)}
	select {
	case b.jobs <- j:
	case <-b.ctx.Done():
		return b.ctx.Err()
	}
	// In the order added; this waits while results wait for an earlier
	// one, which bounds the results held to twice the workers.
	b.order <- j.out
	return nil
}

// Wait waits until every item added has been read and delivered.
func (b *Batch) Wait() {
	close(b.jobs)
	b.workers.Wait()
	close(b.order)
	<-b.done
}

// read reads one item: under the small cap, then, if that was too small,
// under the full cap.
func (b *Batch) read(read ReadFunc) ([]*Report, error) {
	if err := b.budget.Acquire(b.ctx, b.small); err != nil {
		return nil, err
	}
	lim := b.lim
	lim.MaxBytes = b.small
	reps, err := read(lim)
	b.budget.Release(b.small)
	var size *SizeError
	if b.small == b.lim.MaxBytes || !errors.As(err, &size) {
		return reps, err
	}
	// The full read starts again from the start: what the small one
	// found is dropped with it.
	if err := b.budget.Acquire(b.ctx, b.lim.MaxBytes); err != nil {
		return nil, err
	}
	defer b.budget.Release(b.lim.MaxBytes)
	return read(b.lim)
}
