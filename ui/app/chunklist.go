package app

import "mxaudit/model/store/prefault"

// chunkList is a list held in chunks of chunkLen elements rather than in
// one array, so that the part of it a scan is done with can be let go
// while the rest is still read (dropBefore): a row replay checks each
// block of kept rows against the held listing, and from then on needs
// only the entries after it. One array would hold every entry until the
// last row is out; at a million messages the held listing (its entries
// and the strings they point into) is 66 MB of the heap the rows grow in.
type chunkList[T any] struct {
	chunks [][]T
	n      int // elements added
	gone   int // elements let go: those before it, whole chunks
	// size is the elements a chunk holds: chunkLen when the list was
	// made, or when its first element was added to a zero list, so that
	// a test changing chunkLen leaves a list in use as it was.
	size int
}

// chunkLen is the elements a chunk holds: a chunk of brief entries'
// ends is 32 KiB (their text is a block of its own: briefList), of
// whole entries 384 KiB, each mapped in at once (package prefault). A
// variable for tests.
var chunkLen = 1 << 12

// newChunkList returns an empty list with room for the chunks of about
// n elements (n bounded by the caller).
func newChunkList[T any](n int) chunkList[T] {
	return chunkList[T]{chunks: make([][]T, 0, max(n, 0)/chunkLen+1), size: chunkLen}
}

// chunkSize returns the elements a chunk of c holds.
func (c *chunkList[T]) chunkSize() int {
	if c.size == 0 {
		return chunkLen // a zero list, still empty
	}
	return c.size
}

// add appends v.
func (c *chunkList[T]) add(v T) {
	if c.size == 0 {
		c.size = chunkLen
	}
	if size := c.size; c.n%size == 0 {
		chunk := make([]T, 0, size)
		prefault.Slice(chunk)
		c.chunks = append(c.chunks, chunk)
	}
	last := &c.chunks[len(c.chunks)-1]
	*last = append(*last, v)
	c.n++
}

// len returns how many elements were added, those let go included.
func (c *chunkList[T]) len() int { return c.n }

// at returns element i, gone <= i < len(). An element let go panics: a
// caller that reads one has lost track of where its work is.
func (c *chunkList[T]) at(i int) *T {
	if i < c.gone {
		panic("app: an element of a chunk list read after it was let go")
	}
	size := c.chunkSize()
	return &c.chunks[i/size][i%size]
}

// dropBefore lets go of the chunks that hold only elements before i: at
// returns none of them after.
func (c *chunkList[T]) dropBefore(i int) {
	size := c.chunkSize()
	for k := c.gone / size; (k+1)*size <= min(i, c.n); k++ {
		c.chunks[k] = nil
		c.gone = (k + 1) * size
	}
}
