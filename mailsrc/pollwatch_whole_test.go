package mailsrc

import (
	"context"
	"slices"
	"testing"

	"mxaudit/model"
)

// namesSource lists fixed names for a whole watch, from one buffer
// reused for every name, as a directory read does.
type namesSource []string

func (n namesSource) listIDBytes(ctx context.Context, fn func([]byte) error) error {
	buf := make([]byte, 0, 64)
	for _, name := range n {
		buf = append(buf[:0], name...)
		if err := fn(buf); err != nil {
			return err
		}
		clear(buf[:cap(buf)]) // the next name overwrites it
	}
	return nil
}

func listNames(t *testing.T, held heldIDs, names ...string) wholeListing {
	t.Helper()
	l, err := listWhole(context.Background(), namesSource(names), held)
	if err != nil {
		t.Fatal(err)
	}
	return l
}

func idsOf(names ...string) []model.MessageID {
	ids := make([]model.MessageID, len(names))
	for i, n := range names {
		ids[i] = model.MessageID(n)
	}
	return ids
}

// TestReportWhole: a message in neither listing is removed, one in both
// that was not held is added, and one in only one listing is neither
// (it moved while the folders were read, or came between the listings:
// the next poll settles it).
func TestReportWhole(t *testing.T) {
	known := heldOf(slices.Values(idsOf("a", "b", "c")))
	first := listNames(t, known, "a", "b", "d", "e", "d") // d read twice
	second := listNames(t, known, "a", "d", "f")
	if len(first.sums) != 4 || len(first.fresh) != 2 || first.fresh[sumOfID("d")] != "d" || first.fresh[sumOfID("e")] != "e" {
		t.Fatalf("first listing: %d sums, fresh %v", len(first.sums), first.fresh)
	}
	var changes []Change
	held := reportWhole(known, first, second, "test", func(c Change) { changes = append(changes, c) })
	if len(changes) != 2 || changes[0].Kind != Removed || !slices.Equal(changes[0].IDs, idsOf("c")) ||
		changes[1].Kind != Added || !slices.Equal(changes[1].IDs, idsOf("d")) {
		t.Fatalf("changes %+v, want c removed, d added", changes)
	}
	want := heldOf(slices.Values(idsOf("a", "b", "d")))
	if !slices.Equal(held, want) {
		t.Fatalf("held %v, want %v", held, want)
	}
	if !held.same(listNames(t, held, "d", "b", "a").sums) || held.same(second.sums) {
		t.Fatal("same is not set equality")
	}
}

// TestWholeWatchFromNothing: without known IDs, the first listing is
// reported whole, once, and is the set held.
func TestWholeWatchFromNothing(t *testing.T) {
	w := &wholeWatch{src: namesSource{"b", "a", "b"}}
	var changes []Change
	same, err := w.poll(context.Background(), 0, "test", func(c Change) { changes = append(changes, c) })
	if err != nil || !same || len(changes) != 1 || !slices.Equal(changes[0].IDs, idsOf("a", "b")) {
		t.Fatalf("same %v, err %v, changes %+v", same, err, changes)
	}
	changes = nil
	if same, err := w.poll(context.Background(), 0, "test", func(c Change) { changes = append(changes, c) }); err != nil || !same || changes != nil {
		t.Fatalf("again: same %v, err %v, changes %+v", same, err, changes)
	}
}
