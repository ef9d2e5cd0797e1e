//go:build unix

package console

import (
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
