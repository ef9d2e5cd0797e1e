package app

import (
	"bytes"
	"encoding/binary"
	"encoding/json"
	"errors"
	"fmt"
	"slices"
	"testing"

	"mxaudit/analysis/ppap"
	"mxaudit/model"
)

// blockList gives rows in blocks as a kept list's file does.
type blockList struct{ blocks [][]model.Row }

func (b *blockList) next() ([]model.Row, error) {
	if len(b.blocks) == 0 {
		return nil, fmt.Errorf("%w: past the end", errRowsWrong)
	}
	out := b.blocks[0]
	b.blocks = b.blocks[1:]
	return out, nil
}

// TestWithoutRemoved: the rows of a kept list without those taken out
// come in blocks of per rows, the last fewer, in order; a file whose
// blocks are not per rows, or that ends early, is refused.
func TestWithoutRemoved(t *testing.T) {
	b := model.NewRowBuilder()
	var all []model.Row
	for i := range 10 {
		all = append(all, *b.RowOf(&model.Message{ID: model.MessageID(fmt.Sprintf("m%02d", i))}, model.ContentSum{}))
	}
	blocksOf := func(rows []model.Row, per int) *blockList {
		var l blockList
		for len(rows) > 0 {
			n := min(per, len(rows))
			l.blocks, rows = append(l.blocks, slices.Clone(rows[:n])), rows[n:]
		}
		return &l
	}
	ids := func(blocks [][]model.Row) (out []string) {
		for _, bl := range blocks {
			var s []string
			for _, r := range bl {
				s = append(s, string(r.ID()))
			}
			out = append(out, fmt.Sprint(s))
		}
		return out
	}
	for _, c := range []struct {
		name    string
		removed []int
		want    []string
	}{
		{"one in the first block", []int{1}, []string{"[m00 m02 m03 m04]", "[m05 m06 m07 m08]", "[m09]"}},
		{"the first and the last", []int{0, 9}, []string{"[m01 m02 m03 m04]", "[m05 m06 m07 m08]"}},
		{"a whole block", []int{4, 5, 6, 7}, []string{"[m00 m01 m02 m03]", "[m08 m09]"}},
	} {
		w := newWithoutRemoved(blocksOf(all, 4), &listRemoval{count: len(all), removed: c.removed}, 4)
		var got [][]model.Row
		for n := len(all) - len(c.removed); n > 0; {
			rows, err := w.next()
			if err != nil {
				t.Fatalf("%s: %v", c.name, err)
			}
			got, n = append(got, rows), n-len(rows)
		}
		if !slices.Equal(ids(got), c.want) {
			t.Errorf("%s: %v, want %v", c.name, ids(got), c.want)
		}
		if _, err := w.next(); !errors.Is(err, errRowsWrong) {
			t.Errorf("%s: a block past the list's end: %v", c.name, err)
		}
	}
	short := blocksOf(all, 3) // blocks of 3 where the list keeps 4
	if _, err := newWithoutRemoved(short, &listRemoval{count: len(all), removed: []int{1}}, 4).next(); !errors.Is(err, errRowsWrong) {
		t.Errorf("blocks of another size: %v", err)
	}
	cut := blocksOf(all[:8], 4) // the file ends two rows early
	w := newWithoutRemoved(cut, &listRemoval{count: len(all), removed: []int{1}}, 4)
	var err error
	for range 3 {
		if _, err = w.next(); err != nil {
			break
		}
	}
	if !errors.Is(err, errRowsWrong) {
		t.Errorf("a list that ends early: %v", err)
	}
}

// TestTableMatch: a listing matched against a table's keys gives the
// places taken out and where new mail starts; an entry no key left
// matches makes every key left taken out, and new mail start there.
func TestTableMatch(t *testing.T) {
	table := []uint64{1, 2, 3, 4, 5, 6}
	for _, c := range []struct {
		name    string
		listing []uint64
		kept    int
		removed []int
	}{
		{"unchanged", []uint64{1, 2, 3, 4, 5, 6}, 6, nil},
		{"one out of the middle", []uint64{1, 2, 4, 5, 6}, 5, []int{2}},
		{"the first and the last out", []uint64{2, 3, 4, 5}, 4, []int{0, 5}},
		{"one out, new mail after", []uint64{1, 2, 3, 5, 6, 7, 8}, 5, []int{3}},
		{"new mail in the middle", []uint64{1, 2, 9, 3, 4, 5, 6}, 2, []int{2, 3, 4, 5}},
		{"a message listed again after the others", []uint64{1, 2, 3, 4, 5, 6, 3}, 6, nil},
	} {
		m := &tableMatch{keys: table}
		kept := -1
		for i, k := range c.listing {
			if m.newMailAt(k) {
				kept = i
				break
			}
		}
		if kept < 0 {
			m.end()
			kept = len(c.listing)
		}
		if kept != c.kept || !slices.Equal(m.removed, c.removed) {
			t.Errorf("%s: kept %d, removed %v; want %d, %v", c.name, kept, m.removed, c.kept, c.removed)
		}
	}
}

// TestTableRecordSpelledAsJSON: the table's record, written into a buffer
// of its size, is what json.Marshal makes of a tableRecord, byte for
// byte (the snapshot names it by its SHA-256), whatever base64 pads.
func TestTableRecordSpelledAsJSON(t *testing.T) {
	infl, err := (&ppap.Influence{}).MarshalBinary()
	if err != nil {
		t.Fatal(err)
	}
	for _, n := range []int{0, 1, 2, 3, 100} {
		tb := &listingTable{infl: &ppap.Influence{}}
		packed := []byte{} // no keys: "", as the record spells them, where nil is null
		for i := range n {
			k := uint64(i)*0x9e3779b97f4a7c15 + 1
			tb.keys = append(tb.keys, k)
			packed = binary.LittleEndian.AppendUint64(packed, k)
		}
		got, err := tb.recordOf()
		if err != nil {
			t.Fatal(err)
		}
		want, _ := json.Marshal(tableRecord{Keys: packed, Influence: infl})
		if !bytes.Equal(got, want) {
			t.Fatalf("%d keys: the record is\n%s\nnot\n%s", n, got, want)
		}
	}
}
