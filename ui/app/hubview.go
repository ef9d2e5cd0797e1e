package app

import (
	"context"
	"errors"
	"fmt"
	"io"
	"iter"
	"sync"

	"mxaudit/analysis/scan"
	"mxaudit/mailsrc"
	"mxaudit/model"
)

// subscriber is one session's queue of hub events. It is unbounded so
// that a slow session never holds up the hub or the other sessions; a
// session that is gone is unsubscribed.
type subscriber struct {
	mu    sync.Mutex
	queue []hubEvent
	wake  chan struct{}
}

func newSubscriber() *subscriber { return &subscriber{wake: make(chan struct{}, 1)} }

// push queues ev; it never blocks.
func (s *subscriber) push(ev hubEvent) {
	s.mu.Lock()
	s.queue = append(s.queue, ev)
	s.mu.Unlock()
	select {
	case s.wake <- struct{}{}:
	default:
	}
}

// next returns the oldest queued event, waiting for one until ctx is
// done.
func (s *subscriber) next(ctx context.Context) (hubEvent, error) {
	for {
		s.mu.Lock()
		if len(s.queue) > 0 {
			ev := s.queue[0]
			s.queue[0] = hubEvent{}
			s.queue = s.queue[1:]
			s.mu.Unlock()
			return ev, nil
		}
		s.mu.Unlock()
		select {
		case <-s.wake:
		case <-ctx.Done():
			return hubEvent{}, ctx.Err()
		}
	}
}

// View is one session's window on the hub: the console's Source and
// Live. Its Scan replays the shared listing and follows the shared scan
// instead of scanning; its Watch delivers the changes the hub
// broadcasts; its Analyze hands over arrivals the hub has analysed
// already. Every other method reaches the shared App.
type View struct {
	hub *Hub

	mu  sync.Mutex
	sub *subscriber
	// gen is the generation of the listing the last Scan followed.
	gen int
	// later are events that came while Scan was replaying, for Watch.
	later []hubEvent
}

// View returns a new window on the hub for one session. Close it when
// the session ends.
func (h *Hub) View() *View {
	return &View{hub: h}
}

// Close stops the view's subscription.
func (v *View) Close() {
	v.mu.Lock()
	sub := v.sub
	v.sub = nil
	v.mu.Unlock()
	if sub != nil {
		v.hub.unsubscribe(sub)
	}
}

// Scan implements the console's Source: it emits each message whose row
// ScanShared emits, read back whole from the hub.
func (v *View) Scan(ctx context.Context, emit func(model.Message) error, progress func(scan.Progress)) error {
	return v.ScanShared(ctx, func(r *model.Row) error {
		m, err := v.Message(ctx, r.ID())
		if errors.Is(err, ErrNotSpilled) {
			return nil // gone since: the departure follows
		}
		if err != nil {
			return err
		}
		return emit(m)
	}, progress)
}

// ScanShared emits the rows of the shared listing as it is, then those
// of the shared scan's further results until that scan ends. The rows
// are the hub's own, shared by every session: the receiver must never
// change them (model.Table.AppendSharedRows); the messages are read back
// whole through Message. Changes that come meanwhile are kept for Watch.
// A second call (after the source was renumbered) starts from the new
// listing.
func (v *View) ScanShared(ctx context.Context, emit func(*model.Row) error, progress func(scan.Progress)) error {
	v.Close()
	sn, sub := v.hub.subscribe()
	snap, scanning := sn.rows, sn.scanning
	v.mu.Lock()
	v.sub, v.gen, v.later = sub, sn.gen, nil
	v.mu.Unlock()
	for i := range snap {
		if err := emit(snap[i]); err != nil {
			return err
		}
		if i%1024 == 1023 && progress != nil {
			progress(scan.Progress{Listed: len(snap), Analysed: i + 1, Done: !scanning})
		}
	}
	if progress != nil {
		progress(scan.Progress{Listed: len(snap), Analysed: len(snap), Done: !scanning})
	}
	if !scanning {
		return sn.scanErr
	}
	for {
		ev, err := sub.next(ctx)
		if err != nil {
			return err
		}
		if sn.gen == 0 && ev.kind != evReload {
			// Subscribed before the hub's first scan began: that scan's
			// listing is the one this scan follows.
			sn.gen = ev.gen
			v.mu.Lock()
			v.gen = ev.gen
			v.mu.Unlock()
		}
		if ev.gen != sn.gen && ev.kind != evReload {
			continue // from a listing this scan does not follow
		}
		switch ev.kind {
		case evReload:
			// The listing is being replaced: this scan is over, and
			// Watch tells the console to scan again.
			v.mu.Lock()
			v.later = append(v.later, ev)
			v.mu.Unlock()
			return nil
		case evMessages:
			for _, r := range ev.rows {
				if err := emit(r); err != nil {
					return err
				}
			}
			if progress != nil {
				progress(ev.progress)
			}
		case evScanDone:
			if progress != nil {
				progress(ev.progress)
			}
			return ev.err
		default:
			v.mu.Lock()
			v.later = append(v.later, ev)
			v.mu.Unlock()
		}
	}
}

// Watch implements the console's Live: it reports the arrivals,
// departures and renumberings the hub broadcasts until ctx is done.
// known is not read: the hub's news is already what changed in the list
// the session's rows came from.
func (v *View) Watch(ctx context.Context, _ iter.Seq[model.MessageID], send func(mailsrc.Change)) error {
	for {
		v.mu.Lock()
		sub, gen := v.sub, v.gen
		var ev hubEvent
		have := len(v.later) > 0
		if have {
			ev, v.later = v.later[0], v.later[1:]
		}
		v.mu.Unlock()
		if sub == nil {
			return errClosed
		}
		if !have {
			var err error
			if ev, err = sub.next(ctx); err != nil {
				return err
			}
		}
		if ev.gen != gen && ev.kind != evReload {
			continue // about a listing the console no longer shows
		}
		switch ev.kind {
		case evAdded:
			ids := make([]model.MessageID, len(ev.rows))
			for i, r := range ev.rows {
				ids[i] = r.ID()
			}
			send(mailsrc.Change{Kind: mailsrc.Added, IDs: ids})
		case evRemoved:
			send(mailsrc.Change{Kind: mailsrc.Removed, IDs: ev.ids, Done: ev.note})
		case evReload:
			send(mailsrc.Change{Kind: mailsrc.Reload, Note: "the source was renumbered: reloading"})
		}
	}
}

// Analyze implements the console's Live: the hub has analysed the
// arrivals already, once for every session; they are read back whole.
// One that left meanwhile is left out.
func (v *View) Analyze(ctx context.Context, ids []model.MessageID) ([]model.Message, error) {
	out := make([]model.Message, 0, len(ids))
	for _, id := range ids {
		m, err := v.Message(ctx, id)
		if errors.Is(err, ErrNotSpilled) {
			continue
		}
		if err != nil {
			return out, err
		}
		out = append(out, m)
	}
	return out, nil
}

// Name describes the shared source ("maildir /var/quarantine").
func (v *View) Name() string { return v.hub.app.Name() }

// Open implements the console's Source: a message's bytes, from the
// shared source.
func (v *View) Open(ctx context.Context, id model.MessageID) (io.ReadCloser, error) {
	return v.hub.app.Open(ctx, id)
}

// Message returns a listed message whole, read back from where the hub
// keeps it for every session: what a session's views and actions read,
// since its table keeps only rows. It fails with ErrNotSpilled when the
// hub lists no message id, and when the hub's listing is not the one
// this view follows: after a reload an ID may name another message, and
// the session must not act on it before it has listed the new one.
func (v *View) Message(ctx context.Context, id model.MessageID) (model.Message, error) {
	if err := ctx.Err(); err != nil {
		return model.Message{}, err
	}
	v.mu.Lock()
	gen := v.gen
	v.mu.Unlock()
	m, listing, ok, err := v.hub.message(ctx, id)
	switch {
	case ok && listing != gen:
		return model.Message{}, fmt.Errorf("%s: the shared listing was reloaded; wait for the new one: %w", id, ErrNotSpilled)
	case ok && err != nil:
		return model.Message{}, err
	case ok:
		return m, nil
	}
	return model.Message{}, fmt.Errorf("%s: %w", id, ErrNotSpilled)
}
