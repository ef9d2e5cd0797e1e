//go:build unix

package console

import (
	"runtime"
	"slices"
	"testing"
	"time"

	tea "charm.land/bubbletea/v2"

	"mxaudit/model"
)

// TestSortAheadReadiesTheKeysNext scans a quarantine through the
// program's loop and checks that, once the scan has ended and the
// commands run, the keys one keystroke away have their orders ready,
// that s takes one and lists the messages as a fresh sort does, and that
// the keys next to the new one are readied in turn.
func TestSortAheadReadiesTheKeysNext(t *testing.T) {
	msgs := manyMessages(0, 3000)
	m := newModel(t.Context(), streamConfig(msgs, 0), true)
	m.Update(tea.WindowSizeMsg{Width: 160, Height: 48})
	p := newProgram(m)
	p.run(m.startScan())
	if err := p.untilScanDone(t.Context()); err != nil {
		t.Fatal(err)
	}
	p.settle(300 * time.Millisecond)
	k := m.table.Sort()
	for _, next := range sortAheadKeys(k) {
		if m.table.LacksOrder(next) {
			t.Fatalf("sorted by %v, no order ready for %v", k, next)
		}
	}
	for _, key := range []string{"s", "S"} {
		p.handle(press(key))
		want := model.NewTable()
		want.Append(msgs...)
		want.SetSort(m.table.Sort())
		if got, exp := listedIDs(m.table), listedIDs(want); !slices.Equal(got, exp) {
			t.Fatalf("after %s (%v) the list differs from a fresh sort", key, m.table.Sort())
		}
		p.settle(300 * time.Millisecond)
	}
	p.settle(300 * time.Millisecond)
	if m.table.LacksOrder(sortAheadKeys(m.table.Sort())...) {
		t.Fatalf("sorted by %v, the keys one keystroke away were not readied", m.table.Sort())
	}
	m.stopScan()
}

// listedIDs are the IDs of the messages the table shows, in order.
func listedIDs(t *model.Table) []model.MessageID {
	ids := make([]model.MessageID, t.Len())
	for i := range ids {
		ids[i] = t.RowAt(i).ID()
	}
	return ids
}

// TestSortAheadTakesTheJobInItsRoom checks that the command asking for
// the job due brings room for it, and that Update takes the job into
// it: of the 20,000 messages' keys and texts, 640 kB, Update allocates
// nothing (model.SortRoom).
func TestSortAheadTakesTheJobInItsRoom(t *testing.T) {
	const n = 20_000
	m := newModel(t.Context(), testConfig(nil), true)
	m.Update(tea.WindowSizeMsg{Width: 160, Height: 48})
	m.table.Append(manyMessages(0, n)...)
	due := m.sortAheadDue()
	if due == nil {
		t.Fatal("nothing due")
	}
	msg, ok := due().(sortAheadMsg)
	if !ok || msg.key != sortAheadKeys(m.table.Sort())[0] {
		t.Fatalf("asked with %#v, want the key %v", msg, sortAheadKeys(m.table.Sort())[0])
	}
	var before, after runtime.MemStats
	runtime.ReadMemStats(&before)
	run := m.handleSortAhead(msg)
	runtime.ReadMemStats(&after)
	if run == nil {
		t.Fatal("no job taken")
	}
	if got := after.TotalAlloc - before.TotalAlloc; got > 64<<10 {
		t.Errorf("taking the job allocated %d bytes in Update, want it in its room", got)
	}
	m.handleSorted(run().(sortedMsg))
	if m.table.LacksOrder(msg.key) {
		t.Errorf("no order for %v once the job ran", msg.key)
	}
}
