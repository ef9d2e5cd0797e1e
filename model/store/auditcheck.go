package store

import (
	"bytes"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"os"

	"mxaudit/model/store/fsx"
)

// Check tells whether the log can take a record now: it opens the log for
// appending, takes its lock, and checks that the last record is whole,
// unedited and chains to the one before it. Actions call it before their
// first step, so that a run on a damaged or unwritable log stops before
// any mail leaves rather than after. (A full disk shows only when a record
// is written: the intent record each action writes first catches it.)
func (l *AuditLog) Check() error {
	l.mu.Lock()
	defer l.mu.Unlock()
	f, err := os.OpenFile(l.path, os.O_RDWR|os.O_APPEND, 0)
	if err != nil {
		return fmt.Errorf("audit log %s: %w", l.path, err)
	}
	defer f.Close()
	if err := fsx.LockWithin(f, lockTimeout); err != nil {
		return fmt.Errorf("audit log %s: %w", l.path, err)
	}
	defer fsx.Unlock(f)
	info, err := f.Stat()
	if err != nil {
		return fmt.Errorf("audit log %s: %w", l.path, err)
	}
	if err := checkTail(f, info.Size()); err != nil {
		return fmt.Errorf("audit log %s: %w; run \"mxaudit audit verify\"", l.path, err)
	}
	return nil
}

// checkTail checks the last record as Append does, and that it chains to
// the record before it when that one ends within the last 64 KiB (records
// are far shorter): a last record rebuilt by hand, hash and all, on top of
// a different predecessor is caught here, before anything is done.
func checkTail(f *os.File, size int64) error {
	last, err := lastRecord(f, size)
	if err != nil || last == nil || last.Seq <= 1 {
		return err
	}
	n := min(size, 64<<10)
	buf := make([]byte, n)
	if _, err := f.ReadAt(buf, size-n); err != nil && err != io.EOF {
		return err
	}
	lines := bytes.Split(bytes.TrimSuffix(buf, []byte("\n")), []byte("\n"))
	if len(lines) < 2 || (n < size && len(lines) < 3) {
		return nil // the record before is not wholly in the chunk: Append's check stands
	}
	prev, err := parseRecord(lines[len(lines)-2])
	if err != nil {
		return fmt.Errorf("the record before the last: %w", err)
	}
	if prev.Seq+1 != last.Seq || prev.Hash != last.PrevHash {
		return errors.New("the last record does not chain to the one before it")
	}
	return nil
}

// LastAnchor returns the anchor (SEQ:HASH) of the log's last record,
// checked to be whole and unedited, reading only the tail of the file:
// what the console's audit view shows, and what operators ship off the
// host ("audit verify --print-anchor" verifies the whole chain first). A
// missing or empty log has the zero anchor.
func LastAnchor(path string) (Anchor, error) {
	f, size, err := sharedSnapshot(path)
	if errors.Is(err, fs.ErrNotExist) {
		return Anchor{}, nil
	}
	if err != nil {
		return Anchor{}, fmt.Errorf("audit log %s: %w", path, err)
	}
	defer f.Close()
	last, err := lastRecord(f, size)
	if err != nil {
		return Anchor{}, fmt.Errorf("audit log %s: %w", path, err)
	}
	if last == nil {
		return Anchor{}, nil
	}
	return Anchor{Seq: last.Seq, Hash: last.Hash}, nil
}
