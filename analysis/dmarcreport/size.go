package dmarcreport

import (
	"bytes"
	"fmt"
	"io"
)

// SizeError is a report refused because something it is made of is
// larger than the byte cap (Limits.MaxBytes, or twice that for a whole
// mail or file, which may be base64). It matches ErrTooLarge.
type SizeError struct {
	// What is larger than Limit: "report" (decompressed, or plain XML),
	// "attachment", "mail" or "file".
	What  string
	Limit int64
}

// Error implements error: "report larger than 64 MiB decompressed".
func (e *SizeError) Error() string {
	s := e.What + " larger than " + byteSize(e.Limit)
	if e.What == "report" {
		s += " decompressed"
	}
	return s
}

// Is makes errors.Is(err, ErrTooLarge) hold.
func (e *SizeError) Is(target error) bool { return target == ErrTooLarge }

// byteSize writes n in the largest binary unit that divides it, so that
// the default caps read "64 MiB" and "128 MiB".
func byteSize(n int64) string {
	switch {
	case n >= 1<<20 && n%(1<<20) == 0:
		return fmt.Sprintf("%d MiB", n>>20)
	case n >= 1<<10 && n%(1<<10) == 0:
		return fmt.Sprintf("%d KiB", n>>10)
	}
	return fmt.Sprintf("%d bytes", n)
}

// readCapped reads r to the end, refusing more than max bytes with a
// SizeError about what.
func readCapped(r io.Reader, max int64, what string) ([]byte, error) {
	var buf bytes.Buffer
	n, err := buf.ReadFrom(io.LimitReader(r, max+1))
	if err != nil {
		return nil, err
	}
	if n > max {
		return nil, &SizeError{What: what, Limit: max}
	}
	return buf.Bytes(), nil
}

// inflateInMemory is how much an inflating stream may fill before
// inflate stops holding what it reads: real reports are smaller.
const inflateInMemory = 1 << 20

// inflate reads the decompressed stream open returns, at most max bytes.
// A stream of up to inflateInMemory bytes is read once; a longer one is
// counted to its end without being held, refused when over max, and
// otherwise read again into a buffer of exactly its size. A bomb thus
// costs CPU up to max bytes inflated, never max bytes of memory, and a
// large report is held once rather than in the doubling buffers of a
// growing read.
func inflate(open func() (io.ReadCloser, error), max int64) ([]byte, error) {
	r, err := open()
	if err != nil {
		return nil, err
	}
	head, err := readCapped(r, min(max, inflateInMemory), "report")
	if _, big := err.(*SizeError); !big || max <= inflateInMemory {
		r.Close()
		return head, err
	}
	rest, err := io.Copy(io.Discard, io.LimitReader(r, max-inflateInMemory+1))
	r.Close()
	n := inflateInMemory + 1 + rest // readCapped read one byte more than it kept
	switch {
	case err != nil:
		return nil, err
	case n > max:
		return nil, &SizeError{What: "report", Limit: max}
	}
	head = nil // let the collector have it before the exact buffer is made
	r, err = open()
	if err != nil {
		return nil, err
	}
	defer r.Close()
	out := make([]byte, n)
	if _, err := io.ReadFull(r, out); err != nil {
		return nil, err
	}
	return out, nil
}

// capReader reads at most max bytes of r and then fails with a
// SizeError, where a LimitReader would cut the input short in silence
// (and a mail cut short reads as a broken attachment, not a large one).
type capReader struct {
	r         io.Reader
	max, left int64
	what      string
}

func newCapReader(r io.Reader, max int64, what string) *capReader {
	return &capReader{r: r, max: max, left: max, what: what}
}

func (c *capReader) Read(p []byte) (int, error) {
	if c.left <= 0 {
		// One byte more tells "exactly the cap" from "over it".
		var one [1]byte
		if n, _ := io.ReadFull(c.r, one[:]); n > 0 {
			return 0, &SizeError{What: c.what, Limit: c.max}
		}
		return 0, io.EOF
	}
	if int64(len(p)) > c.left {
		p = p[:c.left]
	}
	n, err := c.r.Read(p)
	c.left -= int64(n)
	return n, err
}
