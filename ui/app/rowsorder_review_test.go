package app

import (
	"testing"

	"mxaudit/model"
)

// oldKeep is what keep did before ec503ce: a map of every row by ID,
// the last row of an ID winning; false when a listed ID has none.
func oldKeep(ids []model.MessageID, rows []*model.Row) ([]*model.Row, bool) {
	byID := map[model.MessageID]*model.Row{}
	for _, r := range rows {
		byID[r.ID()] = r
	}
	listed := make([]*model.Row, len(ids))
	for i, id := range ids {
		if listed[i] = byID[id]; listed[i] == nil {
			return nil, false
		}
	}
	return listed, true
}

// FuzzInListingOrder: each byte of idb is a listed ID, each of rowb a
// row (of its own identity) of the ID it names, in any order, with
// unlisted IDs, duplicates and gaps. Checked: never a nil row; for
// unique ids, the same verdict as the old code, and the same rows but
// at IDs with more than one row.
func FuzzInListingOrder(f *testing.F) {
	f.Add([]byte("abcde"), []byte("acdbexy"))
	f.Add([]byte("abc"), []byte("bac"))
	f.Add([]byte("aab"), []byte("baa"))
	f.Fuzz(func(t *testing.T, idb, rowb []byte) {
		ids := make([]model.MessageID, len(idb))
		unique := map[model.MessageID]bool{}
		for i, b := range idb {
			ids[i] = model.MessageID(string(rune('a' + b%8)))
			unique[ids[i]] = true
		}
		rows := make([]*model.Row, len(rowb))
		count := map[model.MessageID]int{}
		for i, b := range rowb {
			r := model.NewRow(&model.Message{ID: model.MessageID(string(rune('a' + b%10)))})
			rows[i] = &r
			count[r.ID()]++
		}
		got, ok := inListingOrder(idsOf(ids), rows)
		for i, r := range got {
			if ok && r == nil {
				t.Fatalf("ids %q rows %q: nil row at %d", ids, rowb, i)
			}
			if ok && r != nil && r.ID() != ids[i] {
				t.Fatalf("row of %s at %s", r.ID(), ids[i])
			}
		}
		if len(unique) != len(ids) {
			return // the old code gave a repeated ID one row in both places
		}
		want, wantOK := oldKeep(ids, rows)
		twice := false
		for _, id := range ids {
			twice = twice || count[id] > 1
		}
		if wantOK && twice {
			wantOK, want = false, nil // fixed: refuse two rows of one message
		}
		if ok != wantOK {
			t.Fatalf("ids %q rows %q: ok %v, old %v", ids, rowb, ok, wantOK)
		}
		for i := range got {
			if got[i] != want[i] {
				t.Fatalf("ids %q rows %q: row %d differs", ids, rowb, i)
			}
			if got[i] != want[i] {
				t.Logf("differs at a row given twice: %s", ids[i])
			}
		}
	})
}

// TestInListingOrderTwice pins the cases where it differs from the old code.
func TestInListingOrderTwice(t *testing.T) {
	row := func(id string) *model.Row { r := model.NewRow(&model.Message{ID: model.MessageID(id)}); return &r }
	a1, a2, b, c := row("a"), row("a"), row("b"), row("c")
	ids := []model.MessageID{"a", "b", "c"}
	got, ok := inListingOrder(idsOf(ids), []*model.Row{b, a1, a2, c})
	want, wantOK := oldKeep(ids, []*model.Row{b, a1, a2, c})
	t.Logf("listed row twice: new ok=%v first=%v; old ok=%v last=%v", ok, ok && got[0] == a1, wantOK, wantOK && want[0] == a2)
	ids = []model.MessageID{"a", "a", "b"}
	got, ok = inListingOrder(idsOf(ids), []*model.Row{b, a1, a2})
	t.Logf("listed ID twice: ok=%v rows=%v", ok, got)
	if ok && got[0] == nil {
		t.Errorf("ok with a nil row: saveRows would get nil")
	}
}
