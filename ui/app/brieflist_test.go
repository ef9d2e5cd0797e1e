package app

import (
	"fmt"
	"strings"
	"testing"

	"mxaudit/model"
)

// TestBriefListReadsBackWhatWasAdded: each entry reads back as added,
// empty IDs and stamps and long ones included, across chunks and texts
// that outgrew the room they were made with; strings read before a
// text grew still read as they did; chunks let go take their texts.
func TestBriefListReadsBackWhatWasAdded(t *testing.T) {
	defer func(c int) { chunkLen = c }(chunkLen)
	chunkLen = 8
	type entry struct {
		id    model.MessageID
		stamp string
	}
	var want []entry
	for i := range 100 {
		e := entry{model.MessageID(fmt.Sprint("1700000000.M", i, "P1.host")), fmt.Sprint("i", i)}
		switch i % 10 {
		case 3:
			e.stamp = ""
		case 4:
			e.id = ""
		case 5:
			e.id, e.stamp = "", ""
		case 7: // past the first chunk's text: a later chunk's grows
			e.id = model.MessageID(strings.Repeat("x", 300+i))
		}
		want = append(want, e)
	}
	b := newBriefList(0)
	var early []entry // each entry read right after it was added
	for _, e := range want {
		if !b.add(e.id, e.stamp) {
			t.Fatalf("%q not added", e.id)
		}
		id, stamp := b.at(b.len() - 1)
		early = append(early, entry{id, stamp})
	}
	for i, w := range want {
		id, stamp := b.at(i)
		if id != w.id || stamp != w.stamp || early[i] != w {
			t.Fatalf("entry %d: %q %q, read at first as %q; want %q %q", i, id, stamp, early[i], w.id, w.stamp)
		}
	}
	for _, mark := range []int{3, 8, 9, 50, 100} {
		b.dropBefore(mark)
		gone := mark / chunkLen * chunkLen
		if b.gone() != gone || b.textsGone != gone/chunkLen {
			t.Fatalf("after dropBefore(%d): %d gone, %d texts gone; want %d", mark, b.gone(), b.textsGone, gone)
		}
		for k := range b.texts {
			if (b.texts[k] == nil) != (k < gone/chunkLen) {
				t.Fatalf("after dropBefore(%d): text %d let go: %v", mark, k, b.texts[k] == nil)
			}
		}
		for i := gone; i < len(want); i++ {
			if id, stamp := b.at(i); id != want[i].id || stamp != want[i].stamp {
				t.Fatalf("entry %d after dropBefore(%d): %q %q", i, mark, id, stamp)
			}
		}
	}
}
