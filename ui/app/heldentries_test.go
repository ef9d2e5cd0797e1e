package app

import (
	"context"
	"errors"
	"fmt"
	"reflect"
	"slices"
	"testing"
	"time"
	"unsafe"

	"mxaudit/mailsrc"
	"mxaudit/mailsrc/demo"
	"mxaudit/model"
)

// TestHeldEntriesGiveBackWhatWasListed: whatever mix of entries a
// listing holds (an ID and a stamp alone, or with a size, a time, an
// error, a warning), and whether their number keeps them brief or turns
// them whole, the held listing gives each back exactly, in order, from
// any place; and, once the first half is let go, the rest, listed
// again letting go as it goes.
func TestHeldEntriesGiveBackWhatWasListed(t *testing.T) {
	defer func(c int) { chunkLen = c }(chunkLen)
	chunkLen = 64 // several chunks, some let go
	tokyo := time.FixedZone("JST", 9*3600)
	gone := errors.New("gone")
	others := []mailsrc.Entry{
		{Size: 1},
		{Received: time.Unix(1_700_000_000, 5)},
		{Received: time.Unix(1_700_000_000, 0).In(tokyo)},
		{Received: time.Time{}.In(tokyo)}, // the zero instant, with a location
		{Err: gone},
		{Warning: "a From_ line inside"},
	}
	tests := []struct {
		name        string
		n, everyNth int // entries; every nth one is not brief (0: none; -n: from the first)
		whole       bool
	}{
		{"none", 0, 0, false},
		{"brief", 1000, 0, false},
		{"a few others", 1000, 97, false},
		{"a few others, one first", 1000, -97, true}, // a listing of another kind
		{"many others", 1000, 3, true},
		{"all others", 500, 1, true},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			var want []mailsrc.Entry
			for i := range tt.n {
				e := mailsrc.Entry{ID: model.MessageID(fmt.Sprint("m", i)), Stamp: fmt.Sprint("i", i)}
				// every nth one, from the nth on; from the first on
				// when the test gives -n.
				if nth := max(tt.everyNth, -tt.everyNth); nth > 0 && (i+1)%nth == 0 || tt.everyNth < 0 && i%nth == 0 {
					o := others[(i/nth)%len(others)]
					e.Size, e.Received, e.Err, e.Warning = o.Size, o.Received, o.Err, o.Warning
				}
				want = append(want, e)
			}
			h := newHeldEntries(tt.n / 2)
			for _, e := range want {
				h.add(e)
			}
			if (h.whole != nil) != tt.whole {
				t.Errorf("held whole: %v, want %v", h.whole != nil, tt.whole)
			}
			if h.len() != len(want) {
				t.Fatalf("len %d, want %d", h.len(), len(want))
			}
			for i, w := range want {
				if got := h.at(i); !reflect.DeepEqual(got, w) || got.Received != w.Received || h.id(i) != w.ID {
					t.Fatalf("entry %d: %+v (ID %s), want %+v", i, got, h.id(i), w)
				}
			}
			for _, from := range []int{0, 1, len(want) / 2, len(want)} {
				var got []mailsrc.Entry
				err := heldSource{entries: h, from: from}.List(context.Background(), func(e mailsrc.Entry) error {
					got = append(got, e)
					return nil
				})
				if err != nil || !slices.EqualFunc(got, want[min(from, len(want)):], entryEqual) {
					t.Errorf("listed from %d: %d entries, error %v", from, len(got), err)
				}
			}
			var all []mailsrc.Entry
			for e := range h.all {
				all = append(all, e)
			}
			if !slices.EqualFunc(all, want, entryEqual) {
				t.Error("all gave other entries")
			}
			// Let go of the first half, as a row replay does: the rest
			// reads back, and lists, as listed.
			half := len(want) / 2
			h.dropBefore(half)
			for i := half; i < len(want); i++ {
				if got := h.at(i); !entryEqual(got, want[i]) || h.id(i) != want[i].ID {
					t.Fatalf("entry %d after the first %d were let go: %+v, want %+v", i, half, got, want[i])
				}
			}
			// Listed once more, letting go as it goes: every entry is
			// given, and then no whole chunk is held.
			var rest []mailsrc.Entry
			err := heldSource{entries: h, from: half, letGo: true}.List(context.Background(), func(e mailsrc.Entry) error {
				rest = append(rest, e)
				return nil
			})
			if err != nil || !slices.EqualFunc(rest, want[half:], entryEqual) {
				t.Errorf("listed from %d after the first were let go: %d entries, error %v", half, len(rest), err)
			}
			gone := 0
			if h.brief != nil {
				gone = h.brief.gone()
			} else if h.whole != nil {
				gone = h.whole.gone
			}
			if held := h.len() - gone; held >= chunkLen {
				t.Errorf("%d entries held after a listing that lets go", held)
			}
		})
	}
}

// entryEqual compares entries field by field, the time with ==: an
// entry given back must be the one listed, location and all.
func entryEqual(a, b mailsrc.Entry) bool {
	return a.ID == b.ID && a.Stamp == b.Stamp && a.Size == b.Size && a.Received == b.Received &&
		a.Err == b.Err && a.Warning == b.Warning
}

// TestHeldListStops: the held listing stops at fn's error and when the
// context is done.
func TestHeldListStops(t *testing.T) {
	h := newHeldEntries(0)
	for i := range 10 {
		h.add(mailsrc.Entry{ID: model.MessageID(fmt.Sprint(i))})
	}
	enough := errors.New("enough")
	n := 0
	if err := h.list(context.Background(), 0, false, func(mailsrc.Entry) error { n++; return enough }); err != enough || n != 1 {
		t.Errorf("list ended with %v after %d entries", err, n)
	}
	ctx, cancel := context.WithCancel(context.Background())
	cancel()
	if err := h.list(ctx, 0, false, func(mailsrc.Entry) error { return nil }); !errors.Is(err, context.Canceled) {
		t.Errorf("list of a done context ended with %v", err)
	}
}

// TestMaildirEntriesAreHeldBrief: a Maildir's entries, whose folder
// gives the inode numbers, are held as the text of an ID and a stamp
// and 8 bytes, rather than a whole entry's 96: what the held listing is
// for.
func TestMaildirEntriesAreHeldBrief(t *testing.T) {
	dir := t.TempDir()
	samples := demo.Samples(demo.Options{})
	if err := demo.WriteMaildir(dir, samples); err != nil {
		t.Fatal(err)
	}
	md, err := mailsrc.NewMaildir(dir)
	if err != nil {
		t.Fatal(err)
	}
	defer md.Close()
	h := newHeldEntries(0)
	if err := md.List(context.Background(), func(e mailsrc.Entry) error { h.add(e); return nil }); err != nil {
		t.Fatal(err)
	}
	if h.len() != len(samples) {
		t.Fatalf("held %d entries, want %d", h.len(), len(samples))
	}
	if h.whole != nil || len(h.more) != 0 {
		t.Skipf("this file system gives no inode numbers in its folders: the entries carry more (first: %+v)", h.at(0))
	}
	if got := unsafe.Sizeof(briefEnds{}); got != 8 {
		t.Errorf("a brief entry takes %d bytes beside its text, want 8", got)
	}
}

// TestIsBriefSeesEveryField: isBrief names the fields of mailsrc.Entry
// beside the ID and the stamp one by one; a field added to it must be
// added there too, or a brief entry would drop it.
func TestIsBriefSeesEveryField(t *testing.T) {
	var fields []string
	for f := range reflect.TypeFor[mailsrc.Entry]().Fields() {
		fields = append(fields, f.Name)
	}
	if want := []string{"ID", "Size", "Received", "Stamp", "Err", "Warning"}; !slices.Equal(fields, want) {
		t.Errorf("mailsrc.Entry has the fields %v, isBrief knows %v: see that it checks the new ones", fields, want)
	}
}

// TestHeldEntriesMakeRoomForTheirKind: the room asked for is made at
// the first entry, for brief entries or whole ones as that entry is,
// so that a listing of another kind than a Maildir's does not take room
// for both.
func TestHeldEntriesMakeRoomForTheirKind(t *testing.T) {
	n := 3*chunkLen + 1
	brief := newHeldEntries(n)
	brief.add(mailsrc.Entry{ID: "a", Stamp: "s"})
	if brief.brief == nil || cap(brief.brief.ends.chunks) != 4 || cap(brief.brief.texts) != 4 || brief.whole != nil {
		t.Errorf("brief first: brief %+v, whole %+v", brief.brief, brief.whole)
	}
	whole := newHeldEntries(n)
	whole.add(mailsrc.Entry{ID: "a", Stamp: "s", Size: 5})
	if whole.whole == nil || cap(whole.whole.chunks) != 4 || whole.brief != nil {
		t.Errorf("whole first: brief %+v, whole %+v", whole.brief, whole.whole)
	}
}

// TestTakeGivesTheEntriesAsHeld: what take hands each entry to (a
// console's kept digest, which keeps every ID) is the held listing's
// copy, so that the texts the Maildir listing made are not kept alive
// beside it (found by the review of briefList: a million IDs kept them,
// 30 MB more than the held listing saved).
func TestTakeGivesTheEntriesAsHeld(t *testing.T) {
	dir := t.TempDir()
	if err := demo.WriteMaildir(dir, demo.Samples(demo.Options{})); err != nil {
		t.Fatal(err)
	}
	md, err := mailsrc.NewMaildir(dir)
	if err != nil {
		t.Fatal(err)
	}
	defer md.Close()
	var seen []model.MessageID
	h, whole := startListing(t.Context(), md).take(t.Context(), 1<<20, 0, func(e mailsrc.Entry) { seen = append(seen, e.ID) })
	if !whole || h.len() != len(seen) || len(seen) == 0 {
		t.Fatalf("took %v entries (whole %v), each saw %d", h, whole, len(seen))
	}
	if h.brief == nil {
		t.Skip("this file system gives no inode numbers in its folders: the entries are held whole")
	}
	inBlock := func(id model.MessageID) bool {
		p := uintptr(unsafe.Pointer(unsafe.StringData(string(id))))
		for _, b := range h.brief.texts {
			if len(b) > 0 && p >= uintptr(unsafe.Pointer(&b[0])) && p < uintptr(unsafe.Pointer(&b[0]))+uintptr(len(b)) {
				return true
			}
		}
		return false
	}
	for i, id := range seen {
		if id != h.id(i) || (len(id) > 0 && !inBlock(id)) {
			t.Fatalf("entry %d: each saw %q, not the held listing's copy of %q", i, id, h.id(i))
		}
	}
}
