package app

// The tests of this file came from a review of briefList.

import (
	"context"
	"fmt"
	"math"
	"runtime"
	"strings"
	"testing"

	"mxaudit/mailsrc"
	"mxaudit/model"
)

type briefModelEntry struct {
	id    model.MessageID
	stamp string
}

// briefText makes a text of n bytes unique to seq, so that bytes written
// over another entry's would show.
func briefText(seq, n int) string {
	if n == 0 {
		return ""
	}
	s := strings.Repeat(string(rune('a'+seq%26)), n)
	return s
}

// mustPanic reports whether f panicked.
func mustPanic(f func()) (panicked bool) {
	defer func() { panicked = recover() != nil }()
	f()
	return false
}

// FuzzBriefList drives a briefList with adds, reads and drops read off
// the input and checks it against a plain slice: every entry reads back
// as added, an add past maxBriefText is refused exactly when the
// chunk's text would overflow and changes nothing, entries let go
// panic, and every string read earlier still reads as it did (no byte
// of a block is written twice).
func FuzzBriefList(f *testing.F) {
	f.Add([]byte{3, 0, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10})
	f.Add([]byte{1, 20, 0, 0, 0, 0, 0x81, 0x82, 0x43, 0x44})
	f.Add([]byte{7, 9, 0x10, 0x20, 0x30, 0xc1, 0x05, 0x06, 0x47, 0x08, 0xd0})
	f.Add([]byte{2, 0, 0xff, 0xfe, 0x00, 0x00, 0x41, 0x80})
	f.Fuzz(func(t *testing.T, in []byte) {
		in, ok := fuzzBriefLimits(t, in)
		if !ok {
			return
		}
		b := newBriefList(len(in) % 40)
		var want []briefModelEntry
		var chunkText []int // the text length of each chunk, in the model
		gone := 0
		type read struct {
			i         int
			id        model.MessageID
			stamp     string
			wantID    model.MessageID
			wantStamp string
		}
		var reads []read
		for seq := 0; len(in) > 0; seq++ {
			op := in[0]
			in = in[1:]
			switch op >> 6 {
			case 0, 1: // add: lengths from the op and the next byte
				idLen := int(op & 0x3f)
				stampLen := 0
				if len(in) > 0 {
					stampLen = int(in[0] % 24)
					in = in[1:]
				}
				if op&0x20 != 0 {
					idLen = 0
				}
				e := briefModelEntry{model.MessageID(briefText(seq, idLen)), briefText(seq+13, stampLen)}
				k := len(want) / chunkLen
				have := 0
				if k < len(chunkText) {
					have = chunkText[k]
				}
				fits := uint64(have+len(e.id)+len(e.stamp)) <= maxBriefText
				if got := b.add(e.id, e.stamp); got != fits {
					t.Fatalf("add(%d+%d bytes) onto %d = %v, want %v", len(e.id), len(e.stamp), have, got, fits)
				}
				if fits {
					if k == len(chunkText) {
						chunkText = append(chunkText, 0)
					}
					chunkText[k] += len(e.id) + len(e.stamp)
					want = append(want, e)
				}
			case 2: // read entry op%len, as it reads now
				if len(want) == 0 {
					continue
				}
				i := int(op&0x3f) % len(want)
				if i < gone {
					if !mustPanic(func() { b.at(i) }) {
						t.Fatalf("at(%d) did not panic, %d let go", i, gone)
					}
					continue
				}
				id, stamp := b.at(i)
				reads = append(reads, read{i, id, stamp, want[i].id, want[i].stamp})
			case 3: // let go before op%(len+1)
				i := int(op&0x3f) % (len(want) + 1)
				b.dropBefore(i)
				gone = max(gone, i/chunkLen*chunkLen)
			}
			if b.len() != len(want) || b.gone() != gone {
				t.Fatalf("len %d, gone %d; want %d, %d", b.len(), b.gone(), len(want), gone)
			}
		}
		for i := gone; i < len(want); i++ {
			if id, stamp := b.at(i); id != want[i].id || stamp != want[i].stamp {
				t.Fatalf("entry %d: %q %q, want %q %q", i, id, stamp, want[i].id, want[i].stamp)
			}
		}
		for i := range min(gone, len(want)) {
			if !mustPanic(func() { b.at(i) }) {
				t.Fatalf("at(%d) did not panic, %d let go", i, gone)
			}
		}
		for _, r := range reads {
			if r.id != r.wantID || r.stamp != r.wantStamp {
				t.Fatalf("entry %d read earlier now %q %q, want %q %q", r.i, r.id, r.stamp, r.wantID, r.wantStamp)
			}
		}
	})
}

// FuzzHeldEntries drives heldEntries with a mix of brief entries,
// entries that are not brief and entries too long for a chunk's text,
// and checks at, id, all and list (letting go) against a plain slice.
func FuzzHeldEntries(f *testing.F) {
	f.Add([]byte{2, 30, 0, 1, 2, 0x80, 3, 0x41, 4})
	f.Add([]byte{3, 40, 0x80, 0, 0, 0x7f, 0})
	f.Add([]byte{1, 0, 0xc0, 0xc0, 0, 1})
	f.Fuzz(func(t *testing.T, in []byte) {
		in, ok := fuzzBriefLimits(t, in)
		if !ok {
			return
		}
		h := newHeldEntries(len(in))
		var want []mailsrc.Entry
		for seq, op := range in {
			e := mailsrc.Entry{ID: model.MessageID(fmt.Sprint("m", seq)), Stamp: fmt.Sprint("i", seq)}
			switch op >> 6 {
			case 1:
				e.Stamp = ""
			case 2: // not brief
				e.Size = int64(op&0x3f) + 1
			case 3: // not brief, with a warning
				e.Warning = "w"
			}
			if op&0x20 != 0 { // long: past a small maxBriefText
				e.ID = model.MessageID(strings.Repeat("x", int(op&0x1f)*4) + string(e.ID))
			}
			if op&0x3f == 0x3f {
				e.ID = ""
			}
			h.add(e)
			want = append(want, e)
		}
		check := func(from int) {
			t.Helper()
			if h.len() != len(want) {
				t.Fatalf("len %d, want %d", h.len(), len(want))
			}
			for i := from; i < len(want); i++ {
				if got := h.at(i); !entryEqual(got, want[i]) {
					t.Fatalf("at(%d) = %+v, want %+v", i, got, want[i])
				}
				if got := h.id(i); got != want[i].ID {
					t.Fatalf("id(%d) = %q, want %q", i, got, want[i].ID)
				}
			}
		}
		check(0)
		i := 0
		for e := range h.all {
			if !entryEqual(e, want[i]) {
				t.Fatalf("all: entry %d %+v, want %+v", i, e, want[i])
			}
			i++
		}
		if i != len(want) {
			t.Fatalf("all gave %d, want %d", i, len(want))
		}
		from := len(want) / 3
		var got []mailsrc.Entry
		if err := h.list(context.Background(), from, true, func(e mailsrc.Entry) error {
			got = append(got, e)
			return nil
		}); err != nil {
			t.Fatal(err)
		}
		if len(got) != len(want)-from {
			t.Fatalf("list gave %d, want %d", len(got), len(want)-from)
		}
		for j, e := range got {
			if !entryEqual(e, want[from+j]) {
				t.Fatalf("list: entry %d %+v, want %+v", from+j, e, want[from+j])
			}
		}
		// What is not let go still reads back.
		check(max(len(want)/chunkLen*chunkLen, from))
	})
}

// TestHeldEntriesFallBackWhole: an entry a chunk's text cannot hold
// turns the listing whole wherever it comes (brief or not, kept in more
// or not, the first of a new chunk or not), and everything reads back.
func TestHeldEntriesFallBackWhole(t *testing.T) {
	defer func(c int, m uint64) { chunkLen, maxBriefText = c, m }(chunkLen, maxBriefText)
	long := model.MessageID(strings.Repeat("L", 40))
	tests := []struct {
		name    string
		chunk   int
		max     uint64
		entries []mailsrc.Entry
		whole   bool
	}{
		{"fits exactly", 1, 6, []mailsrc.Entry{{ID: "abc", Stamp: "def"}, {ID: "g", Stamp: "h"}}, false},
		{"one past", 4, 6, []mailsrc.Entry{{ID: "abc", Stamp: "def"}, {ID: "", Stamp: "h"}}, true},
		{"empty entries always fit", 2, 2, []mailsrc.Entry{{ID: "ab"}, {}, {}, {ID: "cd"}, {}}, false},
		{"first entry too long", 4, 8, []mailsrc.Entry{{ID: long, Stamp: "s"}, {ID: "a", Stamp: "s"}}, true},
		{"brief, first of a new chunk", 2, 10, []mailsrc.Entry{{ID: "a", Stamp: "1"}, {ID: "b", Stamp: "2"}, {ID: long}}, true},
		{"brief, mid chunk", 4, 10, []mailsrc.Entry{{ID: "a", Stamp: "1"}, {ID: "b", Stamp: "2"}, {ID: long, Stamp: "3"}, {ID: "c"}}, true},
		{"not brief (in more), mid chunk", 4, 10, []mailsrc.Entry{{ID: "a", Stamp: "1"}, {ID: "b", Stamp: "2", Size: 3}, {ID: long, Stamp: "3", Size: 9}, {ID: "c"}}, true},
		{"not brief, first of a chunk", 2, 10, []mailsrc.Entry{{ID: "a", Stamp: "1"}, {ID: "b", Stamp: "2"}, {ID: long, Warning: "w"}, {ID: "c"}}, true},
		{"many chunks, each fits", 2, 4, []mailsrc.Entry{{ID: "ab", Stamp: "cd"}, {}, {ID: "ef", Stamp: "gh"}, {}, {ID: "jk", Stamp: "lm"}}, false},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			chunkLen, maxBriefText = tt.chunk, tt.max
			h := newHeldEntries(0)
			for _, e := range tt.entries {
				h.add(e)
			}
			if (h.whole != nil) != tt.whole || (h.whole != nil) == (h.brief != nil) {
				t.Fatalf("whole %v, brief %v; want whole %v", h.whole != nil, h.brief != nil, tt.whole)
			}
			if h.whole != nil && h.more != nil {
				t.Fatalf("whole, with more kept beside: %v", h.more)
			}
			for i, w := range tt.entries {
				if got := h.at(i); !entryEqual(got, w) || h.id(i) != w.ID {
					t.Fatalf("entry %d: %+v (id %q), want %+v", i, got, h.id(i), w)
				}
			}
		})
	}
}

// TestBriefListStringsOutliveGrowthAndDrop: strings read from a block
// before it grew, and from a chunk since let go, still read as they did
// once the list is long gone and the heap collected.
func TestBriefListStringsOutliveGrowthAndDrop(t *testing.T) {
	defer func(c int) { chunkLen = c }(chunkLen)
	chunkLen = 64
	b := newBriefList(0)
	var early []briefModelEntry
	var want []briefModelEntry
	for i := range 640 {
		e := briefModelEntry{model.MessageID(fmt.Sprintf("%04d-%s", i, strings.Repeat("p", 1000))), fmt.Sprint("i", i)}
		b.add(e.id, e.stamp)
		id, stamp := b.at(i) // read at once: later adds grow the block past it
		early = append(early, briefModelEntry{id, stamp})
		want = append(want, e)
	}
	b.dropBefore(640)
	b = nil
	for range 3 {
		runtime.GC()
	}
	// Scribble over freed memory, should any of it have been freed.
	junk := make([][]byte, 0, 64)
	for range 64 {
		junk = append(junk, []byte(strings.Repeat("Z", 70_000)))
	}
	_ = junk
	for i := range want {
		if early[i] != want[i] {
			t.Fatalf("entry %d read early: %q, want %q", i, early[i].id[:8], want[i].id[:8])
		}
	}
}

// fuzzBriefLimits sets chunkLen and maxBriefText from a fuzz input's
// first two bytes, for the test's length, and returns the rest; false
// for an input too short.
func fuzzBriefLimits(t *testing.T, in []byte) ([]byte, bool) {
	if len(in) < 2 {
		return nil, false
	}
	c, m := chunkLen, maxBriefText
	t.Cleanup(func() { chunkLen, maxBriefText = c, m })
	chunkLen = 1 + int(in[0]%8)
	maxBriefText = math.MaxUint32
	if in[1] != 0 {
		maxBriefText = uint64(in[1])
	}
	return in[2:], true
}
