package analysis

import (
	"io"
	"sync"
)

// chunkSize is the unit in which attachment bytes are buffered. Chunks are
// recycled across messages so that a steady scan allocates little.
const chunkSize = 256 << 10

var chunkPool = sync.Pool{New: func() any { b := make([]byte, chunkSize); return &b }}

// chunkBuffer holds a decoded attachment for archive inspection, which
// needs random access (a ZIP's directory is at its end). Unlike a growing
// bytes.Buffer it never copies what it already holds, so a 50 MB
// attachment occupies 50 MB, not up to twice that while it grows.
type chunkBuffer struct {
	chunks []*[]byte
	size   int64
	// past watches the bytes past the limit, which are not kept, for
	// archive signatures.
	past sigWatcher
}

// Fill fills the buffer from r until EOF or until limit bytes are
// held; it reports whether r had more than limit bytes (and then consumes
// and counts the rest without keeping it).
func (c *chunkBuffer) Fill(r io.Reader, limit int64) (total int64, over bool, err error) {
	for c.size < limit {
		if c.size%chunkSize == 0 {
			c.chunks = append(c.chunks, chunkPool.Get().(*[]byte))
		}
		chunk := *c.chunks[len(c.chunks)-1]
		off := int(c.size % chunkSize)
		end := chunkSize
		if room := limit - c.size; room < int64(end-off) {
			end = off + int(room)
		}
		n, rerr := r.Read(chunk[off:end])
		c.size += int64(n)
		if rerr == io.EOF {
			return c.size, false, nil
		}
		if rerr != nil {
			return c.size, false, rerr
		}
	}
	rest, err := io.Copy(&c.past, r)
	return c.size + rest, rest > 0, err
}

// Size is the number of bytes held.
func (c *chunkBuffer) Size() int64 { return c.size }

// ReadAt implements io.ReaderAt.
func (c *chunkBuffer) ReadAt(p []byte, off int64) (int, error) {
	if off < 0 {
		return 0, io.ErrUnexpectedEOF
	}
	n := 0
	for n < len(p) {
		if off >= c.size {
			return n, io.EOF
		}
		chunk := *c.chunks[off/chunkSize]
		i := int(off % chunkSize)
		end := chunkSize
		if rem := c.size - (off - int64(i)); rem < int64(end) {
			end = int(rem)
		}
		m := copy(p[n:], chunk[i:end])
		n += m
		off += int64(m)
	}
	return n, nil
}

// Release returns the chunks to the pool; the buffer must not be used
// afterwards.
func (c *chunkBuffer) Release() {
	for _, ch := range c.chunks {
		chunkPool.Put(ch)
	}
	c.chunks, c.size = nil, 0
}
