package console

import (
	"context"
	"errors"
	"fmt"
	"iter"
	"slices"
	"time"

	tea "charm.land/bubbletea/v2"

	"mxaudit/mailsrc"
	"mxaudit/model"
)

// Live updates: once the first scan has finished, the console follows the
// source (Config.Watch) in a goroutine of its own. Each change it reports
// comes to Update as a watchMsg: arrivals are analysed in a command and
// appended, departures leave the list with a note, and a renumbered
// source is scanned again under a new scan ID, so that answers meant for
// the old listing are dropped.

// ChangeKind says what happened to the watched source.
type ChangeKind int

// Kinds of change the console reacts to.
const (
	// ChangeAdded: messages arrived. IDs may repeat messages already
	// listed; the console skips those.
	ChangeAdded ChangeKind = iota + 1
	// ChangeRemoved: messages left the source (another operator released
	// or deleted them). This is news for the status line, not an error.
	ChangeRemoved
	// ChangeReload: every ID handed out so far is void (IMAP UIDVALIDITY
	// changed); the console drops its list and scans again.
	ChangeReload
)

// Change is one event of the watched source, as Config.Watch reports it.
type Change struct {
	Kind ChangeKind
	// IDs are the messages concerned; empty for ChangeReload.
	IDs []model.MessageID
	// Note is the source's own sentence about the change; the console
	// shows it for a reload and uses its own words otherwise.
	Note string
	// Done is, for a departure, what took the messages when known
	// ("released by sato").
	Done string
}

// fromSource translates a change the source reports into the console's
// terms; ok is false for a kind the console does not know.
func fromSource(c mailsrc.Change) (change Change, ok bool) {
	var kind ChangeKind
	switch c.Kind {
	case mailsrc.Added:
		kind = ChangeAdded
	case mailsrc.Removed:
		kind = ChangeRemoved
	case mailsrc.Reload:
		kind = ChangeReload
	default:
		return Change{}, false
	}
	return Change{Kind: kind, IDs: c.IDs, Note: c.Note, Done: c.Done}, true
}

// watchStopWait bounds how long Run waits for the watch goroutine after
// cancelling it, before the caller closes the source: a server that no
// longer answers must not keep the terminal hostage.
const watchStopWait = 5 * time.Second

type (
	// watchMsg carries one change, the end of the watch (done, with
	// the error that ended it), or the watch's question for the IDs
	// the console lists (askIDs, where Update answers: askIDs).
	watchMsg struct {
		change Change
		done   bool
		err    error
		askIDs chan<- model.PackedIDs
	}
	// arrivalsMsg carries the analysed arrivals of scan scanID; asked
	// are all the IDs that were asked for, answered or not.
	arrivalsMsg struct {
		scanID int
		asked  []model.MessageID
		msgs   []model.Message
		err    error
	}
)

// watchState is the root model's view of the watch goroutine.
type watchState struct {
	started bool
	ctx     context.Context // cancelled on quit
	cancel  context.CancelFunc
	events  chan watchMsg
	// done is closed when the goroutine has returned.
	done chan struct{}
	// pending are the arrivals being analysed, so that a repeated Added
	// does not analyse them twice.
	pending map[model.MessageID]bool
	// live are the messages appended from the watch since the current
	// scan started: a rescan that lists them too must not add them again.
	live map[model.MessageID]bool
	// reloading is set while a rescan after a renumbering runs; its end
	// replaces the "reloading" note, which would otherwise hide the
	// scan's own progress and outcome for good.
	reloading bool
	// askedIDs are where the watch waits for the IDs listed, asked
	// while a scan ran: answered when it ends (answerAskedIDs). One at
	// most in practice: a watch asks once.
	askedIDs []chan<- model.PackedIDs
}

// startWatch starts following the source, once, after the first scan.
// The goroutine is started here rather than in a command so that stopWatch
// always has something to wait for; it only ever talks to Update through
// the channel that waitForChange reads.
func (m *Model) startWatch() tea.Cmd {
	run := m.cfg.watcher()
	if run == nil || m.watch.started {
		return nil
	}
	// The watch starts from the messages listed: it reports what changed
	// since the scan listed them, rather than its whole first listing for
	// Update to dedupe (at 100,000 messages, 38 ms in Update at the
	// scan's end, and a key pressed then waited about 90 ms more). It
	// takes them in when the folder first changes, which may be hours
	// later, and asks Update for them then (askIDs).
	ctx, cancel := context.WithCancel(m.ctx)
	events, done := make(chan watchMsg, 64), make(chan struct{})
	known := askIDs(ctx, events)
	m.watch = watchState{started: true, ctx: ctx, cancel: cancel, events: events, done: done,
		pending: map[model.MessageID]bool{}, live: map[model.MessageID]bool{}}
	go func() {
		defer close(done)
		err := run(ctx, known, func(c mailsrc.Change) {
			change, ok := fromSource(c)
			if !ok {
				return // a kind this console does not know: nothing to show
			}
			select {
			case events <- watchMsg{change: change}:
			case <-ctx.Done():
			}
		})
		select {
		case events <- watchMsg{done: true, err: err}:
		case <-ctx.Done():
		}
	}()
	return waitForChange(ctx, events)
}

// askIDs returns the IDs the watch starts from (Known.IDs): ranged
// over, it asks Update through events and waits for the answer, a copy
// of the IDs listed then (sendIDs), which holds no row, so that the
// table's rows stay its own to drop. Asked when the folder first
// changes rather than copied when the watch starts, the copy is made at
// most once (28 MB held at a million messages for as long as the folder
// does not change); and it is the list as it is then, without the
// messages the operator has released since.
func askIDs(ctx context.Context, events chan<- watchMsg) iter.Seq[model.MessageID] {
	return func(yield func(model.MessageID) bool) {
		reply := make(chan model.PackedIDs, 1)
		select {
		case events <- watchMsg{askIDs: reply}:
		case <-ctx.Done():
			return
		}
		select {
		case ids := <-reply:
			ids.All()(yield)
		case <-ctx.Done():
		}
	}
}

// answerIDs answers the watch's question for the IDs listed (askIDs):
// at once, or when the scan under way ends, so that a rescan's list is
// given whole rather than as far as it got.
func (m *Model) answerIDs(reply chan<- model.PackedIDs) tea.Cmd {
	if m.scan.running {
		m.watch.askedIDs = append(m.watch.askedIDs, reply)
		return nil
	}
	return m.sendIDs(reply)
}

// answerAskedIDs answers a question for the IDs put off until the scan
// ended (answerIDs), whatever its outcome: after a failed scan the
// watch starts from what was listed, and reports the rest as new.
func (m *Model) answerAskedIDs() tea.Cmd {
	if len(m.watch.askedIDs) == 0 {
		return nil
	}
	cmd := m.sendIDs(m.watch.askedIDs...)
	m.watch.askedIDs = nil
	return cmd
}

// sendIDs returns the command that sends each reply the IDs of every
// message listed now, packed into one string (model.PackIDs). Update
// only gathers them (Table.ArrivalIDs: the rows' own strings, which
// never change), and the command packs them. Packed in Update, at
// 100,000 messages, they took 4–132 ms when the watch asked at a scan's
// end, beside the sorting ahead and the kept list's writing (2.9 ms
// alone), and a key pressed then waited for them. Each reply's channel
// has room for its answer: the command never waits.
func (m *Model) sendIDs(replies ...chan<- model.PackedIDs) tea.Cmd {
	ids := m.table.ArrivalIDs()
	return func() tea.Msg {
		packed := model.PackIDs(slices.Values(ids))
		for _, reply := range replies {
			reply <- packed
		}
		return nil
	}
}

// waitForChange returns the command that reads the watch's next event.
func waitForChange(ctx context.Context, events <-chan watchMsg) tea.Cmd {
	return func() tea.Msg {
		select {
		case ev := <-events:
			return ev
		case <-ctx.Done():
			return nil
		}
	}
}

// cancelWatch asks the watch goroutine to stop, without waiting: it is
// called from Update, which must not block. Safe to call more than once.
func (m *Model) cancelWatch() {
	if m.watch.started {
		m.watch.cancel()
	}
}

// stopWatch cancels the watch and waits (boundedly) for its goroutine, so
// that the caller does not close the source under it.
func (m *Model) stopWatch() {
	if !m.watch.started {
		return
	}
	m.watch.cancel()
	select {
	case <-m.watch.done:
	case <-time.After(watchStopWait):
	}
}

// handleWatch applies one change and asks for the next.
func (m *Model) handleWatch(msg watchMsg) tea.Cmd {
	if msg.done {
		if msg.err != nil && !errors.Is(msg.err, context.Canceled) {
			m.setNotice("live updates stopped: "+msg.err.Error(), true)
		}
		return nil
	}
	next := waitForChange(m.watch.ctx, m.watch.events)
	if msg.askIDs != nil {
		return tea.Batch(m.answerIDs(msg.askIDs), next)
	}
	switch c := msg.change; c.Kind {
	case ChangeAdded:
		return tea.Batch(m.analyseArrivals(c.IDs), next)
	case ChangeRemoved:
		return tea.Batch(m.removeDeparted(c.IDs, c.Done), next)
	case ChangeReload:
		note := c.Note
		if note == "" {
			note = "the source was renumbered: reloading"
		}
		m.setNotice(note, false)
		return tea.Batch(m.rescan(), next)
	}
	return next
}

// analyseArrivals returns the command that analyses the arrivals not yet
// listed or on their way.
func (m *Model) analyseArrivals(ids []model.MessageID) tea.Cmd {
	unlisted := m.unlisted(ids)
	var fresh []model.MessageID
	for _, id := range ids {
		if unlisted[id] && !m.watch.pending[id] {
			fresh = append(fresh, id)
			m.watch.pending[id] = true
		}
	}
	if len(fresh) == 0 {
		return nil
	}
	analyse := m.cfg.analyzer()
	if analyse == nil {
		m.setNotice(fmt.Sprintf("%s arrived; restart the console to list them", count(len(fresh), "new message")), false)
		return nil
	}
	ctx, scanCtx, scanID, kept := m.ctx, m.scan.ctx, m.scan.id, m.kept
	return func() tea.Msg {
		msgs, err := analyse(ctx, fresh)
		// The table keeps their rows only. A reload meanwhile (its scan
		// cancelled) may have given these IDs to other messages: then
		// they are not kept, and handleArrivals drops them.
		if scanCtx.Err() == nil {
			kept.Put(msgs...)
		}
		return arrivalsMsg{scanID: scanID, asked: fresh, msgs: msgs, err: err}
	}
}

// handleArrivals appends analysed arrivals, skipping any the table has
// meanwhile (a rescan may have listed them).
func (m *Model) handleArrivals(msg arrivalsMsg) tea.Cmd {
	// Every ID asked for is no longer pending, answered or not: one the
	// analysis skipped or lost to an error may be announced again.
	for _, id := range msg.asked {
		delete(m.watch.pending, id)
	}
	if msg.err != nil && !errors.Is(msg.err, context.Canceled) {
		m.setNotice("new messages could not be analysed: "+msg.err.Error(), true)
	}
	if msg.scanID != m.scan.id {
		return nil // analysed for a listing that a reload replaced
	}
	unlisted := m.unlisted(messageIDs(msg.msgs))
	var add []model.Message
	for _, a := range msg.msgs {
		if unlisted[a.ID] {
			delete(unlisted, a.ID) // an ID twice in msgs is added once
			add = append(add, a)
			m.watch.live[a.ID] = true
		}
	}
	if len(add) == 0 {
		return nil
	}
	m.annotate(add)
	m.table.Append(add...)
	if msg.err == nil {
		m.setNotice(count(len(add), "new message")+" arrived", false)
	}
	return tea.Batch(m.selectionChanged(), m.statsChanged())
}

// removeDeparted takes messages that left the source out of the list;
// done, when known ("released by sato"), is shown instead of a guess.
func (m *Model) removeDeparted(ids []model.MessageID, done string) tea.Cmd {
	gone := make(map[model.MessageID]bool, len(ids))
	for _, id := range ids {
		gone[id] = true
	}
	n := m.table.Remove(gone)
	m.marks.forget(gone)
	if n == 0 {
		return nil // already gone: acted on from this console
	}
	verb := "messages left"
	if n == 1 {
		verb = "message left"
	}
	if done != "" {
		m.setNotice(fmt.Sprintf("%s: %s", count(n, "message"), done), false)
	} else {
		m.setNotice(fmt.Sprintf("%d %s the folder (another operator?)", n, verb), false)
	}
	return tea.Batch(m.selectionChanged(), m.statsChanged())
}

// rescan drops the list and scans the source again under a new scan ID.
func (m *Model) rescan() tea.Cmd {
	m.stopScan()
	all := m.listedIDs()
	m.table.Remove(all)
	m.marks = marks{}
	id := m.scan.id + 1
	m.scan = newScanState(m.ctx)
	m.scan.id = id
	m.watch.live = map[model.MessageID]bool{}
	m.watch.reloading = true
	// The IDs may name other messages now: the detail pane, any pending
	// read-back for a key and every kept copy are forgotten (Reset takes
	// the spill's lock, which a Put holds only while it writes a batch).
	m.forgetDetail()
	m.read.seq++
	m.read.then, m.read.what = nil, ""
	m.kept.Reset()
	scan := m.startScan()
	var answer tea.Cmd
	if !m.scan.running {
		answer = m.answerAskedIDs() // no scan to wait for: the old one's end is ignored
	}
	return tea.Batch(scan, answer, m.selectionChanged(), m.statsChanged())
}

// unlisted returns which of ids the table does not list, shown or not.
// It builds no set of every listed ID, as listedIDs does: at 1,000,000
// messages that set is tens of megabytes and a tenth of a second in
// Update, at every arrival (and the watch's first report names every
// message).
func (m *Model) unlisted(ids []model.MessageID) map[model.MessageID]bool {
	fresh := make(map[model.MessageID]bool, len(ids))
	for _, id := range ids {
		fresh[id] = true
	}
	m.table.EachRow(func(r *model.Row) {
		if len(fresh) > 0 {
			delete(fresh, r.ID())
		}
	})
	return fresh
}

// messageIDs returns the messages' IDs.
func messageIDs(msgs []model.Message) []model.MessageID {
	ids := make([]model.MessageID, len(msgs))
	for i := range msgs {
		ids[i] = msgs[i].ID
	}
	return ids
}

// listedIDs returns the IDs of every message in the table, shown or not.
func (m *Model) listedIDs() map[model.MessageID]bool {
	ids := make(map[model.MessageID]bool, m.table.Total())
	m.table.EachRow(func(r *model.Row) { ids[r.ID()] = true })
	return ids
}

// count says "1 new message" or "3 new messages".
func count(n int, noun string) string {
	if n == 1 {
		return "1 " + noun
	}
	return fmt.Sprintf("%d %ss", n, noun)
}
