package mailsrc

import (
	"bufio"
	"bytes"
	"context"
	"fmt"
	"io"
	"time"
)

// mboxSpan locates one message in an mbox file: the bytes from its first
// header line (after the From_ line) to the end of its last line, without
// the blank line that separates it from the next From_ line. 16 bytes a
// message keeps the index of a million-message mbox at 16 MB.
type mboxSpan struct {
	off, n int64
}

// mboxFound is a message found by scanMbox.
type mboxFound struct {
	span mboxSpan
	// received is the date of the From_ line; zero when there was none or
	// it could not be parsed.
	received time.Time
	// err wraps ErrNotMail for text before the first From_ line that does
	// not start like a message.
	err error
	// ambiguous is set when a From_ line followed by header lines inside
	// the message was not taken as a separator (see splitGuard).
	ambiguous bool
}

// mboxLineBuffer is the read buffer of the scan. Lines longer than this are
// read in pieces; only a line's first piece is ever examined.
const mboxLineBuffer = 64 << 10

// scanMbox reads an mbox once, front to back, and calls found for every
// message, in file order. It holds one buffer, never the file.
//
// Separators. RFC 4155 makes any line starting with "From " a separator
// and relies on writers escaping such body lines (">From "). Not all
// writers do (mboxo escapes only "From ", some tools nothing), so a line is
// taken as a separator only if it is a From_ line (not an obsolete-syntax
// "From  :" header) and the next line starts a header field, or it is the
// file's first or last line. An unescaped body line such as "From here
// on, ..." followed by prose therefore stays in its message. The blank line before
// a separator, which writers add, is not part of the message.
//
// Text before the first From_ line is reported as a message too (offset 0),
// unless it is only blank lines: a single message saved without a From_
// line is then still read. A message that does not start with a header
// line (that text, or what follows a From_ line on the file's first line)
// is flagged ErrNotMail.
func scanMbox(ctx context.Context, r io.Reader, found func(mboxFound) error) error {
	br := bufio.NewReaderSize(r, mboxLineBuffer)
	var (
		off         int64       // offset of the next byte to read
		lineStart   = true      // the next piece read starts a line
		lines       int         // for the periodic cancellation check
		start       int64       // offset of the current message
		received    time.Time   // its From_ date
		leading     = true      // the current message is the text before any From_ line
		headerFirst bool        // the current message's first line is a header
		leadingText bool        // the leading text holds more than blank lines
		prevBlank   = int64(-1) // offset of the previous line when it was blank
		// A From_ line waiting for the next line to tell whether it
		// separates messages.
		pending      bool
		pendingForce bool // the file's first line: a separator regardless
		pendingEnd   int64
		pendingLine  int64
		pendingDate  time.Time
		guard        = newSplitGuard()
	)
	emit := func(end int64) error {
		m := mboxFound{span: mboxSpan{off: start, n: end - start}, received: received, ambiguous: guard.ambiguous}
		if m.span.n == 0 {
			return nil // a From_ line with nothing after it
		}
		switch {
		case leading && !leadingText:
			return nil // blank lines before the first From_ line
		case leading && !headerFirst:
			m.err = fmt.Errorf("%w: text before the first From_ line", ErrNotMail)
		case !headerFirst:
			// Only after the file's first line, which separates whatever
			// follows it.
			m.err = fmt.Errorf("%w: no header after the From_ line", ErrNotMail)
		}
		return found(m)
	}
	// replay splits at From_ lines the guard held back and then released.
	replay := func(held []heldSplit) error {
		for _, h := range held {
			if err := emit(h.end); err != nil {
				return err
			}
			start, received, leading, headerFirst = h.start, h.date, false, true
		}
		return nil
	}
	for {
		lineOff := off
		piece, err := br.ReadSlice('\n')
		off += int64(len(piece))
		if err != nil && err != bufio.ErrBufferFull && err != io.EOF {
			return err
		}
		if len(piece) == 0 && err == io.EOF {
			break
		}
		atStart := lineStart
		lineStart = err == nil // the piece ended with '\n'
		if !atStart {
			continue // the rest of a long line
		}
		first := lineOff == 0
		if first && bytes.HasPrefix(piece, utf8BOM) {
			// An editor's byte order mark: not part of any message.
			piece, lineOff, start = piece[len(utf8BOM):], int64(len(utf8BOM)), int64(len(utf8BOM))
		}
		if lines++; lines%4096 == 0 {
			if err := ctx.Err(); err != nil {
				return err
			}
		}
		if err := replay(guard.confirmLength(lineOff, piece)); err != nil {
			return err
		}
		if pending {
			pending = false
			switch {
			case !pendingForce && isHeaderLine(piece) && guard.protects(pendingLine):
				guard.hold(heldSplit{end: pendingEnd, start: lineOff, date: pendingDate})
			case pendingForce || isHeaderLine(piece):
				if err := emit(pendingEnd); err != nil {
					return err
				}
				start, received, leading = lineOff, pendingDate, false
				guard = newSplitGuard()
			}
		}
		guard.observe(piece, off)
		blank := isBlankLine(piece)
		if lineOff == start {
			headerFirst = isHeaderLine(piece)
		}
		switch {
		case isFromLine(piece):
			pending, pendingForce = true, first
			pendingEnd, pendingLine = lineOff, lineOff
			if prevBlank >= 0 {
				pendingEnd = prevBlank
			}
			pendingDate = fromLineDate(piece)
		case leading && !blank:
			leadingText = true
		}
		prevBlank = -1
		if blank {
			prevBlank = lineOff
		}
		if err == io.EOF {
			break
		}
	}
	if err := replay(guard.atEnd(off)); err != nil {
		return err
	}
	if pending {
		// A From_ line as the last line is the start of an append that
		// never finished, more likely than the last line of a body.
		if pendingForce {
			return nil // the file is a lone From_ line
		}
		return emit(pendingEnd)
	}
	// The blank line writers add after the last message is not part of
	// it; a file that is one message without a From_ line is kept whole.
	end := off
	if prevBlank >= 0 && !leading {
		end = prevBlank
	}
	return emit(end)
}

// isBlankLine reports whether line is empty but for its line ending.
func isBlankLine(line []byte) bool {
	return string(line) == "\n" || string(line) == "\r\n"
}
