package mailsrc

import (
	"bufio"
	"bytes"
	"io"
	"time"
)

// fromUnescaper undoes the mboxrd quoting of a message read from an mbox:
// a line matching ^>+From loses one '>'. Writers quote "From " lines
// (mboxo) or ">*From " lines (mboxrd) in bodies so that they cannot pass
// for separators.
//
// The file does not say which convention wrote it, and the two disagree
// on one case: a body line that was ">From " before it was stored. mboxrd
// stored it as ">>From " and unquoting gives it back exactly; mboxo stored
// it unchanged and unquoting turns it into "From ". Reading everything as
// mboxrd is exact for mboxrd files and, for mboxo files, alters only such
// lines (quoted replies), where reading as mboxo would leave every mboxrd
// ">>From " line wrong.
type fromUnescaper struct {
	br        *bufio.Reader
	pending   []byte // the rest of the current piece, inside br's buffer
	lineStart bool   // the next piece read starts a line
	err       error
}

func newFromUnescaper(r io.Reader) *fromUnescaper {
	return &fromUnescaper{br: bufio.NewReaderSize(r, 8192), lineStart: true}
}

// Read implements io.Reader.
func (u *fromUnescaper) Read(p []byte) (int, error) {
	for len(u.pending) == 0 {
		if u.err != nil {
			return 0, u.err
		}
		piece, err := u.br.ReadSlice('\n')
		if u.lineStart && isQuotedFrom(piece) {
			piece = piece[1:]
		}
		u.lineStart = err == nil
		if err != nil && err != bufio.ErrBufferFull {
			u.err = err
		}
		u.pending = piece
	}
	n := copy(p, u.pending)
	u.pending = u.pending[n:]
	return n, nil
}

// isQuotedFrom reports whether line matches ^>+From . A line of more '>'
// than the read buffer holds is left alone: no writer produces one.
func isQuotedFrom(line []byte) bool {
	rest := bytes.TrimLeft(line, ">")
	return len(rest) < len(line) && bytes.HasPrefix(rest, []byte("From "))
}

// fromLineLayouts are the date forms seen after the sender on From_ lines:
// asctime (the standard), and the variants with a zone that some MTAs
// write.
var fromLineLayouts = []string{
	time.ANSIC,
	"Mon Jan _2 15:04:05 2006 -0700",
	"Mon Jan _2 15:04:05 -0700 2006",
	time.UnixDate,
}

// fromLineDate returns the date of a From_ line ("From sender asctime"),
// or the zero time when it has none that parses. asctime has no zone: it
// is the local time of the machine that wrote the line, taken here as the
// local time of this one.
func fromLineDate(line []byte) time.Time {
	rest := bytes.TrimPrefix(line, []byte("From "))
	rest = bytes.TrimLeft(rest, " ")
	if i := bytes.IndexByte(rest, ' '); i >= 0 {
		rest = rest[i:]
	} else {
		return time.Time{}
	}
	s := string(bytes.TrimSpace(rest))
	if len(s) > 64 {
		return time.Time{}
	}
	for _, layout := range fromLineLayouts {
		if t, err := time.ParseInLocation(layout, s, time.Local); err == nil {
			return t
		}
	}
	return time.Time{}
}
