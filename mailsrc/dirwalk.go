package mailsrc

import (
	"context"
	"io/fs"
	"runtime"
	"sync"
)

// dirFound is a file the walk found: its entry so far, and the metadata
// sniffEntry needs; info is nil when the entry is final already (an
// unreadable folder or file).
type dirFound struct {
	entry Entry
	info  fs.FileInfo
}

// dirPending is a found file on its way to fn: done is closed once a
// worker has sniffed it (at once when there is nothing to sniff).
type dirPending struct {
	dirFound
	done chan struct{}
}

// dirQueue bounds how far the walk runs ahead of fn.
const dirQueue = 256

// listTree walks the tree on one goroutine, sniffs the files on a few
// others, and calls fn on the caller's goroutine in walk order.
func (d *Dir) listTree(ctx context.Context, fn func(Entry) error) error {
	work, stop := context.WithCancel(ctx)
	defer stop()
	order := make(chan *dirPending, dirQueue) // every file, in walk order
	jobs := make(chan *dirPending, dirQueue)  // the files to sniff
	var wg sync.WaitGroup
	var walkErr error
	wg.Go(func() {
		defer close(order)
		defer close(jobs)
		walkErr = d.walk(work, func(f dirFound) bool {
			p := &dirPending{dirFound: f, done: make(chan struct{})}
			if f.info == nil {
				close(p.done)
			}
			select {
			case order <- p:
			case <-work.Done():
				return false
			}
			if f.info != nil {
				select {
				case jobs <- p:
				case <-work.Done():
					return false
				}
			}
			return true
		})
	})
	for range min(runtime.GOMAXPROCS(0), 8) {
		wg.Go(func() {
			for p := range jobs {
				if work.Err() == nil {
					p.entry = d.sniffEntry(p.entry, p.info)
				}
				close(p.done)
			}
		})
	}
	err := d.report(ctx, order, fn)
	stop()
	wg.Wait()
	if err != nil {
		return err
	}
	return walkErr
}

// report calls fn for each file in order once it is sniffed.
func (d *Dir) report(ctx context.Context, order <-chan *dirPending, fn func(Entry) error) error {
	for p := range order {
		select {
		case <-p.done:
		case <-ctx.Done():
			return ctx.Err()
		}
		if err := ctx.Err(); err != nil {
			return err
		}
		if p.entry.ID == "" {
			continue // gone before it could be read
		}
		if err := fn(p.entry); err != nil {
			return err
		}
	}
	return ctx.Err()
}
