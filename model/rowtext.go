package model

import (
	"math"
	"strings"
	"unsafe"
)

// rowText lays out a row's strings in one: the search text first, then
// each string the search text does not already hold (the search text is
// lower-cased, so a string in lower case is usually in it).
type rowText struct {
	hay    string
	extra  [numRowFields]string
	nextra int
	n      int // the text's length so far
	span   [numRowFields]textSpan
}

// start begins the text with the search text hay.
func (w *rowText) start(hay string) {
	w.hay, w.n = hay, len(hay)
	w.span[fieldHay] = textSpan{0, uint32(len(hay))}
}

// add places field f's string s: inside the search text when inHay
// allows it and the search text holds s, else after what is there. A
// message's header is at most 1 MiB, so a text is far below the 4 GiB
// its spans can reach; a string that would pass them is left out rather
// than wrapped into another field's place.
func (w *rowText) add(f rowField, s string, inHay bool) {
	if s == "" || uint64(w.n)+uint64(len(s)) > math.MaxUint32 {
		return
	}
	if inHay {
		if i := strings.Index(w.hay, s); i >= 0 {
			w.span[f] = textSpan{uint32(i), uint32(i + len(s))}
			return
		}
	}
	w.span[f] = textSpan{uint32(w.n), uint32(w.n + len(s))}
	w.extra[w.nextra] = s
	w.nextra++
	w.n += len(s)
}

// finish returns the text, written into room from a (nil: an
// allocation of its own).
func (w *rowText) finish(a *textArena) string {
	if w.n == 0 {
		return ""
	}
	b := a.alloc(w.n)
	at := copy(b, w.hay)
	for _, s := range w.extra[:w.nextra] {
		at += copy(b[at:], s)
	}
	// b is never written again: the arena hands out the room after it.
	return unsafe.String(&b[0], len(b))
}

// textArena hands out room for rows' texts from shared chunks: a text
// is then one more string in a chunk rather than an object of its own,
// which the collector marks one by one at every cycle (at 100,000
// messages, a third of the console's objects). A chunk lives as long as
// any string in it: a row replaced or removed, or all but one of a
// chunk's rows released, gives no room back while the others stay. So
// only rows built in bulk share chunks (interner.arenaFor), and the
// memory a table can hold for rows gone is bounded by its scans' texts.
type textArena struct{ chunk []byte }

const (
	arenaChunk = 64 << 10
	// arenaMax is the largest text the arena places; a longer one (a
	// message with many attachments or recipients) gets its own
	// allocation, so that a chunk is never mostly one row's.
	arenaMax = arenaChunk / 8
)

// alloc returns n bytes of room that nothing else is handed; a nil
// arena allocates them.
func (a *textArena) alloc(n int) []byte {
	if a == nil || n > arenaMax {
		return make([]byte, n)
	}
	if cap(a.chunk)-len(a.chunk) < n {
		a.chunk = make([]byte, 0, arenaChunk)
	}
	start := len(a.chunk)
	a.chunk = a.chunk[:start+n]
	return a.chunk[start : start+n : start+n]
}
