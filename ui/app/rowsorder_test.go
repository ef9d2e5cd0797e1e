package app

import (
	"fmt"
	"math/rand/v2"
	"slices"
	"testing"

	"mxaudit/model"
)

// TestInListingOrder checks inListingOrder against a map of every row
// (what keep did before: oldKeep), on rows in listing order, with held messages
// emitted later, new mail last or anywhere, a row given twice, a row
// missing, and shuffled.
func TestInListingOrder(t *testing.T) {
	rowsOf := func(ids ...string) []*model.Row {
		var rows []*model.Row
		for _, id := range ids {
			r := model.NewRow(&model.Message{ID: model.MessageID(id)})
			rows = append(rows, &r)
		}
		return rows
	}
	same := func(what string, ids []model.MessageID, rows []*model.Row) {
		t.Helper()
		got, ok := inListingOrder(ids, rows)
		want, wantOK := oldKeep(ids, rows)
		if ok != wantOK || !slices.Equal(got, want) {
			t.Fatalf("%s: %v %v, want %v %v", what, ok, len(got), wantOK, len(want))
		}
	}
	ids := []model.MessageID{"a", "b", "c", "d", "e"}
	for _, tc := range []struct {
		what string
		rows []string
	}{
		{"in order", []string{"a", "b", "c", "d", "e"}},
		{"held, emitted later", []string{"a", "c", "d", "b", "e"}},
		{"new mail last", []string{"a", "b", "c", "d", "e", "x", "y"}},
		{"new mail first", []string{"x", "a", "b", "c", "d", "e"}},
		{"new mail between", []string{"a", "b", "x", "c", "d", "e"}},
		{"reversed", []string{"e", "d", "c", "b", "a"}},
		{"one missing", []string{"a", "b", "d", "e", "x"}},
		{"one twice", []string{"a", "b", "b", "d", "e"}},
		{"empty", nil},
	} {
		same(tc.what, ids, rowsOf(tc.rows...))
	}
	rng := rand.New(rand.NewPCG(3, 4))
	for trial := range 500 {
		n := 1 + rng.IntN(40)
		var ids []model.MessageID
		var names []string
		for i := range n {
			ids = append(ids, model.MessageID(fmt.Sprint(i)))
			names = append(names, fmt.Sprint(i))
		}
		for range rng.IntN(4) {
			names = append(names, fmt.Sprint("new", rng.IntN(3)))
		}
		// A few moved later (held), or the whole shuffled, or one dropped.
		switch rng.IntN(4) {
		case 0:
			rng.Shuffle(len(names), func(i, j int) { names[i], names[j] = names[j], names[i] })
		case 1:
			for range 1 + rng.IntN(3) {
				i := rng.IntN(len(names))
				moved := names[i]
				names = append(slices.Delete(names, i, i+1), moved)
			}
		case 2:
			i := rng.IntN(len(names))
			names = slices.Delete(names, i, i+1)
		}
		same(fmt.Sprint("trial ", trial), ids, rowsOf(names...))
	}
}
