package console

import (
	"context"
	"errors"
	"slices"
	"sync"
	"time"

	tea "charm.land/bubbletea/v2"

	"mxaudit/analysis/scan"
	"mxaudit/model"
)

// Batching: the scan goroutine sends every message and progress report on
// a channel; a command reads them and hands them to Update in batches of
// up to maxBatch messages, waiting at most batchWindow after the first one
// to gather more. 20,000 fast messages thus cost a few hundred updates and
// frames, not 20,000, and a slow scan still shows each message promptly.
// Rows handed out whole (a row snapshot's, a shared source's) count a
// sixteenth of a message each (rowsPerMessage): they come decoded, and
// what a batch costs is then mostly its update and frame, so a warm
// start's 100,000 rows take about seven of those rather than a hundred.
// The first batch waits batchWindow, and no longer than it takes to fill
// a screen (firstBatch messages), so that the first rows show at once;
// later ones gather for steadyWindow: at 100,000 messages a frame every
// 40 ms cost the console about a second of CPU in drawing and diffing
// frames nobody reads, while ten frames a second keep the progress line
// live.
const (
	maxBatch       = 1024
	firstBatch     = 128
	batchWindow    = 40 * time.Millisecond
	steadyWindow   = 100 * time.Millisecond
	channelSize    = 2048
	rowChunk       = 256
	rowsPerMessage = 16
)

// scanEvent is one thing the scan goroutine reports.
type scanEvent struct {
	msg    model.Message
	hasMsg bool
	// msgRow is msg's row, made by its source (a RowSource): the
	// table lists it, and msg goes to Kept only.
	msgRow *model.Row
	shared *model.Row   // from a SharedSource, instead of msg
	rows   []*model.Row // rows handed out together (rowChunk)
	// ahead are rows shown before the scan checked them (a RowSource's
	// ahead), nil with hasAhead when they are withdrawn.
	ahead    []model.Row
	hasAhead bool
	progress scan.Progress
	hasProg  bool
	done     bool
	err      error
	keep     func([]*model.Row) error // with done: keeps the scan's list (RowSource)
}

// scanBatchMsg carries a batch of scan results to Update.
type scanBatchMsg struct {
	id   int // the scan it belongs to; a batch from an older scan is dropped
	msgs []model.Message
	// shared are rows made by the source (a SharedSource's, a
	// RowSource's): the table points at them.
	shared   []*model.Row
	ahead    []model.Row // see scanEvent
	hasAhead bool
	progress scan.Progress
	hasProg  bool
	done     bool
	err      error
	keep     func([]*model.Row) error // see scanEvent
}

// scanState is the root model's view of the running scan.
type scanState struct {
	id       int
	events   chan scanEvent
	ctx      context.Context
	cancel   context.CancelFunc
	running  bool
	begun    bool // the scan goroutine runs (beginScan)
	progress scan.Progress
	err      error // the source failed
	// moved is set once the operator moves the cursor; until then the
	// cursor stays on the first row while messages stream in, rather
	// than following the first arrival down the list.
	moved bool
	// verified is set once a row of this scan was replaced by a fresh
	// analysis (v): its list is then not the scan's to keep, unless it
	// was done and its list taken first (keepRows).
	verified bool
	// ahead are the IDs of the rows the table shows ahead of the scan's
	// check (scanahead.go); nil when it shows none. aheadSelected is the
	// row the operator had moved to when they were dropped, until the
	// scan's rows bring it back.
	ahead         map[model.MessageID]bool
	aheadSelected model.MessageID
	// aheadStale is set when the scan withdrew the rows ahead (it will
	// not hand that list out): they are shown only until its own come.
	aheadStale bool
}

func newScanState(parent context.Context) scanState {
	ctx, cancel := context.WithCancel(parent)
	return scanState{id: 1, events: make(chan scanEvent, channelSize), ctx: ctx, cancel: cancel}
}

// startScan returns the command that starts the scan goroutine (unless
// beginScan started it already) and waits for its first batch. Everything
// the closure uses is copied first: the command runs on another
// goroutine and must not read the model.
func (m *Model) startScan() tea.Cmd {
	if !m.beginScan() {
		return nil
	}
	ctx, events, id, kept := m.scan.ctx, m.scan.events, m.scan.id, m.kept
	return waitForBatch(ctx, events, id, batchWindow, firstBatch, kept)
}

// beginScan starts the scan goroutine of the current scan, once, and
// reports whether there is a scan to wait for. Run calls it before the
// terminal is set up, which takes a tenth of a second under tmux (the
// colour profile is asked of "tmux info"): the listing and the first
// analyses run meanwhile, and their results wait in the channel.
func (m *Model) beginScan() bool {
	run, shared, rows := m.cfg.scanner(), m.cfg.sharedScanner(), m.cfg.rowScanner()
	if run == nil {
		return false
	}
	m.scan.running = true
	if m.scan.begun {
		return true
	}
	m.scan.begun = true
	ctx, events, first := m.scan.ctx, m.scan.events, m.scan.id == 1
	go func() {
		send := func(ev scanEvent) error {
			select {
			case events <- ev:
				return nil
			case <-ctx.Done():
				return ctx.Err()
			}
		}
		// A row snapshot's rows go over the channel rowChunk at a time
		// (one event a row made 100,000 copies of an event that has
		// room for a message), flushed at each progress report, which
		// comes after each block of them. A shared source's rows go one
		// by one: they come as its scan finds them. A RowSource may
		// emit its messages from another goroutine than the rest
		// (RowSource): pending is guarded.
		var mu sync.Mutex
		var pending []*model.Row
		take := func() []*model.Row {
			mu.Lock()
			defer mu.Unlock()
			p := pending
			pending = nil
			return p
		}
		flush := func() error {
			if p := take(); len(p) > 0 {
				return send(scanEvent{rows: p})
			}
			return nil
		}
		progress := func(p scan.Progress) {
			if flush() == nil {
				_ = send(scanEvent{progress: p, hasProg: true})
			}
		}
		emitMsg := func(msg model.Message) error {
			if err := flush(); err != nil {
				return err
			}
			return send(scanEvent{msg: msg, hasMsg: true})
		}
		emitRowed := func(msg model.Message, r *model.Row) error {
			if r == nil {
				return emitMsg(msg)
			}
			if err := flush(); err != nil {
				return err
			}
			return send(scanEvent{msg: msg, hasMsg: true, msgRow: r})
		}
		emitRow := func(r *model.Row) error {
			mu.Lock()
			if pending == nil {
				pending = make([]*model.Row, 0, rowChunk)
			}
			pending = append(pending, r)
			full := len(pending) == rowChunk
			mu.Unlock()
			if full {
				return flush()
			}
			return nil
		}
		var err error
		var keep func([]*model.Row) error
		switch {
		case shared != nil:
			err = shared(ctx, func(r *model.Row) error { return send(scanEvent{shared: r}) }, progress)
		case rows != nil:
			// Rows ahead only on the console's first scan: a rescan
			// (ctrl+r, a reload) follows a list the operator has, and
			// the last start's is older than it.
			var ahead func([]model.Row)
			if first {
				ahead = func(r []model.Row) {
					if flush() == nil {
						_ = send(scanEvent{ahead: r, hasAhead: true})
					}
				}
			}
			keep, err = rows(ctx, emitRowed, emitRow, ahead, progress)
		default:
			err = run(ctx, emitMsg, progress)
		}
		if err == nil {
			err = flush()
		}
		// The final event must get through even after cancellation is
		// requested elsewhere; nobody may be reading any more, so do
		// not block forever.
		select {
		case events <- scanEvent{done: true, err: err, keep: keep}:
		case <-ctx.Done():
		}
	}()
	return true
}

// waitForBatch returns the command that reads the next batch of events,
// waiting at most window after the first one for more, up to size
// messages. It puts the batch's messages, those that came with their
// rows too, in kept before handing them over: the table keeps their rows
// only, and the views read them back from kept. (Shared messages are
// kept by the source that shares them.)
func waitForBatch(ctx context.Context, events <-chan scanEvent, id int, window time.Duration, size int, kept Kept) tea.Cmd {
	return func() tea.Msg {
		batch := scanBatchMsg{id: id}
		var first scanEvent
		select {
		case first = <-events:
		case <-ctx.Done():
			return nil
		}
		// rowed are the messages whose rows came with them (scanEvent's
		// msgRow): kept, not listed; their rows are in batch.shared.
		var rowed []model.Message
		timer := time.NewTimer(window)
		defer timer.Stop()
		defer func() {
			// A batch of a cancelled scan is dropped by Update; its
			// messages must not replace a later scan's under the same
			// IDs.
			if ctx.Err() != nil {
				return
			}
			if len(batch.msgs) > 0 {
				kept.Put(batch.msgs...)
			}
			if len(rowed) > 0 {
				kept.Put(rowed...)
			}
		}()
		for ev, ok := first, true; ok; {
			if ev.hasMsg && ev.msgRow != nil {
				if rowed == nil {
					rowed = make([]model.Message, 0, size)
				}
				rowed = append(rowed, ev.msg)
				batch.shared = append(batch.shared, ev.msgRow)
			} else if ev.hasMsg {
				if batch.msgs == nil {
					// Room for a full batch: grown from empty, a warm
					// scan's batches of 1,024 messages made copies of
					// 2,047, a sixth of what its console allocated; one
					// that ends smaller (a cold scan's, a few arrivals)
					// leaves no more garbage than growing it did.
					batch.msgs = make([]model.Message, 0, size)
				}
				batch.msgs = append(batch.msgs, ev.msg)
			}
			if ev.shared != nil {
				batch.shared = append(batch.shared, ev.shared)
			}
			batch.shared = append(batch.shared, ev.rows...)
			if ev.hasAhead {
				// Shown, or withdrawn, at once: the scan sends them
				// before anything it lists, and they end the batch.
				batch.ahead, batch.hasAhead = ev.ahead, true
				return batch
			}
			if ev.hasProg {
				batch.progress, batch.hasProg = ev.progress, true
			}
			if ev.done {
				batch.done, batch.err, batch.keep = true, ev.err, ev.keep
				return batch
			}
			// A row that came with its message costs the message's
			// keeping; one handed out alone, a sixteenth.
			if len(batch.msgs)+len(rowed)+(len(batch.shared)-len(rowed))/rowsPerMessage >= size {
				return batch
			}
			select {
			case ev = <-events:
			case <-timer.C:
				ok = false
			case <-ctx.Done():
				ok = false
			}
		}
		return batch
	}
}

// handleScanBatch adds a batch to the table and asks for the next one.
func (m *Model) handleScanBatch(b scanBatchMsg) tea.Cmd {
	if b.id != m.scan.id {
		return nil // a batch from a scan that was replaced
	}
	if b.hasAhead {
		m.showAhead(b.ahead)
		if len(b.msgs)+len(b.shared) == 0 && !b.hasProg && !b.done {
			// The scan's first rows are still to come: wait for them
			// as for a first batch.
			return tea.Batch(m.selectionChanged(), m.statsChanged(),
				waitForBatch(m.scan.ctx, m.scan.events, m.scan.id, batchWindow, firstBatch, m.kept))
		}
	}
	if m.scan.ahead != nil && (len(b.msgs)+len(b.shared) > 0 || b.done) {
		m.dropAhead() // the scan's own rows take their place
	}
	if len(m.watch.live) > 0 {
		// A rescan lists messages the watch has already added.
		b.msgs = slices.DeleteFunc(b.msgs, func(msg model.Message) bool { return m.watch.live[msg.ID] })
		b.shared = slices.DeleteFunc(b.shared, func(r *model.Row) bool { return m.watch.live[r.ID()] })
	}
	if len(b.msgs)+len(b.shared) > 0 {
		m.annotate(b.msgs)
		m.table.Append(b.msgs...)
		m.table.AppendSharedRows(m.annotateShared(b.shared)...)
		if !m.scan.moved {
			m.table.SetCursor(0)
		}
		m.reselectAhead()
	}
	if b.hasProg {
		m.scan.progress = b.progress
	}
	cmd := m.selectionChanged()
	if b.done {
		m.scan.running = false
		m.scan.aheadSelected = "" // the scan brought it back, or never will
		cmd = tea.Batch(cmd, m.answerAskedIDs())
		m.countTempErrors()
		if err := m.kept.Degraded(); err != nil {
			// Nothing is lost, but the console's memory grows with the
			// quarantine: the operator should know why.
			m.setNotice("messages are kept in memory, not on disk: "+err.Error(), true)
		}
		if m.watch.reloading && b.err == nil {
			m.watch.reloading = false
			m.setNotice("list reloaded: "+count(m.table.Total(), "message"), false)
		}
		if b.err != nil && !errors.Is(b.err, context.Canceled) {
			m.scan.err = b.err
			return tea.Batch(cmd, m.statsChanged())
		}
		// Live updates start from a complete listing.
		return tea.Batch(cmd, m.statsChanged(), m.keepRows(b.keep), m.startWatch())
	}
	return tea.Batch(cmd, m.statsChanged(), waitForBatch(m.scan.ctx, m.scan.events, m.scan.id, steadyWindow, maxBatch, m.kept))
}

// stopScan cancels the scan; it is safe to call more than once.
func (m *Model) stopScan() {
	if m.scan.cancel != nil {
		m.scan.cancel()
	}
}

// keepRows returns the command that keeps the list of the scan just
// finished with keep, the function its source returned for it, for the
// next start (RowSource); nil when there is none, or when a row was
// verified during the scan (its row is no longer the scan's). The
// command reads the rows while Update goes on: ArrivalRows hands them
// out as shared, which the table never writes again.
func (m *Model) keepRows(keep func([]*model.Row) error) tea.Cmd {
	if keep == nil || m.scan.verified {
		return nil
	}
	rows := m.table.ArrivalRows()
	return func() tea.Msg {
		if err := keep(rows); err != nil {
			return rowsKeptMsg{err: err}
		}
		return nil
	}
}

// rowsKeptMsg says that the list could not be kept for the next start.
type rowsKeptMsg struct{ err error }
