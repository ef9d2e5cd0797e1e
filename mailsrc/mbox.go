package mailsrc

import (
	"context"
	"fmt"
	"io"
	"os"
	"slices"
	"strconv"
	"sync"

	"mxaudit/model"
)

// Mbox is a Source over an mbox file (mboxo or mboxrd, LF or CRLF line
// endings; see scanMbox for how messages are told apart and fromUnescaper
// for how ">From " lines are read).
//
// A message's ID is the decimal byte offset of its first header line, the
// line after its From_ line. IDs are valid for the file the listing read:
// as long as the mbox is only appended to, they stay valid across listings.
//
// List reads the file once, front to back, and keeps only a 16-byte span per
// message; Open reads a message's span straight from the file, so files of
// many gigabytes cost neither memory nor a second pass.
type Mbox struct {
	path   string
	listMu sync.Mutex // held by List

	mu   sync.Mutex // guards the fields below
	file *os.File
	// retired are files replaced by a newer one at path (a mail client
	// rewrote the mbox); readers opened on them before the switch go on
	// reading them, so they are closed only by Close.
	retired []*os.File
	// spans holds the messages of the latest listing, which may still be
	// running, in file order; complete says it ran to the end. prev holds
	// those of earlier listings, consulted while the latest has not (yet)
	// reached a message.
	spans, prev []mboxSpan
	complete    bool
	closed      bool
}

var _ Source = (*Mbox)(nil)

// NewMbox opens the mbox file at path.
func NewMbox(path string) (*Mbox, error) {
	f, err := os.Open(path)
	if err != nil {
		return nil, quarantineError(path, err)
	}
	info, err := f.Stat()
	if err != nil {
		f.Close()
		return nil, quarantineError(path, err)
	}
	if !info.Mode().IsRegular() {
		f.Close()
		return nil, fmt.Errorf("cannot open quarantine %s: not a regular file", path)
	}
	return &Mbox{path: path, file: f}, nil
}

// Name implements Source.
func (m *Mbox) Name() string { return "mbox " + m.path }

// List implements Source. Messages are reported as the scan reaches them.
// It reads the file up to the size it had when the listing started; mail
// appended meanwhile is for the next listing.
func (m *Mbox) List(ctx context.Context, fn func(Entry) error) error {
	// Listings take turns: each rebuilds the one span index.
	m.listMu.Lock()
	defer m.listMu.Unlock()
	f, err := m.startListing()
	if err != nil {
		return err
	}
	complete := false
	defer func() { m.endListing(complete) }()
	info, err := f.Stat()
	if err != nil {
		return fmt.Errorf("cannot read %s: %w", m.Name(), err)
	}
	err = scanMbox(ctx, io.NewSectionReader(f, 0, info.Size()), func(found mboxFound) error {
		if err := ctx.Err(); err != nil {
			return err
		}
		m.mu.Lock()
		m.spans = append(m.spans, found.span)
		m.mu.Unlock()
		e := Entry{
			ID:       model.MessageID(strconv.FormatInt(found.span.off, 10)),
			Size:     found.span.n,
			Received: found.received,
			Err:      found.err,
			// The file, and where the message sits in it: appending keeps
			// the earlier messages' stamps; rewriting the file (a new
			// inode, as mail tools do) changes them all.
			Stamp: fileID(info) + "@" + strconv.FormatInt(found.span.off, 10) + "+" + strconv.FormatInt(found.span.n, 10) +
				"/" + strconv.FormatInt(found.received.UnixNano(), 10),
		}
		if found.ambiguous {
			e.Warning = "mbox: a \"From \" line followed by header lines inside this message (within its Content-Length or its MIME structure) was not taken as the start of a new message; the message was kept whole"
		}
		if e.Received.IsZero() {
			e.Received = info.ModTime() // no usable From_ date: the last delivery's
		}
		return fn(e)
	})
	if err != nil {
		return err
	}
	complete = true
	return nil
}

// startListing returns the file to scan, switching to a new one when the
// mbox at path was replaced since the last listing, and starts a new span
// index.
func (m *Mbox) startListing() (*os.File, error) {
	m.mu.Lock()
	defer m.mu.Unlock()
	if m.closed {
		return nil, fmt.Errorf("%s: source closed", m.Name())
	}
	if err := m.followReplacement(); err != nil {
		return nil, err
	}
	switch {
	case m.complete:
		m.prev = m.spans
	case len(m.spans) > 0:
		// The last listing stopped early: keep what it found beside the
		// last complete index, so no ID handed out becomes unreadable.
		m.prev = mergeSpans(m.prev, m.spans)
	}
	m.spans = make([]mboxSpan, 0, len(m.prev))
	m.complete = false
	return m.file, nil
}

// followReplacement reopens path when it no longer names the open file. A
// removed path keeps the open file: its messages are still readable.
func (m *Mbox) followReplacement() error {
	now, err := os.Stat(m.path)
	if err != nil {
		return nil
	}
	was, err := m.file.Stat()
	if err != nil || os.SameFile(now, was) {
		return nil
	}
	f, err := os.Open(m.path)
	if err != nil {
		return quarantineError(m.path, err)
	}
	m.retired = append(m.retired, m.file)
	m.file = f
	m.spans, m.prev = nil, nil // offsets in the old file mean nothing in the new one
	return nil
}

// endListing records how the listing ended. A complete index replaces
// the previous one; an incomplete one is consulted beside it.
func (m *Mbox) endListing(complete bool) {
	m.mu.Lock()
	defer m.mu.Unlock()
	m.complete = complete
	if complete {
		m.prev = nil
	}
}

// mergeSpans merges two indexes in file order; for a message in both, the
// newer one's span wins (the last message may have grown).
func mergeSpans(older, newer []mboxSpan) []mboxSpan {
	out := make([]mboxSpan, 0, len(older)+len(newer))
	i, j := 0, 0
	for i < len(older) || j < len(newer) {
		switch {
		case j == len(newer) || (i < len(older) && older[i].off < newer[j].off):
			out = append(out, older[i])
			i++
		case i < len(older) && older[i].off == newer[j].off:
			i++ // the newer copy is taken on the next turn
		default:
			out = append(out, newer[j])
			j++
		}
	}
	return out
}

// Open implements Source. It returns the message's bytes with the mboxrd
// quoting undone.
func (m *Mbox) Open(ctx context.Context, id model.MessageID) (io.ReadCloser, error) {
	if err := ctx.Err(); err != nil {
		return nil, err
	}
	off, err := strconv.ParseInt(string(id), 10, 64)
	if err != nil || off < 0 || strconv.FormatInt(off, 10) != string(id) {
		return nil, notFound(id)
	}
	m.mu.Lock()
	defer m.mu.Unlock()
	if m.closed {
		return nil, fmt.Errorf("%s: source closed", m.Name())
	}
	span, ok := findSpan(m.spans, off)
	if !ok {
		span, ok = findSpan(m.prev, off)
	}
	if !ok {
		return nil, notFound(id)
	}
	return io.NopCloser(newFromUnescaper(io.NewSectionReader(m.file, span.off, span.n))), nil
}

// findSpan looks up the message starting at off in spans, which are in
// file order.
func findSpan(spans []mboxSpan, off int64) (mboxSpan, bool) {
	i, ok := slices.BinarySearchFunc(spans, off, func(s mboxSpan, off int64) int {
		switch {
		case s.off < off:
			return -1
		case s.off > off:
			return 1
		}
		return 0
	})
	if !ok {
		return mboxSpan{}, false
	}
	return spans[i], true
}

// Close implements Source. Readers returned by Open fail afterwards.
func (m *Mbox) Close() error {
	m.mu.Lock()
	defer m.mu.Unlock()
	if m.closed {
		return nil
	}
	m.closed = true
	err := m.file.Close()
	for _, f := range m.retired {
		f.Close()
	}
	m.retired = nil
	return err
}
