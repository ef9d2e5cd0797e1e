//go:build unix

package console

import (
	"runtime"
	"runtime/debug"
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
// almost nothing (model.SortRoom); also when the operator changed the
// sort, or messages arrived, between the ask and the taking.
func TestSortAheadTakesTheJobInItsRoom(t *testing.T) {
	const n = 20_000
	for _, tc := range []struct {
		name    string
		between func(m *Model)
	}{
		{"as asked", func(*Model) {}},
		{"sorted by another key", func(m *Model) { m.table.SetSort(sortAheadKeys(m.table.Sort())[0]) }},
		{"arrivals", func(m *Model) { m.table.Append(manyMessages(n, 40)...) }},
	} {
		m := newModel(t.Context(), testConfig(nil), true)
		m.Update(tea.WindowSizeMsg{Width: 160, Height: 48})
		m.table.Append(manyMessages(0, n)...)
		due := m.sortAheadDue()
		if due == nil {
			t.Fatalf("%s: nothing due", tc.name)
		}
		msg, ok := due().(sortAheadMsg)
		if !ok || msg.room == nil {
			t.Fatalf("%s: asked with %#v, want room", tc.name, msg)
		}
		tc.between(m)
		// What Update allocates taking the job, with no collection
		// in between (TotalAlloc counts every goroutine's; the
		// others of this test binary are idle).
		runtime.GC()
		gc := debug.SetGCPercent(-1)
		var before, after runtime.MemStats
		runtime.ReadMemStats(&before)
		run := m.handleSortAhead(msg)
		runtime.ReadMemStats(&after)
		debug.SetGCPercent(gc)
		if run == nil {
			t.Fatalf("%s: no job taken", tc.name)
		}
		if got := after.TotalAlloc - before.TotalAlloc; got > 64<<10 {
			t.Errorf("%s: taking the job allocated %d bytes in Update, want it in its room", tc.name, got)
		}
		j := run().(sortedMsg)
		m.handleSorted(j)
		if m.table.LacksOrder(sortAheadKeys(m.table.Sort())[0]) {
			t.Errorf("%s: no order for %v once the job ran", tc.name, sortAheadKeys(m.table.Sort())[0])
		}
	}
}
