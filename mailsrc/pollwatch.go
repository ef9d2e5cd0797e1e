package mailsrc

import (
	"context"
	"errors"
	"fmt"
	"iter"
	"slices"
	"time"

	"mxaudit/model"
)

// DefaultPollInterval is how often a PollWatcher lists its source when
// not told otherwise: often enough that a new quarantine file shows up
// while the operator looks, rarely enough that listing a large directory
// stays a small share of a core.
const DefaultPollInterval = 5 * time.Second

// PollWatcher reports the changes of a source that cannot report them
// itself (a Maildir, a directory of message files) by listing it every
// Interval and comparing the IDs with the previous listing.
//
// It debounces in two ways. A change is reported only after one more
// listing, Settle later, so that a burst of deliveries comes as one
// Added. And an added message is reported only once two consecutive
// listings saw it with the same size: a file copied into a directory
// (unlike a Maildir delivery, which appears whole by a rename) must not
// be analysed half-written.
//
// A Maildir is cheaper to follow than to list (maildirwatch.go): its
// messages appear whole, so the watcher reads names only, with no system
// call per file; and while the change stamp of new/ and cur/ stays the
// same (their identity, size, modification and status-change times),
// nothing was added, removed or renamed, so the tick lists nothing. At
// 100,000 messages a full listing every Interval took about 1.4 s of CPU
// in 10 s, a core's seventh, on a gateway that also runs the MTA.
//
// It is a Watcher only, not a Source: wrapping the source would hide the
// other interfaces it implements (moving, releasing).
type PollWatcher struct {
	src Source
	// Interval is the time between listings; 0 means DefaultPollInterval.
	Interval time.Duration
	// Settle is the wait before the confirming listing; 0 means a fifth
	// of Interval, at least 200 ms.
	Settle time.Duration

	// folderSettle is how old a folder's last change must be for its
	// times to vouch for it (folderSettle when 0; tests shorten it).
	folderSettle time.Duration
}

// idLister is a source that can name its messages more cheaply than List
// when their sizes are not needed: one whose messages appear whole (a
// Maildir delivery is a rename), so the size debounce has nothing to do.
// listIDBytes calls fn with each message's ID as bytes valid only for
// the call (pollwatch_whole.go).
type idLister interface {
	listIDBytes(ctx context.Context, fn func(id []byte) error) error
}

// changeStamper is a source that can tell, without listing, that nothing
// was added, removed or renamed since a stamp was taken: the stamp
// differs after any such change once settled was true when it was taken.
type changeStamper interface {
	ChangeStamp(now time.Time, settle time.Duration) (stamp string, settled bool, err error)
}

var _ Watcher = (*PollWatcher)(nil)

// NewPollWatcher returns a watcher that polls src every interval (0: the
// default).
func NewPollWatcher(src Source, interval time.Duration) *PollWatcher {
	return &PollWatcher{src: src, Interval: interval}
}

// Watch implements Watcher. Its first listing is reported in full as
// Added: messages that arrived between the caller's own listing and Watch
// are then not missed, and the caller, which must dedupe Added by ID
// anyway, drops the ones it has. Files that are not mail are never
// reported. A listing that fails is retried at the next tick; Watch
// returns early only when it has failed for a minute on end.
func (p *PollWatcher) Watch(ctx context.Context, fn func(Change)) error {
	return p.WatchFrom(ctx, Known{}, fn)
}

// Known is what a caller holds of a source as it starts to watch it.
type Known struct {
	// IDs are the messages its scan listed; nil for none. The watch
	// keeps them: they should be the caller's own copies
	// (model.PackIDs), not slices of larger text.
	IDs iter.Seq[model.MessageID]
	// Stamp is ListingStamp taken before that scan listed the source:
	// while the source's stamp stays the same, it still holds exactly
	// IDs, and no first listing is needed. "" for none.
	Stamp string
	// Listed, when set, is the fingerprint of IDs as the scan listed
	// them (IDSetSum). Without Stamp, a watch of a source whose messages
	// appear whole (a Maildir) compares its listings with it, holding no
	// name, and takes IDs in only once a listing differs, or once the
	// source's stamp vouches for one that does not (from then on, the
	// stamp tells of a change): it spares a console started right after
	// a delivery a held set of every message as its scan ends.
	Listed *IDSetSum
}

// ListingStamp returns the change stamp of src for a caller about to
// list it, to hand a watch later (Known.Stamp): "" when src has none or
// it cannot vouch for the next change (a folder changed within the last
// few seconds).
func ListingStamp(src Source) string { return vouchingStamp(src, folderSettle) }

// vouchingStamp returns src's change stamp when it vouches that nothing
// changed while it stays the same (no folder changed within settle
// before now), else "".
func vouchingStamp(src Source, settle time.Duration) string {
	cs, ok := src.(changeStamper)
	if !ok {
		return ""
	}
	stamp, settled, err := cs.ChangeStamp(time.Now(), settle)
	if err != nil || !settled {
		return ""
	}
	return stamp
}

// WatchFrom is Watch for a caller that holds the messages known already
// (the IDs its own scan listed): the first listing is compared with them
// as each later one is with the one before, and only the difference is
// reported, after the same settling; with no IDs it is Watch. When
// known.Stamp still stands, nothing changed since the caller's listing,
// and there is no first listing at all: the watch is quiet from the
// start. Watch's first listing, reported in full, handed a console that
// had just scanned 100,000 messages an Added of all of them to dedupe
// (38 ms in its Update), and listing them again took a core's tenth of
// a second while the operator's first keys came; a message that left
// the folder during the scan was never reported as gone. known.IDs is
// read once, on Watch's goroutine, when the watch first needs them (at
// its start, or once the source changed since known.Stamp or differs
// from known.Listed): what they yield then is what the caller holds.
func (p *PollWatcher) WatchFrom(ctx context.Context, known Known, fn func(Change)) error {
	interval, settle := p.intervals()
	// quiet is the change stamp taken before a listing that left nothing
	// pending, when it vouches for later ones ("" otherwise): while the
	// source's stamp stays the same, nothing changed and the listing is
	// skipped.
	var quiet string
	var failedAt time.Time
	// The known IDs are taken in only when something changed while the
	// caller's stamp stands, or (a whole source) once a listing differs
	// from the caller's fingerprint, for the listing to be compared with
	// them: taking 100,000 of them in at the scan's end took 0.14 s
	// beside the sorting ahead, when the operator's first keys come.
	var untaken iter.Seq[model.MessageID]
	if known.IDs != nil && known.Stamp != "" {
		untaken, quiet = known.IDs, known.Stamp
	}
	var poll func() (bool, error)
	forgetListed := func() {}
	if src, whole := p.src.(idLister); whole {
		w := &wholeWatch{src: src, untaken: untaken}
		switch {
		case known.IDs != nil && untaken == nil && known.Listed != nil:
			w.untaken, w.listed = known.IDs, known.Listed
		case known.IDs != nil && untaken == nil:
			w.held, w.holds = heldOf(known.IDs), true
		}
		// The fingerprint is the scan's, made once, and the IDs are what
		// the caller holds when they are taken in (after a rescan of its
		// own, perhaps): once a stamp vouches for a listing of the same
		// fingerprint, the next change takes the IDs in, as from a
		// stamp, and a folder that changed and changed back since is
		// not taken for the caller's list.
		forgetListed = func() { w.listed = nil }
		poll = func() (bool, error) { return w.poll(ctx, settle, p.src.Name(), fn) }
	} else {
		w := &sizedWatch{p: p, untaken: untaken}
		if known.IDs != nil && untaken == nil {
			w.held = heldFrom(known.IDs)
		}
		poll = func() (bool, error) { return w.poll(ctx, settle, fn) }
	}
	ticker := time.NewTicker(interval)
	defer ticker.Stop()
	for {
		stamp, vouches := p.stamp()
		var err error
		if quiet == "" || stamp != quiet {
			quiet = ""
			var same bool
			if same, err = poll(); err == nil && vouches && same {
				quiet = stamp
				forgetListed()
			}
		}
		switch {
		case ctx.Err() != nil:
			return ctx.Err()
		case err != nil && failedAt.IsZero():
			failedAt = time.Now()
		case err != nil && time.Since(failedAt) > time.Minute:
			return fmt.Errorf("watching %s: %w", p.src.Name(), err)
		case err == nil:
			failedAt = time.Time{}
		}
		select {
		case <-ctx.Done():
			return ctx.Err()
		case <-ticker.C:
		}
	}
}

// sizedWatch is what WatchFrom holds of a source whose files may be
// written in place: the messages reported or known before, and their
// sizes (0 for the ones known before: only a message not held has its
// size compared between two listings); untaken are the known IDs until
// something changed.
type sizedWatch struct {
	p       *PollWatcher
	held    map[model.MessageID]int64
	untaken iter.Seq[model.MessageID]
}

// poll lists the source, reports what changed for good (settle after a
// listing that differs from the set held, a second one), and says
// whether the set held is now the last listing's.
func (w *sizedWatch) poll(ctx context.Context, settle time.Duration, fn func(Change)) (bool, error) {
	if w.untaken != nil {
		w.held, w.untaken = heldFrom(w.untaken), nil
	}
	first, err := w.p.list(ctx)
	if err != nil {
		return false, err
	}
	if w.held != nil && sameIDs(w.held, first) {
		return true, nil
	}
	if w.held == nil {
		w.held = map[model.MessageID]int64{} // the first listing: all of it is news
	}
	// Let a burst settle, then look again and report only what has held
	// still.
	if err := sleepCtx(ctx, settle); err != nil {
		return false, err
	}
	last, err := w.p.list(ctx)
	if err != nil {
		return false, err
	}
	w.held = reportSized(w.held, first, last, w.p.src.Name(), fn)
	return sameIDs(w.held, last), nil
}

func (p *PollWatcher) intervals() (interval, settle time.Duration) {
	interval, settle = p.Interval, p.Settle
	if interval <= 0 {
		interval = DefaultPollInterval
	}
	if settle <= 0 {
		settle = max(interval/5, 200*time.Millisecond)
	}
	return interval, settle
}

// stamp returns the source's change stamp, and whether it vouches that
// nothing changed while it stays the same; ("", false) for a source
// without one, or when it cannot be read (the listing then decides).
func (p *PollWatcher) stamp() (string, bool) {
	settle := p.folderSettle
	if settle <= 0 {
		settle = folderSettle
	}
	stamp := vouchingStamp(p.src, settle)
	return stamp, stamp != ""
}

// list returns the IDs and sizes of the source's mail messages.
func (p *PollWatcher) list(ctx context.Context) (map[model.MessageID]int64, error) {
	out := map[model.MessageID]int64{}
	err := p.src.List(ctx, func(e Entry) error {
		if !errors.Is(e.Err, ErrNotMail) {
			out[e.ID] = e.Size
		}
		return nil
	})
	return out, err
}

// reportSized compares known with two listings of the source called
// name, taken Settle apart, and calls fn with what has changed for
// good: messages in neither listing are removed, messages in both with
// one size are added. It returns the new known set; a message still
// changing stays unknown, to be reported by a later poll.
func reportSized(known, first, second map[model.MessageID]int64, name string, fn func(Change)) map[model.MessageID]int64 {
	var added, removed []model.MessageID
	for id := range known {
		_, in1 := first[id]
		_, in2 := second[id]
		if !in1 && !in2 {
			removed = append(removed, id)
			delete(known, id)
		}
	}
	for id, size := range second {
		if _, ok := known[id]; ok {
			continue
		}
		if s1, ok := first[id]; ok && s1 == size {
			added = append(added, id)
			known[id] = size
		}
	}
	reportChanges(removed, added, name, fn)
	return known
}

// reportChanges calls fn with the messages removed from the source
// called name, then with those added, sorted, if any.
func reportChanges(removed, added []model.MessageID, name string, fn func(Change)) {
	if len(removed) > 0 {
		slices.Sort(removed)
		fn(Change{Kind: Removed, IDs: removed,
			Note: fmt.Sprintf("%d message(s) vanished from %s (another operator released or deleted them)", len(removed), name)})
	}
	reportAdded(added, fn)
}

// heldFrom returns the messages known as a watch's held set. It keeps
// the IDs as given, for the watch's length: callers hand it IDs of their
// own (model.PackIDs), not slices of their rows' text.
func heldFrom(known iter.Seq[model.MessageID]) map[model.MessageID]int64 {
	held := map[model.MessageID]int64{}
	for id := range known {
		held[id] = 0
	}
	return held
}

// reportAdded calls fn with the added messages ids, sorted, if any.
func reportAdded(ids []model.MessageID, fn func(Change)) {
	if len(ids) == 0 {
		return
	}
	slices.Sort(ids)
	fn(Change{Kind: Added, IDs: ids, Note: fmt.Sprintf("%d new message(s)", len(ids))})
}

// sameIDs reports whether a listing holds exactly the known messages.
func sameIDs(known, now map[model.MessageID]int64) bool {
	if len(known) != len(now) {
		return false
	}
	for id := range now {
		if _, ok := known[id]; !ok {
			return false
		}
	}
	return true
}

// sleepCtx waits d or until ctx is done.
func sleepCtx(ctx context.Context, d time.Duration) error {
	t := time.NewTimer(d)
	defer t.Stop()
	select {
	case <-ctx.Done():
		return ctx.Err()
	case <-t.C:
		return nil
	}
}
