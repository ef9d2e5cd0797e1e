package console

import (
	"runtime"
	"testing"
	"time"

	tea "charm.land/bubbletea/v2"

	"mxaudit/model"
	"mxaudit/ui/app"
)

// The SSH server's sessions scan through the hub's View: it must keep
// handing out shared rows, or every session builds them again.
var _ SharedSource = (*app.View)(nil)

// loadedShared returns a console of the given size listing the shared
// rows as a SharedSource hands them out (the SSH server's hub).
func loadedShared(tb testing.TB, shared []*model.Row, width, height int) *Model {
	m := newModel(tb.Context(), testConfig(nil), true)
	m.Update(tea.WindowSizeMsg{Width: width, Height: height})
	for i := 0; i < len(shared); i += maxBatch {
		batch := append([]*model.Row(nil), shared[i:min(i+maxBatch, len(shared))]...)
		deliver(m, scanBatchMsg{id: m.scan.id, shared: batch})
	}
	deliver(m, scanBatchMsg{id: m.scan.id, done: true})
	sortAheadNow(tb, m)
	return m
}

// sortAheadNow runs the session's sorting ahead (sortahead.go) to its
// end, as the program does once the scan has ended: the orders kept are
// part of what a session costs.
func sortAheadNow(tb testing.TB, m *Model) {
	// The asks Update made while the rows were delivered were dropped
	// with their commands: ask again.
	m.sortAhead = sortAheadIdle
	for {
		due := m.sortAheadDue()
		if due == nil {
			break
		}
		cmd := m.handleSortAhead(due().(sortAheadMsg))
		if cmd == nil {
			break
		}
		m.handleSorted(cmd().(sortedMsg))
	}
	if m.table.LacksOrder(sortAheadKeys(m.table.Sort())...) {
		tb.Fatal("the session did not sort ahead")
	}
}

// TestSessionMemory100k reports what one more SSH session costs with
// 100,000 messages listed: the sessions share the hub's messages, each
// keeping only its own view of them. It fails above the 20 MB budget.
func TestSessionMemory100k(t *testing.T) {
	if testing.Short() {
		t.Skip("memory measurement skipped in -short mode")
	}
	const n, sessions = 100_000, 3
	msgs := manyMessages(0, n)
	// The hub builds the rows once, as the messages arrive; the first
	// session settles what every session shares, the others are what
	// each further one costs.
	shared := model.NewRowBuilder().Rows(msgs)
	msgs = nil
	first := loadedShared(t, shared, 160, 48)
	heap := func() uint64 {
		runtime.GC()
		var s runtime.MemStats
		runtime.ReadMemStats(&s)
		return s.HeapAlloc
	}
	before := heap()
	var consoles []*Model
	for range sessions {
		consoles = append(consoles, loadedShared(t, shared, 160, 48))
	}
	for _, c := range consoles {
		_ = c.View()
	}
	per := float64(heap()-min(before, heap())) / sessions / (1 << 20)
	t.Logf("100,000 messages: %.1f MiB per further session", per)
	if per > 20 {
		t.Errorf("a session costs %.1f MiB, above the 20 MB budget", per)
	}
	for _, c := range consoles {
		if c.table.Total() != n {
			t.Fatalf("a session lists %d of %d messages", c.table.Total(), n)
		}
	}
	runtime.KeepAlive(first)
	runtime.KeepAlive(consoles)
	runtime.KeepAlive(shared)
}

// TestSharedRowsAnnotatedOnACopy checks that a session judging shared
// rows by its exception policy annotates copies: the hub's row, which
// every other session lists, keeps no exception.
func TestSharedRowsAnnotatedOnACopy(t *testing.T) {
	msgs := sampleMessages()
	var target *model.Message
	for i := range msgs {
		if msgs[i].IsEncrypted() && msgs[i].FromDomain != "" {
			target = &msgs[i]
			break
		}
	}
	if target == nil {
		t.Fatal("the samples have no encrypted message with a From domain")
	}
	shared := model.NewRowBuilder().Rows(msgs)
	before := make([]*model.ExceptionMatch, len(shared))
	for i, r := range shared {
		before[i] = r.Exception
	}
	exc := model.Exception{
		ID: 1, Scope: model.ScopeDomain, Value: target.FromDomain, Kinds: []model.ExceptionKind{model.KindEncryptedArchive},
		Reason: "partner", RequestedBy: "tanaka", Created: testNow.Add(-48 * time.Hour),
		ApprovedBy: "sato", Approved: testNow.Add(-time.Hour), Expires: testNow.Add(24 * time.Hour),
	}
	m := newModel(t.Context(), testConfig(nil), true)
	m.setPolicy(model.Policy{Exceptions: []model.Exception{exc}, Approvers: []string{"sato", "suzuki"}, NextID: 2})
	deliver(m, scanBatchMsg{id: m.scan.id, shared: append([]*model.Row(nil), shared...), done: true})

	listed := m.table.RowByID(target.ID)
	if listed == nil || listed.Exception == nil {
		t.Fatalf("the session lists %+v, want it covered by exception 1", listed)
	}
	for i := range msgs {
		if m.table.RowByID(msgs[i].ID) == nil {
			t.Errorf("%s is not listed", msgs[i].ID)
		}
		if shared[i].Exception != before[i] {
			t.Errorf("shared row %s was annotated", shared[i].ID())
		}
	}

	m.setPolicy(model.Policy{Approvers: []string{"sato", "suzuki"}, NextID: 2})
	if got := m.table.RowByID(target.ID); got.Exception != nil {
		t.Errorf("after the exception was removed the session still shows %+v", got.Exception)
	}
}
