package app

import (
	"math"
	"unsafe"

	"mxaudit/model"
)

// briefList holds brief entries (an ID and a stamp: heldEntries) as
// their text alone: each chunk's IDs and stamps end to end in one block
// of bytes, and, for each entry, where its ID and its stamp end in it (8
// bytes an entry). Held as two strings each (32 bytes) pointing into the
// texts a Maildir listing makes 256 entries at a time, a million entries
// took 31 MB beside those texts' 39 MB as a replay began, when the scan
// holds its whole listing; copied, the texts the listing made go as it
// goes, and the entries take 8 MB beside their own.
//
// The strings at gives are read from the block in place: bytes once
// appended to a block are never written again (a block that grows is
// copied, and a string read before keeps the old one alive).
type briefList struct {
	ends chunkList[briefEnds]
	// texts[k] is the text of chunk k (chunkList's chunks); nil once let
	// go, as those before textsGone are.
	texts     [][]byte
	textsGone int
}

// briefEnds are where an entry's ID and stamp end in its chunk's text;
// the ID starts where the entry before it in the chunk ends (0 for the
// first).
type briefEnds struct{ id, stamp uint32 }

// maxBriefText is the most a chunk's text holds, for offsets of 32
// bits; a variable for tests.
var maxBriefText uint64 = math.MaxUint32

// firstTextCap is the room the first chunk's text is made with; each
// later chunk's is the one before's length and an eighth.
const firstTextCap = 64 << 10

// newBriefList returns an empty list with room for the chunks of about
// n entries.
func newBriefList(n int) *briefList {
	return &briefList{ends: newChunkList[briefEnds](n), texts: make([][]byte, 0, max(n, 0)/chunkLen+1)}
}

// add appends the entry id, stamp, and reports whether it could: a
// chunk's text past 4 GiB (IDs of a megabyte each) is not held so.
func (b *briefList) add(id model.MessageID, stamp string) bool {
	k := b.ends.len() / b.ends.chunkSize()
	if k == len(b.texts) {
		room := firstTextCap
		if k > 0 && b.texts[k-1] != nil {
			room = len(b.texts[k-1]) + len(b.texts[k-1])/8
		}
		b.texts = append(b.texts, make([]byte, 0, room))
	}
	t := b.texts[k]
	if uint64(len(t))+uint64(len(id))+uint64(len(stamp)) > maxBriefText {
		return false
	}
	t = append(t, id...)
	idEnd := len(t)
	t = append(t, stamp...)
	b.texts[k] = t
	b.ends.add(briefEnds{id: uint32(idEnd), stamp: uint32(len(t))})
	return true
}

// len returns how many entries were added, those let go included.
func (b *briefList) len() int { return b.ends.len() }

// gone returns how many entries were let go (the first ones).
func (b *briefList) gone() int { return b.ends.gone }

// at returns entry i's ID and stamp, gone <= i < len. An entry let go
// panics (chunkList.at).
func (b *briefList) at(i int) (model.MessageID, string) {
	e := *b.ends.at(i)
	size := b.ends.chunkSize()
	var start uint32
	if i%size > 0 {
		start = b.ends.at(i - 1).stamp
	}
	t := b.texts[i/size]
	return model.MessageID(textOf(t, start, e.id)), textOf(t, e.id, e.stamp)
}

// textOf returns t[from:to] as a string, in place.
func textOf(t []byte, from, to uint32) string {
	if from == to {
		return ""
	}
	return unsafe.String(&t[from], int(to-from))
}

// dropBefore lets go of the chunks that hold only entries before i, and
// of their texts.
func (b *briefList) dropBefore(i int) {
	b.ends.dropBefore(i)
	for ; b.textsGone < b.ends.gone/b.ends.chunkSize(); b.textsGone++ {
		b.texts[b.textsGone] = nil
	}
}
