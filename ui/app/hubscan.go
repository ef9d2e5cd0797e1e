package app

import (
	"context"
	"sync"
	"time"

	"mxaudit/analysis/scan"
	"mxaudit/model"
)

// The hub's scan hands its results to the sessions in batches: at most
// flushEvery messages, and at least every flushWindow, so that 100,000
// fast messages cost a few hundred broadcasts while a slow scan (PPAP
// pairing holds ZIP mails back; IMAP fetches in rounds) still shows its
// messages and its progress promptly.
const (
	flushEvery  = 512
	flushWindow = 50 * time.Millisecond
)

// scanBatch gathers one scan's results between broadcasts. The scan
// goroutine adds to it; a ticker flushes it.
type scanBatch struct {
	hub *Hub
	gen int

	// flushing is held for a whole flush, so that two flushes (the
	// scan's and the ticker's) cannot broadcast out of order.
	flushing sync.Mutex
	mu       sync.Mutex
	pending  []model.Message
	progress scan.Progress
	changed  bool // progress came since the last flush
}

// add queues m, flushing when the batch is full.
func (b *scanBatch) add(m model.Message) {
	b.mu.Lock()
	b.pending = append(b.pending, m)
	full := len(b.pending) >= flushEvery
	b.mu.Unlock()
	if full {
		b.flush()
	}
}

// report records the scan's progress for the next flush.
func (b *scanBatch) report(p scan.Progress) {
	b.mu.Lock()
	b.progress, b.changed = p, true
	b.mu.Unlock()
}

// flush appends the gathered messages to the hub's listing and
// broadcasts them with the progress, if anything changed.
func (b *scanBatch) flush() {
	b.flushing.Lock()
	defer b.flushing.Unlock()
	b.mu.Lock()
	msgs, p, changed := b.pending, b.progress, b.changed
	b.pending, b.changed = nil, false
	b.mu.Unlock()
	if len(msgs) == 0 && !changed {
		return
	}
	h := b.hub
	// Kept before listed: a session may read a message back as soon as
	// its row is broadcast. One listing's scan at a time (runScan), so a
	// put never lands in another listing's spill.
	h.kept.Put(msgs...)
	rows := h.build.Rows(msgs)
	h.mu.Lock()
	defer h.mu.Unlock()
	if h.gen != b.gen {
		return // a newer listing replaced this one
	}
	h.rows = append(h.rows, rows...)
	for _, r := range rows {
		h.have[r.ID()] = r
	}
	h.progress = p
	h.broadcast(hubEvent{kind: evMessages, gen: b.gen, rows: rows, progress: p})
}

// runScan scans the source into a new generation of the listing.
func (h *Hub) runScan(ctx context.Context) {
	h.mu.Lock()
	h.gen++
	gen := h.gen
	if gen > 1 {
		h.broadcast(hubEvent{kind: evReload, gen: gen})
	}
	h.rows, h.have, h.scanning, h.scanErr = nil, map[model.MessageID]*model.Row{}, true, nil
	h.build.Reset()
	// The new listing's IDs may name other messages.
	h.kept.Reset()
	h.progress = scan.Progress{}
	h.mu.Unlock()

	b := &scanBatch{hub: h, gen: gen}
	stop := make(chan struct{})
	ticked := make(chan struct{})
	go func() {
		defer close(ticked)
		t := time.NewTicker(flushWindow)
		defer t.Stop()
		for {
			select {
			case <-t.C:
				b.flush()
			case <-stop:
				return
			}
		}
	}()
	err := h.app.Scan(ctx, func(m model.Message) error {
		b.add(m)
		return nil
	}, b.report)
	close(stop)
	<-ticked
	b.flush()
	b.mu.Lock()
	p := b.progress
	b.mu.Unlock()
	h.mu.Lock()
	h.scanning, h.scanErr = false, err
	h.broadcast(hubEvent{kind: evScanDone, gen: gen, err: err, progress: p})
	h.mu.Unlock()
}
