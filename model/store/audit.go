package store

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"sync"
	"time"

	"mxaudit/model"
	"mxaudit/model/store/fsx"
)

// maxRecordLen bounds one audit record. Records hold a few fields taken
// from mail (recipients, Message-ID); a line longer than this is damage,
// not a record.
const maxRecordLen = 16 << 20

// AuditLog is the append-only, hash-chained audit log at one path.
// Append is safe for concurrent use by goroutines and by processes.
type AuditLog struct {
	path string
	// mu orders the goroutines of this process; flock orders processes.
	mu sync.Mutex
}

// OpenAuditLog returns the audit log at path, creating the file (and its
// directory) when missing, so that a log that cannot be written fails
// before any action is taken rather than after.
func OpenAuditLog(path string) (*AuditLog, error) {
	dir := filepath.Dir(path)
	if err := os.MkdirAll(dir, 0o700); err != nil {
		return nil, fmt.Errorf("audit log %s: %w", path, err)
	}
	f, err := fsx.Create(path, os.O_WRONLY|os.O_APPEND, 0o600)
	if err != nil {
		return nil, fmt.Errorf("audit log %s: %w", path, err)
	}
	defer f.Close()
	info, err := f.Stat()
	if err != nil {
		return nil, fmt.Errorf("audit log %s: %w", path, err)
	}
	if !info.Mode().IsRegular() {
		return nil, fmt.Errorf("audit log %s: not a regular file", path)
	}
	if err := fsx.SyncDir(dir); err != nil {
		return nil, fmt.Errorf("audit log %s: %w", path, err)
	}
	return &AuditLog{path: path}, nil
}

// Path returns the log's path.
func (l *AuditLog) Path() string { return l.path }

// Append chains e to the last record and writes it: under an exclusive
// flock on the log it reads the last record, checks that it is whole and
// untouched, sets e's Seq, PrevHash and Hash, writes one line and fsyncs
// before unlocking. It returns the record as written. A zero e.Time is
// set to the current time; e.Outcome must be set.
//
// A log whose last record is torn (a crash mid-write) or edited is not
// appended to: the chain would hide the damage. A write that fails part
// way is cut back off, so that no torn record is left behind.
func (l *AuditLog) Append(e model.AuditEntry) (model.AuditEntry, error) {
	l.mu.Lock()
	defer l.mu.Unlock()
	if e.Time.IsZero() {
		e.Time = time.Now()
	}
	f, err := os.OpenFile(l.path, os.O_RDWR|os.O_APPEND, 0)
	if err != nil {
		return e, fmt.Errorf("audit log %s: %w", l.path, err)
	}
	defer f.Close()
	if err := fsx.LockWithin(f, lockTimeout); err != nil {
		return e, fmt.Errorf("audit log %s: %w", l.path, err)
	}
	defer fsx.Unlock(f)

	info, err := f.Stat()
	if err != nil {
		return e, fmt.Errorf("audit log %s: %w", l.path, err)
	}
	size := info.Size()
	prev, err := lastRecord(f, size)
	if err != nil {
		return e, fmt.Errorf("audit log %s: %w; run \"mxaudit audit verify\"", l.path, err)
	}
	line, err := e.Chain(prev)
	if err != nil {
		return e, err
	}
	if len(line) >= maxRecordLen {
		return e, fmt.Errorf("audit log %s: record of %d bytes is too long", l.path, len(line))
	}
	if _, err := f.Write(append(line, '\n')); err != nil {
		if terr := f.Truncate(size); terr != nil {
			err = errors.Join(err, fmt.Errorf("cutting off the partial record: %w", terr))
		}
		return e, fmt.Errorf("audit log %s: %w", l.path, err)
	}
	if err := f.Sync(); err != nil {
		return e, fmt.Errorf("audit log %s: %w", l.path, err)
	}
	return e, nil
}

// lastRecord reads the record that ends the file (size bytes long): nil
// for an empty file, an error when the file does not end in a newline or
// the last line is not a self-consistent record.
func lastRecord(f *os.File, size int64) (*model.AuditEntry, error) {
	if size == 0 {
		return nil, nil
	}
	chunk := int64(64 << 10)
	for {
		n := min(chunk, size)
		buf := make([]byte, n)
		if _, err := f.ReadAt(buf, size-n); err != nil && err != io.EOF {
			return nil, err
		}
		if buf[n-1] != '\n' {
			return nil, errors.New("the last record is truncated (the file does not end with a newline)")
		}
		start := bytes.LastIndexByte(buf[:n-1], '\n') + 1
		if start == 0 && n < size {
			if chunk >= maxRecordLen {
				return nil, errors.New("the last record is longer than any record mxaudit writes")
			}
			chunk *= 4
			continue
		}
		return parseRecord(buf[start : n-1])
	}
}

// parseRecord decodes one line and checks it is exactly what mxaudit
// would have written for it, hash included.
func parseRecord(line []byte) (*model.AuditEntry, error) {
	var e model.AuditEntry
	dec := json.NewDecoder(bytes.NewReader(line))
	dec.DisallowUnknownFields()
	if err := dec.Decode(&e); err != nil {
		return nil, fmt.Errorf("not a valid record (%v)", err)
	}
	if dec.More() {
		return nil, errors.New("not a valid record (more than one JSON value on the line)")
	}
	canonical, err := e.Encode()
	if err != nil {
		return nil, err
	}
	if !bytes.Equal(canonical, line) {
		return &e, errNotCanonical
	}
	h, err := e.ComputeHash()
	if err != nil {
		return nil, err
	}
	if h != e.Hash {
		return &e, errHashMismatch
	}
	return &e, nil
}

var (
	errNotCanonical = errors.New("the record is not in the form mxaudit writes: it was edited")
	errHashMismatch = errors.New("the record's content does not match its hash: it was edited")
)
