package store

import (
	"bufio"
	"errors"
	"fmt"
	"io"
	"os"
	"strconv"
	"strings"

	"mxaudit/model"
)

// Anchor is a record's sequence number and hash noted outside the log
// (in a ticket, a git commit, syslog). The chain alone cannot show that
// records were cut off the end, nor that someone rewrote the whole chain;
// checking an anchor can.
type Anchor struct {
	Seq  int
	Hash string
}

// ParseAnchor reads an anchor written as "SEQ:HASH".
func ParseAnchor(s string) (Anchor, error) {
	seq, hash, ok := strings.Cut(strings.TrimSpace(s), ":")
	n, err := strconv.Atoi(seq)
	if !ok || err != nil || n <= 0 || len(hash) != 64 {
		return Anchor{}, fmt.Errorf("anchor %q: want SEQ:HASH, e.g. 42:%s", s, strings.Repeat("0", 64))
	}
	return Anchor{Seq: n, Hash: strings.ToLower(hash)}, nil
}

// String writes the anchor as "SEQ:HASH".
func (a Anchor) String() string { return strconv.Itoa(a.Seq) + ":" + a.Hash }

// VerifyReport is the result of checking an audit log.
type VerifyReport struct {
	// Records counts the intact records before the first problem.
	Records int
	// Head is the last intact record's anchor (zero for an empty log).
	Head Anchor
	// Line is the line of the first problem, 0 when there is none.
	Line int
	// Problem says what is wrong there; "" when the log is intact.
	Problem string
}

// OK reports whether the log is intact.
func (r VerifyReport) OK() bool { return r.Problem == "" }

// VerifyAuditLog checks the audit log at path record by record and stops
// at the first problem: a line that is not a record or was edited (its
// hash no longer matches), a record missing (sequence gap), out of order
// or inserted (sequence or prev_hash mismatch), a truncated last line, or
// an anchor the log does not contain. The error is for a log that cannot
// be read at all; damage is reported in the VerifyReport.
//
// It reads the log as it was when it started, under a shared lock (see
// sharedSnapshot): a record being appended meanwhile is not a torn line.
func VerifyAuditLog(path string, anchors ...Anchor) (VerifyReport, error) {
	f, err := openShared(path)
	if err != nil {
		return VerifyReport{}, fmt.Errorf("audit log %s: %w", path, err)
	}
	defer f.Close()
	r, err := verifyRecords(bufio.NewReaderSize(f, 64<<10), anchors)
	if err != nil {
		return r, fmt.Errorf("audit log %s: %w", path, err)
	}
	return r, nil
}

func verifyRecords(br *bufio.Reader, anchors []Anchor) (VerifyReport, error) {
	var r VerifyReport
	want := map[int]string{}
	for _, a := range anchors {
		want[a.Seq] = a.Hash
	}
	fail := func(line int, format string, args ...any) (VerifyReport, error) {
		r.Line, r.Problem = line, fmt.Sprintf(format, args...)
		return r, nil
	}
	for lineNo := 1; ; lineNo++ {
		line, complete, err := readLine(br)
		if err == io.EOF {
			break
		}
		if err != nil {
			return r, err
		}
		if !complete {
			return fail(lineNo, "truncated record: the file ends inside it (no newline)")
		}
		if len(line) == 0 {
			return fail(lineNo, "empty line where a record should be")
		}
		e, perr := parseRecord(line)
		if perr != nil {
			if e != nil {
				return fail(lineNo, "record seq %d: %v", e.Seq, perr)
			}
			return fail(lineNo, "%v: edited or corrupted", perr)
		}
		expected := r.Head.Seq + 1
		switch {
		case e.Seq > expected:
			if e.Seq == expected+1 {
				return fail(lineNo, "record seq %d is missing before seq %d: deleted or moved", expected, e.Seq)
			}
			return fail(lineNo, "records seq %d to %d are missing before seq %d: deleted or moved", expected, e.Seq-1, e.Seq)
		case e.Seq < expected:
			return fail(lineNo, "record seq %d comes after seq %d: records were reordered, duplicated or inserted", e.Seq, r.Head.Seq)
		case e.PrevHash != r.Head.Hash:
			return fail(lineNo, "record seq %d does not chain to the record before it (prev_hash differs): a record was replaced or inserted", e.Seq)
		}
		if h, ok := want[e.Seq]; ok {
			if h != e.Hash {
				return fail(lineNo, "record seq %d does not match the anchor %s: the log was rewritten", e.Seq, Anchor{e.Seq, h})
			}
			delete(want, e.Seq)
		}
		r.Records++
		r.Head = Anchor{Seq: e.Seq, Hash: e.Hash}
	}
	for _, a := range anchors {
		if a.Seq > r.Head.Seq {
			r.Line, r.Problem = 0, fmt.Sprintf("the log ends at seq %d but the anchor names seq %d: records were cut off the end", r.Head.Seq, a.Seq)
			return r, nil
		}
	}
	return r, nil
}

// readLine returns the next line without its newline, whether it ended
// with one, and io.EOF when there is nothing left. Lines longer than
// maxRecordLen are an error rather than unbounded memory.
func readLine(br *bufio.Reader) ([]byte, bool, error) {
	var line []byte
	for {
		frag, err := br.ReadSlice('\n')
		line = append(line, frag...)
		switch {
		case err == nil:
			return line[:len(line)-1], true, nil
		case errors.Is(err, bufio.ErrBufferFull):
			if len(line) > maxRecordLen {
				return nil, false, fmt.Errorf("a line is longer than %d bytes: not an audit log", maxRecordLen)
			}
		case err == io.EOF:
			if len(line) == 0 {
				return nil, false, io.EOF
			}
			return line, false, nil
		default:
			return nil, false, err
		}
	}
}

// ReadAuditLog returns every record of the log that parses, in file
// order, for display; it does not check the chain (VerifyAuditLog does).
// A missing log has no records.
func ReadAuditLog(path string) ([]model.AuditEntry, error) {
	f, err := openShared(path)
	if errors.Is(err, os.ErrNotExist) {
		return nil, nil
	}
	if err != nil {
		return nil, fmt.Errorf("audit log %s: %w", path, err)
	}
	defer f.Close()
	br := bufio.NewReaderSize(f, 64<<10)
	var out []model.AuditEntry
	for lineNo := 1; ; lineNo++ {
		line, _, err := readLine(br)
		if err == io.EOF {
			return out, nil
		}
		if err != nil {
			return out, fmt.Errorf("audit log %s: %w", path, err)
		}
		e, perr := parseRecord(line)
		if e == nil {
			return out, fmt.Errorf("audit log %s: line %d: %v", path, lineNo, perr)
		}
		out = append(out, *e)
	}
}
