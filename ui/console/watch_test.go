package console

import (
	"context"
	"errors"
	"iter"
	"maps"
	"slices"
	"sync"
	"testing"
	"time"

	tea "charm.land/bubbletea/v2"

	"mxaudit/analysis/scan"
	"mxaudit/model"
)

// driver runs a model the way a program does, minus the terminal:
// commands run in goroutines, their messages come back to Update on the
// test's goroutine. It lets tests follow long-lived commands such as the
// watch's, which runCmd (one command at a time) would block on.
type driver struct {
	t    *testing.T
	m    *Model
	msgs chan tea.Msg
}

func newDriver(t *testing.T, m *Model) *driver {
	return &driver{t: t, m: m, msgs: make(chan tea.Msg, 1024)}
}

func (d *driver) exec(cmd tea.Cmd) {
	if cmd == nil {
		return
	}
	go func() {
		if msg := cmd(); msg != nil {
			d.msgs <- msg
		}
	}()
}

// until feeds messages to Update until one satisfies stop.
func (d *driver) until(what string, stop func(tea.Msg) bool) {
	d.t.Helper()
	timeout := time.After(20 * time.Second)
	for {
		select {
		case msg := <-d.msgs:
			if d.feed(msg) && stop(msg) {
				return
			}
		case <-timeout:
			d.t.Fatalf("timed out waiting for %s", what)
		}
	}
}

// feed runs a batch's commands, or hands msg to Update and runs the
// command it returns; it reports whether Update had it.
func (d *driver) feed(msg tea.Msg) bool {
	if batch, ok := msg.(tea.BatchMsg); ok {
		for _, c := range batch {
			d.exec(c)
		}
		return false
	}
	_, cmd := d.m.Update(msg)
	d.exec(cmd)
	return true
}

// receive feeds messages to Update, as until does, until ch yields a
// value: for an answer a command Update returned gives (sendIDs).
func receive[T any](d *driver, what string, ch <-chan T) T {
	d.t.Helper()
	timeout := time.After(20 * time.Second)
	for {
		select {
		case v := <-ch:
			return v
		case msg := <-d.msgs:
			d.feed(msg)
		case <-timeout:
			d.t.Fatalf("timed out waiting for %s", what)
		}
	}
}

func isWatchMsg(msg tea.Msg) bool { w, ok := msg.(watchMsg); return ok && w.askIDs == nil }

// isWatchQuestion is the watch asking for the IDs listed (askIDs).
func isWatchQuestion(msg tea.Msg) bool { w, ok := msg.(watchMsg); return ok && w.askIDs != nil }
func isArrivals(msg tea.Msg) bool      { _, ok := msg.(arrivalsMsg); return ok }
func tableIDs(m *Model) []model.MessageID {
	var ids []model.MessageID
	for id := range m.listedIDs() {
		ids = append(ids, id)
	}
	slices.Sort(ids)
	return ids
}

// fakeFolder is a source in memory whose contents the test changes: Scan
// lists it, Analyze looks messages up in it, Watch relays the changes the
// test sends.
type fakeFolder struct {
	mu       sync.Mutex
	msgs     map[model.MessageID]model.Message
	analysed [][]model.MessageID
	changes  chan Change
	watchErr error
	watching chan struct{}          // closed when Watch has returned
	known    chan []model.MessageID // what Watch was told the console lists, sorted
}

func newFakeFolder(msgs []model.Message) *fakeFolder {
	f := &fakeFolder{msgs: map[model.MessageID]model.Message{}, changes: make(chan Change), watching: make(chan struct{}),
		known: make(chan []model.MessageID, 1)}
	for _, m := range msgs {
		f.msgs[m.ID] = m
	}
	return f
}

func (f *fakeFolder) config() Config {
	cfg := testConfig(nil)
	cfg.Live = stubOf(cfg)
	stubOf(cfg).scan = func(ctx context.Context, emit func(model.Message) error, _ func(scan.Progress)) error {
		f.mu.Lock()
		var all []model.Message
		for _, m := range f.msgs {
			all = append(all, m)
		}
		f.mu.Unlock()
		slices.SortFunc(all, func(a, b model.Message) int { return compareIDs(a.ID, b.ID) })
		for _, m := range all {
			if err := emit(m); err != nil {
				return err
			}
		}
		return nil
	}
	stubOf(cfg).analyze = func(_ context.Context, ids []model.MessageID) ([]model.Message, error) {
		f.mu.Lock()
		defer f.mu.Unlock()
		f.analysed = append(f.analysed, ids)
		var out []model.Message
		for _, id := range ids {
			if m, ok := f.msgs[id]; ok {
				out = append(out, m)
			}
		}
		return out, nil
	}
	stubOf(cfg).watch = func(ctx context.Context, known iter.Seq[model.MessageID], send func(Change)) error {
		defer close(f.watching)
		f.known <- slices.Sorted(known)
		for {
			select {
			case c, ok := <-f.changes:
				if !ok {
					return f.watchErr
				}
				send(c)
			case <-ctx.Done():
				return ctx.Err()
			}
		}
	}
	return cfg
}

func compareIDs(a, b model.MessageID) int {
	switch {
	case a < b:
		return -1
	case a > b:
		return 1
	}
	return 0
}

func (f *fakeFolder) put(msgs ...model.Message) {
	f.mu.Lock()
	defer f.mu.Unlock()
	for _, m := range msgs {
		f.msgs[m.ID] = m
	}
}

func (f *fakeFolder) drop(ids ...model.MessageID) {
	f.mu.Lock()
	defer f.mu.Unlock()
	for _, id := range ids {
		delete(f.msgs, id)
	}
}

func (f *fakeFolder) analyseCalls() [][]model.MessageID {
	f.mu.Lock()
	defer f.mu.Unlock()
	return slices.Clone(f.analysed)
}

// TestLiveUpdates follows a folder through arrivals (repeated IDs
// included), departures and a renumbering.
func TestLiveUpdates(t *testing.T) {
	all := sampleMessages()
	folder := newFakeFolder(all[:2])
	m := newModel(t.Context(), folder.config(), true)
	m.Update(tea.WindowSizeMsg{Width: 120, Height: 30})
	d := newDriver(t, m)
	d.exec(m.Init())
	d.until("the first scan", isScanDone)
	if !m.watch.started {
		t.Fatal("the watch did not start after the first scan")
	}
	// It starts from what the scan listed, so that it reports only what
	// changed since; it asks Update for them.
	d.until("the watch's question", isWatchQuestion)
	if known, want := receive(d, "the watch's start", folder.known), sortedIDs(all[:2]); !slices.Equal(known, want) {
		t.Fatalf("the watch started from %v, want the listed %v", known, want)
	}

	// Added names a listed message too (as IMAP may after a reconnect):
	// only the new ones are analysed and appended.
	folder.put(all[2], all[3])
	folder.changes <- Change{Kind: ChangeAdded, IDs: []model.MessageID{all[0].ID, all[2].ID, all[3].ID}}
	d.until("the arrivals", isArrivals)
	if got, want := tableIDs(m), sortedIDs(all[:4]); !slices.Equal(got, want) {
		t.Fatalf("after arrivals: %v, want %v", got, want)
	}
	if calls := folder.analyseCalls(); len(calls) != 1 || !slices.Equal(calls[0], []model.MessageID{all[2].ID, all[3].ID}) {
		t.Fatalf("Analyze calls %v, want one for the two new messages", calls)
	}
	if m.notice.text != "2 new messages arrived" || m.notice.bad {
		t.Errorf("notice %+v", m.notice)
	}
	folder.changes <- Change{Kind: ChangeAdded, IDs: []model.MessageID{all[2].ID}}
	d.until("a repeated arrival", isWatchMsg)
	if calls := folder.analyseCalls(); len(calls) != 1 || m.table.Total() != 4 {
		t.Fatalf("a repeated arrival was analysed again (%d calls) or listed twice (%d rows)", len(calls), m.table.Total())
	}

	// Another operator deletes two messages, one of them marked here.
	m.marks.put(all[0].ID, true)
	folder.drop(all[0].ID, all[2].ID)
	folder.changes <- Change{Kind: ChangeRemoved, IDs: []model.MessageID{all[0].ID, all[2].ID}}
	d.until("the departures", isWatchMsg)
	if got, want := tableIDs(m), sortedIDs([]model.Message{all[1], all[3]}); !slices.Equal(got, want) {
		t.Fatalf("after departures: %v, want %v", got, want)
	}
	if m.notice.text != "2 messages left the folder (another operator?)" || m.notice.bad {
		t.Errorf("notice %+v, want the departure note (not an error)", m.notice)
	}
	if m.marks.has(all[0].ID) {
		t.Error("the mark of a departed message survived")
	}

	// The folder is renumbered: the list is dropped and scanned again.
	folder.put(all[4])
	oldScan := m.scan.id
	folder.changes <- Change{Kind: ChangeReload, Note: "UIDVALIDITY changed: reloading"}
	d.until("the rescan", func(msg tea.Msg) bool { return isScanDone(msg) && m.scan.id != oldScan })
	if got, want := tableIDs(m), sortedIDs([]model.Message{all[1], all[3], all[4]}); !slices.Equal(got, want) || m.table.Total() != 3 {
		t.Fatalf("after reload: %v (%d rows), want %v", got, m.table.Total(), want)
	}
	if m.notice.text != "list reloaded: 3 messages" {
		t.Errorf("notice after the reload %q", m.notice.text)
	}

	// An analysis made for the old listing is dropped.
	m.Update(arrivalsMsg{scanID: oldScan, msgs: []model.Message{all[5]}})
	if m.table.RowByID(all[5].ID) != nil {
		t.Error("arrivals analysed for a replaced listing were appended")
	}

	// Quitting cancels the watch; Run then waits for it.
	m.quit()
	select {
	case <-folder.watching:
	case <-time.After(5 * time.Second):
		t.Fatal("the watch did not stop on quit")
	}
	m.stopWatch()
}

// TestWatchAskedDuringAScan: the watch's question for the IDs listed,
// asked while a scan runs, is answered when it ends, with its whole
// list, not as far as it got; asked when no scan runs, at once (by a
// command, sendIDs).
func TestWatchAskedDuringAScan(t *testing.T) {
	all := sampleMessages()
	folder := newFakeFolder(all[:2])
	m := newModel(t.Context(), folder.config(), true)
	d := newDriver(t, m)
	d.exec(m.Init())
	d.until("the first scan", isScanDone)
	d.until("the watch's question", isWatchQuestion)
	receive(d, "the watch's start", folder.known)

	folder.put(all[2:]...)
	d.exec(m.rescan())
	if !m.scan.running {
		t.Fatal("no rescan under way")
	}
	reply := make(chan model.PackedIDs, 1)
	d.exec(m.handleWatch(watchMsg{askIDs: reply}))
	if len(reply) != 0 {
		t.Fatal("answered while the scan ran")
	}
	d.until("the rescan", isScanDone)
	// The answer is packed by a command the scan's end returned.
	ids := receive(d, "the answer after the scan", reply)
	if got, want := slices.Sorted(ids.All()), sortedIDs(all); !slices.Equal(got, want) {
		t.Fatalf("answered %v after the scan, want %v", got, want)
	}
	d.exec(m.handleWatch(watchMsg{askIDs: reply}))
	if ids := receive(d, "the answer with no scan", reply); ids.Len() != len(all) {
		t.Fatalf("answered %d IDs with no scan running, want %d", ids.Len(), len(all))
	}
	m.stopWatch()
}

// TestWatchFailureIsANote checks that a watch that gives up ends live
// updates with a note, and that no watch starts after a failed scan.
func TestWatchFailureIsANote(t *testing.T) {
	folder := newFakeFolder(sampleMessages()[:1])
	folder.watchErr = errors.New("imap: connection lost after 5 retries")
	m := newModel(t.Context(), folder.config(), true)
	d := newDriver(t, m)
	d.exec(m.Init())
	d.until("the first scan", isScanDone)
	close(folder.changes)
	d.until("the end of the watch", isWatchMsg)
	if !m.notice.bad || m.notice.text != "live updates stopped: imap: connection lost after 5 retries" {
		t.Fatalf("notice %+v", m.notice)
	}

	failing := testConfig(nil)
	failing.Live = stubOf(failing)
	stubOf(failing).scan = func(context.Context, func(model.Message) error, func(scan.Progress)) error {
		return errors.New("mailbox does not exist")
	}
	stubOf(failing).watch = func(context.Context, iter.Seq[model.MessageID], func(Change)) error {
		t.Error("watch started after a failed scan")
		return nil
	}
	m = newModel(t.Context(), failing, true)
	runCmd(t, m, m.Init(), nil)
	if m.watch.started {
		t.Fatal("the watch started after a failed scan")
	}
}

func sortedIDs(msgs []model.Message) []model.MessageID {
	ids := make([]model.MessageID, len(msgs))
	for i, m := range msgs {
		ids[i] = m.ID
	}
	slices.Sort(ids)
	return ids
}

// TestWatchAnswerReadsNoRow: the command packing the watch's answer
// (sendIDs) may run while Update goes on, here removing every message,
// which shrinks each row in place, then clearing the table; it reads
// only the IDs Update gathered, and answers the list as it was asked
// (the race detector checks the first, under -race).
func TestWatchAnswerReadsNoRow(t *testing.T) {
	msgs := manyMessages(0, 2000)
	m := newModel(t.Context(), testConfig(nil), true)
	m.table.Append(msgs...)
	want := slices.Sorted(maps.Keys(m.listedIDs()))
	reply := make(chan model.PackedIDs, 1)
	d := newDriver(t, m)
	d.exec(m.sendIDs(reply))
	all := map[model.MessageID]bool{}
	for _, id := range want {
		all[id] = true
	}
	m.table.Remove(all)
	m.table.Clear()
	if got := slices.Sorted(receive(d, "the answer", reply).All()); !slices.Equal(got, want) {
		t.Fatalf("answered %d IDs, want the %d listed when asked", len(got), len(want))
	}
}
