package analysis

import (
	"bufio"
	"errors"
	"io"
	"math"
	"sync"

	"github.com/emersion/go-message"
	"github.com/emersion/go-message/textproto"
)

// readerSize is the buffer of every pooled reader.
const readerSize = 4096

// readers pools the buffered readers an analysis needs for a message and
// each attachment: two or more 4 KiB buffers a message, a sixth of what
// an analysis allocated, and garbage that a long-lived console holding a
// whole quarantine pays for in collections. (go-message's Read wraps its
// reader in a limit first, so it always makes its own: readEntity does
// what it does with a pooled one.)
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

// maxEntityHeader is go-message's bound on a message's header section
// (ReadOptions.MaxHeaderBytes' default).
const maxEntityHeader = 1 << 20

// errEntityHeaderTooBig is what message.Read reports past maxEntityHeader.
var errEntityHeaderTooBig = errors.New("message: header exceeds maximum size")

// readEntity is message.Read over a pooled reader, which it returns
// (nil when the header cannot be read) for the caller to give back with
// putReader once the entity has been read. It reads as message.Read
// does: the header section through a limit of maxEntityHeader bytes, the
// body without one.
func readEntity(r io.Reader) (*message.Entity, *bufio.Reader, error) {
	lr := &headerLimit{r: r, n: maxEntityHeader}
	br := getReader(lr)
	h, err := textproto.ReadHeader(br)
	if err != nil {
		putReader(br)
		return nil, nil, err
	}
	lr.n = math.MaxInt64
	ent, err := message.New(message.Header{Header: h}, br)
	return ent, br, err
}

// headerLimit is io.LimitedReader with go-message's error past the
// limit.
type headerLimit struct {
	r io.Reader
	n int64
}

func (l *headerLimit) Read(p []byte) (int, error) {
	if l.n <= 0 {
		return 0, errEntityHeaderTooBig
	}
	if int64(len(p)) > l.n {
		p = p[:l.n]
	}
	n, err := l.r.Read(p)
	l.n -= int64(n)
	return n, err
}
