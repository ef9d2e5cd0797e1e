package app

import (
	"context"
	"errors"
	"slices"
	"sync"
	"time"

	"mxaudit/analysis/scan"
	"mxaudit/mailsrc"
	"mxaudit/model"
)

// Hub is one quarantine shared by many consoles, as "mxaudit serve"
// needs it: the source is scanned once, and every change — scan results,
// arrivals and departures the source reports, actions and policy changes
// of any session — is broadcast to every session's View. Without it, ten
// operators would run ten scans, ten watches and ten PPAP pairings of the
// same folder, and one operator's release would reach the others only on
// the next poll.
//
// Like one console, the hub keeps a compact row per message in memory
// (every session's table points at the same rows) and the analysed
// messages whole in a Spill, a private file, from which a session reads
// one back when a view or an action needs it. At 100,000 messages,
// keeping them whole in memory made the server's resident memory
// 812 MiB.
type Hub struct {
	app  *App
	desk *Desk

	mu sync.Mutex
	// rows are the listed messages' rows, in listing order, as every
	// session's table lists them. The slice is never changed in place:
	// removals build a new one, so that a View replaying an older prefix
	// needs no lock. Nor is a row ever changed.
	rows []*model.Row
	// build builds the rows, sharing their repeated strings.
	build *model.RowBuilder
	// kept keeps the listed messages whole, for the sessions' read-back
	// (View.Message): every message listed is put there before its row
	// is.
	kept *Spill
	// have indexes rows by ID: the listing's membership.
	have     map[model.MessageID]*model.Row
	scanning bool
	scanErr  error
	progress scan.Progress
	// gen numbers the listings: a source that renumbered its messages
	// starts a new generation.
	gen  int
	subs map[*subscriber]bool
	// policySubs receive the policy after every change.
	policySubs map[chan PolicyNews]bool
	// actions counts the actions running; draining refuses new ones.
	actions  sync.WaitGroup
	draining bool
}

// PolicyNews is the exception policy after one operator's change, with a
// sentence for the other sessions' status lines.
type PolicyNews struct {
	Policy model.Policy
	Note   string
}

// eventKind says what a hub event carries.
type eventKind int

const (
	evMessages eventKind = iota + 1 // scan results (rows)
	evScanDone                      // the scan ended (err)
	evAdded                         // arrivals, analysed (rows)
	evRemoved                       // departures (ids, note)
	evReload                        // the listing was replaced
)

// hubEvent is one broadcast.
type hubEvent struct {
	kind     eventKind
	gen      int
	rows     []*model.Row
	ids      []model.MessageID
	note     string
	err      error
	progress scan.Progress
}

// NewHub shares a with every session; desk (nil when the policy or the
// audit log could not be found) is the desk each session acts on under
// its own operator. Start begins the scan.
func NewHub(a *App, desk *Desk) *Hub {
	spillDir := ""
	if a != nil {
		spillDir = a.SpillDir()
	}
	return &Hub{
		app: a, desk: desk,
		// A session that comes before the scan has begun follows it
		// rather than taking the empty listing for the whole.
		scanning:   true,
		build:      model.NewRowBuilder(),
		kept:       NewSpill(spillDir),
		have:       map[model.MessageID]*model.Row{},
		subs:       map[*subscriber]bool{},
		policySubs: map[chan PolicyNews]bool{},
	}
}

// App is the shared application core.
func (h *Hub) App() *App { return h.app }

// Start scans the source once and then, where the source can report
// changes, follows it until ctx is done. It returns at once; the work
// runs in a goroutine of its own.
func (h *Hub) Start(ctx context.Context) {
	go func() {
		defer h.kept.Close()
		for ctx.Err() == nil {
			h.runScan(ctx)
			if !h.app.CanWatch() {
				return
			}
			if !h.follow(ctx) {
				return
			}
			// The source was renumbered: scan it again.
		}
	}()
}

// Wait blocks until the first scan has finished or ctx is done, and
// returns the scan's error: for benchmarks and for a server that wants
// the list ready before it listens.
func (h *Hub) Wait(ctx context.Context) error {
	for {
		h.mu.Lock()
		done, err := !h.scanning && h.gen > 0, h.scanErr
		h.mu.Unlock()
		if done {
			return err
		}
		select {
		case <-ctx.Done():
			return ctx.Err()
		case <-time.After(20 * time.Millisecond):
		}
	}
}

// Len is the number of messages listed.
func (h *Hub) Len() int {
	h.mu.Lock()
	defer h.mu.Unlock()
	return len(h.rows)
}

// follow applies the source's changes until ctx is done (false) or the
// source renumbers its messages (true). The watch starts from the
// messages the hub lists, so that its first listing reports only what
// changed since the scan; it takes them when the folder first changes,
// copied then (model.PackIDs), as the console does (ui/console's
// askIDs).
func (h *Hub) follow(ctx context.Context) (reload bool) {
	ctx, cancel := context.WithCancel(ctx)
	defer cancel()
	known := func(yield func(model.MessageID) bool) {
		// The rows, not h.have: the slice is never changed in place,
		// so it is packed without holding the sessions up.
		h.mu.Lock()
		rows := h.rows
		h.mu.Unlock()
		model.PackIDs(func(yield func(model.MessageID) bool) {
			for _, r := range rows {
				if !yield(r.ID()) {
					return
				}
			}
		}).All()(yield)
	}
	_ = h.app.Watch(ctx, known, func(c mailsrc.Change) {
		switch c.Kind {
		case mailsrc.Added:
			h.arrived(ctx, c.IDs)
		case mailsrc.Removed:
			h.departed(c.IDs, "")
		case mailsrc.Reload:
			reload = true
			cancel()
		}
	})
	return reload
}

// arrived analyses the arrivals not yet listed and broadcasts them.
func (h *Hub) arrived(ctx context.Context, ids []model.MessageID) {
	h.mu.Lock()
	fresh := slices.DeleteFunc(slices.Clone(ids), func(id model.MessageID) bool { return h.have[id] != nil })
	gen := h.gen
	h.mu.Unlock()
	if len(fresh) == 0 {
		return
	}
	msgs, err := h.app.Analyze(ctx, fresh)
	if err != nil && len(msgs) == 0 {
		return // the next listing reports them again
	}
	// Arrivals come one change at a time (follow), and a new listing
	// only after follow returns: nothing else puts into kept meanwhile.
	h.kept.Put(msgs...)
	rows := h.build.Rows(msgs)
	h.mu.Lock()
	defer h.mu.Unlock()
	if h.gen != gen {
		return
	}
	rows = slices.DeleteFunc(rows, func(r *model.Row) bool { return h.have[r.ID()] != nil })
	if len(rows) == 0 {
		return
	}
	for _, r := range rows {
		h.have[r.ID()] = r
	}
	h.rows = append(slices.Clip(h.rows), rows...)
	h.broadcast(hubEvent{kind: evAdded, gen: h.gen, rows: rows})
}

// departed takes messages out of the listing and tells every session,
// with note ("released by sato") when the hub knows who took them.
func (h *Hub) departed(ids []model.MessageID, note string) {
	h.mu.Lock()
	defer h.mu.Unlock()
	var gone []model.MessageID
	for _, id := range ids {
		if h.have[id] != nil {
			gone = append(gone, id)
			delete(h.have, id)
		}
	}
	if len(gone) == 0 {
		return
	}
	set := make(map[model.MessageID]bool, len(gone))
	for _, id := range gone {
		set[id] = true
	}
	h.rows = slices.DeleteFunc(slices.Clone(h.rows), func(r *model.Row) bool { return set[r.ID()] })
	// Under h.mu, so that a reload cannot relist an ID in between and
	// lose the new message's copy. The spill's lock is never held while
	// taking h.mu.
	h.kept.Forget(gone...)
	h.broadcast(hubEvent{kind: evRemoved, gen: h.gen, ids: gone, note: note})
}

// actedOn tells every session at once, rather than at the source's next
// poll, that op's action (a verb: "released", "deleted") took ids out of
// the quarantine. The departure the source reports later finds them
// gone already and says nothing.
func (h *Hub) actedOn(ids []model.MessageID, verb string, op model.Operator) {
	h.departed(ids, verb+" by "+op.User)
}

// broadcast queues ev for every subscriber. The caller holds h.mu.
func (h *Hub) broadcast(ev hubEvent) {
	for s := range h.subs {
		s.push(ev)
	}
}

// snapshot is the listing at one moment, with the scan's state then.
type snapshot struct {
	rows     []*model.Row
	scanning bool
	scanErr  error
	gen      int
}

// subscribe returns the listing as it is now and a subscriber that gets
// every later event, atomically.
func (h *Hub) subscribe() (snapshot, *subscriber) {
	h.mu.Lock()
	defer h.mu.Unlock()
	sub := newSubscriber()
	h.subs[sub] = true
	return snapshot{rows: slices.Clip(h.rows), scanning: h.scanning, scanErr: h.scanErr, gen: h.gen}, sub
}

// unsubscribe stops queueing events for sub.
func (h *Hub) unsubscribe(sub *subscriber) {
	h.mu.Lock()
	defer h.mu.Unlock()
	delete(h.subs, sub)
}

// message reads the listed message id back whole, with the generation
// of the listing it is in; listed is false when that listing has no
// message id (or lost it, or was replaced, while it was read).
func (h *Hub) message(ctx context.Context, id model.MessageID) (msg model.Message, listing int, listed bool, err error) {
	h.mu.Lock()
	row, gen := h.have[id], h.gen
	h.mu.Unlock()
	if row == nil {
		return model.Message{}, gen, false, nil
	}
	msg, err = h.kept.Message(ctx, id)
	h.mu.Lock()
	still := h.gen == gen && h.have[id] == row
	h.mu.Unlock()
	switch {
	case !still:
		// Read while a reload or a departure changed the listing: the
		// copy may be another message's.
		return model.Message{}, gen, false, nil
	case err != nil:
		return model.Message{}, gen, true, err
	}
	return msg, gen, true, nil
}

// publishPolicy hands the policy as written to every session.
func (h *Hub) publishPolicy(n PolicyNews) {
	h.mu.Lock()
	defer h.mu.Unlock()
	for ch := range h.policySubs {
		select { // only the latest policy matters: replace an unread one
		case <-ch:
		default:
		}
		ch <- n
	}
}

// FollowPolicy returns a channel that receives the policy after every
// change any session makes, until ctx is done.
func (h *Hub) FollowPolicy(ctx context.Context) <-chan PolicyNews {
	ch := make(chan PolicyNews, 1)
	h.mu.Lock()
	h.policySubs[ch] = true
	h.mu.Unlock()
	go func() {
		<-ctx.Done()
		h.mu.Lock()
		delete(h.policySubs, ch)
		h.mu.Unlock()
	}()
	return ch
}

// errClosed ends a subscriber's wait when its session is gone.
var errClosed = errors.New("hub: subscription closed")
