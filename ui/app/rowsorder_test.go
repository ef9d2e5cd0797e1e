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
		got, ok := inListingOrder(idsOf(ids), rows)
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

// TestListedIDsOverBlocks: the IDs of rows handed out block by block,
// then a slice, are those of the one slice they replace, whole and cut
// at any length, and put rows in listing order as that slice does.
func TestListedIDsOverBlocks(t *testing.T) {
	var flat []model.MessageID
	var blocks [][]model.Row
	for b, size := range []int{4, 4, 2} {
		var block []model.Row
		for i := range size {
			id := model.MessageID(fmt.Sprintf("b%d-%d", b, i))
			block, flat = append(block, model.NewRow(&model.Message{ID: id})), append(flat, id)
		}
		blocks = append(blocks, block)
	}
	rest := []model.MessageID{"x", "y", "z"}
	flat = append(flat, rest...)
	ids := listedIDs{blocks: blocks, per: 4, n: 10, rest: rest}
	for n := 0; n <= len(flat); n++ {
		p := ids.prefix(n)
		got := make([]model.MessageID, p.len())
		for i := range got {
			got[i] = p.at(i)
		}
		if !slices.Equal(got, flat[:n]) {
			t.Fatalf("the first %d: %v, want %v", n, got, flat[:n])
		}
	}
	var rows []*model.Row
	for _, i := range rand.New(rand.NewPCG(3, 4)).Perm(len(flat)) {
		r := model.NewRow(&model.Message{ID: flat[i]})
		rows = append(rows, &r)
	}
	got, ok := inListingOrder(ids, rows)
	want, wantOK := inListingOrder(idsOf(flat), rows)
	if ok != wantOK || !slices.Equal(got, want) {
		t.Fatalf("over blocks: %v %d rows, over a slice: %v %d", ok, len(got), wantOK, len(want))
	}
}
