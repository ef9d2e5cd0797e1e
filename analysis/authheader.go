package analysis

import (
	"bytes"
	"context"
	"io"
	"sync"

	"mxaudit/analysis/auth"
	"mxaudit/model"
)

// HeaderOnlyChecker is an AuthChecker that may say its answer depends on
// the header section alone: *auth.Checker when offline, which takes every
// result from trusted header fields and verifies no body hash. For such a
// checker Analyze records the header section as the walk reads it and
// checks that after the walk, on the walk's goroutine, instead of
// streaming the whole message through a pipe to a goroutine of the
// checker's own, which read every body only to discard it: the pipe, the
// goroutine and the body's copy were about an eighth of an offline
// analysis's CPU.
//
// HeaderOnly must speak for Check as the type implements it: a type that
// embeds *auth.Checker inherits its HeaderOnly, and one that overrides
// Check to read the body must override HeaderOnly too, or its Check is
// handed the header alone.
type HeaderOnlyChecker interface {
	AuthChecker
	HeaderOnly() bool
}

// headerOnly reports whether c's answer depends on the header section
// alone (HeaderOnlyChecker). New asks once per Analyzer.
func headerOnly(c AuthChecker) bool {
	h, ok := c.(HeaderOnlyChecker)
	return ok && h.HeaderOnly()
}

// checkRecordedHeader records the header section of the message read
// from r, for the checker, and returns the reader to walk instead of r
// and a func that runs the checker once r has been read to the end.
//
// The checker is shown exactly what it would have read from the stream
// up to the end of its header section: the bytes up to and including the
// first line that holds nothing but line-end characters (the end
// auth.Checker's reader finds, see headerRecorder), then the end of the
// stream, or its failure when the read failed anywhere, as a pipe closed
// with the walk's last read error would have shown it. A header section
// longer than auth.MaxHeaderBytes is recorded one byte past that, enough
// for the checker to refuse it as it would the stream. So its answer is
// the streamed one: TestHeaderOnlyCheckAgreesWithStream compares the two
// through Analyze, and auth's TestOfflineCheckReadsTheHeaderAlone the
// checker's answers to the section and to the whole message.
func (a *Analyzer) checkRecordedHeader(ctx context.Context, r io.Reader) (io.Reader, func() (*model.Auth, error)) {
	pooled := headerBufs.Get().(*[]byte)
	rec := &headerRecorder{r: r, buf: (*pooled)[:0], max: auth.MaxHeaderBytes + 1, lineBlank: true}
	// The func is called once: the buffer goes back to the pool after the
	// checker has answered, which by then reads it no more (AuthChecker).
	return rec, func() (*model.Auth, error) {
		defer func() {
			if pooled != nil && cap(rec.buf) <= maxPooledHeaderBuf {
				*pooled = rec.buf[:0]
				headerBufs.Put(pooled)
			}
			pooled, rec.buf = nil, nil
		}()
		recorded := io.Reader(bytes.NewReader(rec.buf))
		if rec.err != nil {
			recorded = io.MultiReader(recorded, errReader{rec.err})
		}
		return a.cfg.Auth.Check(ctx, recorded)
	}
}

// headerRecorder passes reads through and keeps a copy of the bytes read
// until the header section's end or max bytes, and the last read error
// other than EOF: the one the pipe was closed with (teeReader), which
// the checker reported.
//
// The end it looks for is the line auth.Checker's reader ends the
// section at: lines split at '\n', the first one whose content, without
// trailing '\r' and '\n', is empty. Recording stops only after that line
// has been recorded whole (a section recorded longer than that would do
// no harm: the checker stops reading at its end; one recorded shorter
// would show the checker a different header).
type headerRecorder struct {
	r    io.Reader
	buf  []byte
	max  int
	done bool
	// lineBlank says that the line being recorded holds nothing but '\r'
	// so far (nothing at all at its start).
	lineBlank bool
	err       error
}

func (h *headerRecorder) Read(p []byte) (int, error) {
	n, err := h.r.Read(p)
	if !h.done {
		h.record(p[:n])
	}
	if err != nil && err != io.EOF {
		h.err = err
	}
	return n, err
}

// record appends b, up to the section's end or max bytes.
func (h *headerRecorder) record(b []byte) {
	for len(b) > 0 && !h.done {
		line, rest := b, []byte(nil)
		if i := bytes.IndexByte(b, '\n'); i >= 0 {
			line, rest = b[:i+1], b[i+1:]
		}
		content := bytes.TrimSuffix(line, []byte("\n"))
		blank := h.lineBlank && len(bytes.Trim(content, "\r")) == 0
		if room := h.max - len(h.buf); len(line) >= room {
			h.buf = append(h.buf, line[:room]...)
			h.done = true
			return
		}
		h.buf = append(h.buf, line...)
		ended := len(content) < len(line)
		// A line ended blank ends the section; the next one starts
		// blank; one not ended yet goes on as it is so far.
		h.done = ended && blank
		h.lineBlank = ended || blank
		b = rest
	}
}

// errReader is a stream that fails with err.
type errReader struct{ err error }

func (e errReader) Read([]byte) (int, error) { return 0, e.err }

// headerBufs pools the recorders' buffers: most header sections are a few
// kilobytes, and every message has one.
var headerBufs = sync.Pool{New: func() any { return new([]byte) }}

// maxPooledHeaderBuf bounds the buffer the pool keeps: a huge header's
// is dropped rather than held.
const maxPooledHeaderBuf = 64 << 10
