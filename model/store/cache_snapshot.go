package store

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"os"
	"strings"

	jsonv1 "github.com/go-json-experiment/json/v1"

	"mxaudit/model"
)

// SnapshotPrefix starts the keys of records that name other records by
// where they lie in the file (RecordRef), such as the outcome of a whole
// scan. Compaction moves every record, so it drops these: a snapshot
// read after it would point at other bytes.
const SnapshotPrefix = "snap-"

// RecordRef says which record holds a key's result: where it lies in
// the cache file, its length and when it was written. The file is only
// appended to and compaction drops what refers to it (SnapshotPrefix), so
// the same ref means the same bytes.
type RecordRef struct {
	Off     int64
	Len     uint32
	Written uint32
}

// refMargin is how long a record must still be fresh for Ref to name it:
// a caller that checks refs before a scan and reads the records during it
// must not see one expire in between.
const refMargin = 3600 // seconds

// Ref returns the ref of key's record; false when there is none, or when
// it expires within the hour (see refMargin).
func (c *Cache) Ref(key string) (RecordRef, bool) {
	c.mu.Lock()
	defer c.mu.Unlock()
	e, ok := c.index.get(key)
	return c.refOf(e, ok)
}

// HoldsRef reports whether key's record is still the one at ref. Unlike
// Ref it asks nothing of the record's age: a replay checks its refs with
// Ref before it begins, whose margin keeps them from expiring meanwhile,
// then pins each record to its ref as it reads it, and must not find a
// record refused for the hour Ref leaves before its expiry.
func (c *Cache) HoldsRef(key string, ref RecordRef) bool {
	c.mu.Lock()
	defer c.mu.Unlock()
	e, ok := c.index.get(key)
	return ok && e.off == ref.Off && e.n == ref.Len && e.written == ref.Written
}

// StampRef is Ref of the key "stamp-" followed by sum in lower-case hex
// (scan.StampKey), without spelling the key: a warm listing looks up the
// result of each of its files, and spelling each key made two strings a
// file to look up one digest (22 MB at 100,000 messages).
func (c *Cache) StampRef(sum [32]byte) (RecordRef, bool) {
	c.mu.Lock()
	defer c.mu.Unlock()
	e, ok := c.index.digests[stampKind].get(sum)
	return c.refOf(e, ok)
}

// refOf is the ref of the index entry e (ok: there is one). c.mu is held.
func (c *Cache) refOf(e cacheEntry, ok bool) (RecordRef, bool) {
	now := c.now().Unix()
	if !ok || c.isExpired(int64(e.written)-refMargin, now) || c.isExpired(int64(e.written), now) {
		return RecordRef{}, false
	}
	return RecordRef{Off: e.off, Len: e.n, Written: e.written}, true
}

// PutRecord stores obj, a JSON object that is not a model.Message (a
// scan's snapshot), under key, which must start with SnapshotPrefix.
// Like Put it does nothing on a read-only cache and writes nothing when
// the key already holds the same bytes.
func (c *Cache) PutRecord(key string, obj []byte) error {
	if !strings.HasPrefix(key, SnapshotPrefix) {
		return fmt.Errorf("cache %s: a record that is not a message needs a key starting %q", key, SnapshotPrefix)
	}
	if len(obj) < 2 || obj[0] != '{' || obj[len(obj)-1] != '}' || bytes.IndexByte(obj, '\n') >= 0 || !json.Valid(obj) {
		return fmt.Errorf("cache %s: not a single-line JSON object", key)
	}
	return c.putBytes(key, obj)
}

// GetRecord returns what PutRecord stored under key; the caller must not
// change it.
func (c *Cache) GetRecord(key string) ([]byte, bool) {
	if !strings.HasPrefix(key, SnapshotPrefix) {
		return nil, false
	}
	raw, ok := c.record(key)
	if ok {
		c.hits.Add(1)
	}
	return raw, ok
}

// errNotSnapshot keeps Get from decoding a snapshot as a message.
var errNotSnapshot = errors.New("cache: a snapshot key holds no message")

// Path is the cache file's path, for ReadRef.
func (c *Cache) Path() string { return c.path }

// ErrRefGone is ReadRef's error when the cache file no longer holds the
// record where the ref says: it was compacted, rebuilt or removed since.
var ErrRefGone = errors.New("the analysis cache no longer holds the result there")

// ReadRef reads and decodes the message that the cache file at path
// (Cache.Path) holds under key at ref, without opening the cache or
// reading its index: what a viewer of rows read from a scan's snapshot
// needs for the one message it shows, while other processes may hold the
// cache. The record's checksum must hold and its key and time must be
// the ref's; anything else is an error wrapping ErrRefGone, never
// another record's message.
func ReadRef(path, key string, ref RecordRef) (model.Message, error) {
	r, err := OpenRefs(path)
	if err != nil {
		return model.Message{}, err
	}
	defer r.Close()
	return r.Read(key, ref)
}

// RefReader reads messages at refs of one cache file as ReadRef does,
// with the file opened once and read ahead: what a scan reads back of
// many records, in the order they were written (the new mail a replay
// checked and cached: ui/app's appendedFlood), without the cache's
// index.
type RefReader struct {
	f     *os.File
	ahead readAhead
	buf   []byte
}

// OpenRefs opens the cache file at path (Cache.Path) for reading at
// refs; an error wraps ErrRefGone.
func OpenRefs(path string) (*RefReader, error) {
	f, err := os.Open(path)
	if err != nil {
		return nil, fmt.Errorf("%w: %v", ErrRefGone, err)
	}
	return &RefReader{f: f}, nil
}

// Read reads and decodes the message under key at ref, as ReadRef does.
func (r *RefReader) Read(key string, ref RecordRef) (model.Message, error) {
	raw, buf, err := readRecordAt(r.f, &r.ahead, r.buf, key, cacheEntry{off: ref.Off, n: ref.Len, written: ref.Written})
	r.buf = buf
	if err != nil {
		return model.Message{}, fmt.Errorf("%w: %v", ErrRefGone, err)
	}
	var m model.Message
	if err := jsonv1.Unmarshal(raw, &m); err != nil {
		return model.Message{}, fmt.Errorf("cache: decoding the result of %s: %w", key, err)
	}
	return m, nil
}

// Close closes the file.
func (r *RefReader) Close() error { return r.f.Close() }
