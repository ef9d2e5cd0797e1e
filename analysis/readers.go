package analysis

import (
	"bufio"
	"io"
	"sync"
)

// readerSize is the buffer of every pooled reader.
const readerSize = 4096

// readers pools the buffered readers an analysis needs for a message and
// each attachment: two or more 4 KiB buffers a message, a sixth of what
// an analysis allocated, and garbage that a long-lived console holding a
// whole quarantine pays for in collections. (go-message's Read wraps its
// reader in a limit first, so it always makes its own.)
var readers = sync.Pool{New: func() any { return bufio.NewReaderSize(nil, readerSize) }}

// getReader returns a pooled reader over r. The caller gives it back with
// putReader once nothing reads from it any more.
func getReader(r io.Reader) *bufio.Reader {
	br := readers.Get().(*bufio.Reader)
	br.Reset(r)
	return br
}

// putReader returns br to the pool, dropping its source so that the pool
// holds no message.
func putReader(br *bufio.Reader) {
	br.Reset(nil)
	readers.Put(br)
}
