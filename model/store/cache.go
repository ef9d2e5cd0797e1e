package store

import (
	"bufio"
	"bytes"
	"encoding/hex"
	"errors"
	"fmt"
	"iter"
	"math"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"sync/atomic"
	"time"

	jsonv1 "github.com/go-json-experiment/json/v1"

	"mxaudit/model"
	"mxaudit/model/store/fsx"
)

// DefaultCacheMaxAge is how long a cached analysis is used: verdicts
// that rest on DNS (SPF, DKIM keys, DMARC policies) go stale.
const DefaultCacheMaxAge = 30 * 24 * time.Hour

// cacheFlushInterval bounds how long a Put stays in the write buffer.
// Nothing is fsynced: records lost in a crash only cost their
// re-analysis, and a torn last record is recognised and cut off.
const cacheFlushInterval = 2 * time.Second

// cacheFlushBytes bounds what Puts keep in memory before a flush: until
// then each record is held (mem) for reads as well as in the write
// buffer. Flushing on the timer alone, a first scan held two seconds of
// records, 24,000 messages and 50 MB at full speed, and its peak
// resident memory grew with the quarantine (74 MiB at 20,000 messages,
// 161 MiB at 100,000).
const cacheFlushBytes = 1 << 20

// ErrCacheClosed is returned by Put after Close.
var ErrCacheClosed = errors.New("cache is closed")

// Cache holds the analysis results of one message source, so that a
// rescan analyses only what is new. It lives in memory and in an
// append-only file (see cachefile.go for the format), which one process
// at a time writes: a second process opening the same source reads the
// file but does not write it. All methods are safe for concurrent use.
//
// A result is returned only when it was written under the same source,
// fingerprint, file format and model.Message shape, is no older than the
// maximum age, and its record is intact; anything else is a miss.
type Cache struct {
	path   string
	header cacheHeader
	// headerLine is the data file's first line as it is in the file,
	// which the index file names (cacheidx.go).
	headerLine []byte
	maxAge     int64 // seconds
	now        func() time.Time

	hits, misses, expired atomic.Int64

	mu      sync.Mutex
	index   cacheIndex
	bytes   int64 // sum of len(msg) over entries
	records int   // record lines in the file, live or not
	lock    *os.File
	file    *os.File    // the append handle; nil when read-only
	rf      *os.File    // the read handle of Get; nil when there is no file
	rfRef   *recordFile // rf as encoded messages name it (Encoded.From)
	// mem holds a message until it is known to be in the file (it is
	// still buffered, or writing failed and Close must rewrite the file);
	// pending lists the keys put in mem since the last flush.
	mem     map[string][]byte
	pending []string
	end     int64 // the file's length once everything buffered is written
	flushed int64 // the file's length on disk
	w       *bufio.Writer
	timer   *time.Timer // pending flush of w
	ahead   readAhead   // blocks of the file read ahead for Get
	// indexFiled is the index file's state when the index was read
	// from it whole, until the index changes: Close then leaves that
	// file as it is, if it is still there, rather than write it again
	// (indexStillFiled).
	indexFiled os.FileInfo
	info       CacheStats // what was found on open, and write failures
	closed     bool
}

// cacheEntry locates one cached message in the file: memory holds only
// the index, so a cache of 20,000 messages costs a few megabytes, not the
// 40 MB of their encoded results; Get reads the bytes back (from the page
// cache, usually) and decodes a fresh copy for each caller.
//
// MaxCacheRecordLen bounds one record of the analysis cache: a message
// is a few KB, and the largest record is ui/app's scan snapshot, whose
// list of the messages pairing changed takes about 100 bytes a message
// spelled (the Maildir name and where its outcome is): 19 MB for the
// 190,000 changed of a million-message quarantine named as Dovecot names
// mail. At the audit log's 16 MiB, no snapshot of it was kept, and every
// start paired the whole quarantine again (the concurrency review).
const MaxCacheRecordLen = 64 << 20

// An entry is 16 bytes, the index's largest part after the keys
// (BenchmarkCacheIndexBytes): a message still to be written to the file
// is held in Cache.mem, not in its entry.
type cacheEntry struct {
	off     int64  // of the message's JSON in the file
	n       uint32 // its length (at most MaxCacheRecordLen)
	written uint32 // Unix seconds (until 2106; see fitsEntry)
}

// newCacheEntry is the entry of a message of n bytes at off, written at
// written (Unix seconds); ok is false when written does not fit an entry.
func newCacheEntry(off int64, n int, written int64) (e cacheEntry, ok bool) {
	if written < 0 || written > math.MaxUint32 || n < 0 || n > MaxCacheRecordLen {
		return cacheEntry{}, false
	}
	return cacheEntry{off: off, n: uint32(n), written: uint32(written)}, true
}

// CacheStats describes a cache's state and use.
type CacheStats struct {
	// Hits and Misses count Get calls that did and did not return a
	// message; Expired counts the misses due to the maximum age.
	Hits, Misses, Expired int64
	// Entries is the number of messages held, Bytes their encoded size.
	Entries int
	Bytes   int64
	// Records counts the record lines in the file, including superseded
	// and removed ones; Close compacts the file when most are.
	Records int
	// Dropped counts damaged records skipped when the file was read;
	// TornTail is set when its last line was incomplete (a crash, or
	// another process writing as it was read).
	Dropped  int
	TornTail bool
	// Rebuilt is set when an existing file was discarded; RebuildReason
	// says why (another fingerprint, format version, damaged header…).
	Rebuilt       bool
	RebuildReason string
	// ReadOnly is set when this process does not write the cache (another
	// process holds it); Put then does nothing.
	ReadOnly       bool
	ReadOnlyReason string
	// WriteError is the first failure to write the file; later records
	// stay in memory only.
	WriteError string
	// Compacted is set once Close has rewritten the file.
	Compacted bool
	// Load is how long reading the file took; FromIndex is set when the
	// open read the index file rather than every record (cacheidx.go).
	Load      time.Duration
	FromIndex bool
}

// CacheOption tunes OpenCache.
type CacheOption func(*cacheOptions)

type cacheOptions struct {
	maxAge time.Duration
	now    func() time.Time
}

// WithMaxAge sets how old a cached result may be (DefaultCacheMaxAge
// otherwise); it must be positive.
func WithMaxAge(d time.Duration) CacheOption {
	return func(o *cacheOptions) { o.maxAge = d }
}

// WithClock replaces time.Now, for tests of the maximum age.
func WithClock(now func() time.Time) CacheOption {
	return func(o *cacheOptions) { o.now = now }
}

// DefaultCacheDir is $XDG_CACHE_HOME/mxaudit, or ~/.cache/mxaudit.
func DefaultCacheDir(getenv func(string) string) (string, error) {
	dir, err := xdgDir(getenv, "XDG_CACHE_HOME", ".cache")
	if err != nil {
		return "", err
	}
	return filepath.Join(dir, "mxaudit"), nil
}

// Get returns the cached result for key ("UIDVALIDITY/UID" for IMAP, the
// hex SHA-256 of the raw message for a directory). Each call returns a
// fresh copy that the caller may change. The message's ID is the one it
// was put with: where the key is the content, the same message may now be
// another file, so the caller sets the current ID.
func (c *Cache) Get(key string) (model.Message, bool) {
	if strings.HasPrefix(key, SnapshotPrefix) {
		c.misses.Add(1)
		return model.Message{}, false
	}
	// The record is read into a recycled buffer: decoding copies what
	// it keeps, and a buffer a record was a quarter of what a warm scan
	// allocated.
	bp := recordBufs.Get().(*[]byte)
	raw, used, ok := c.recordInto(*bp, key)
	defer func() {
		if cap(used) <= maxPooledRecord {
			*bp = used[:0]
			recordBufs.Put(bp)
		}
	}()
	if !ok {
		return model.Message{}, false
	}
	var m model.Message
	if jsonv1.Unmarshal(raw, &m) != nil {
		// The checksum held, so this is an mxaudit bug, not damage; a miss
		// is still the safe answer.
		c.misses.Add(1)
		return model.Message{}, false
	}
	c.hits.Add(1)
	return m, true
}

// recordBufs recycles the buffers Get reads records into; maxPooledRecord
// bounds the buffers kept, so that a huge record's is not held.
var recordBufs = sync.Pool{New: func() any { return new([]byte) }}

const maxPooledRecord = 64 << 10

// record returns key's encoded message, which the caller must not change;
// a miss is counted here, a hit by the caller once the bytes decode.
func (c *Cache) record(key string) ([]byte, bool) {
	raw, _, ok := c.recordInto(nil, key)
	return raw, ok
}

// recordInto is record reading into buf when it is large enough, and
// also returns the buffer it used (buf, or one it made), which the
// caller may use again once done with the record.
func (c *Cache) recordInto(buf []byte, key string) ([]byte, []byte, bool) {
	raw, used, _, ok := c.recordPlaced(buf, key)
	return raw, used, ok
}

// recordPlace is where a record's message is in the cache's file:
// its read handle (nil: read from memory) and offset.
type recordPlace struct {
	from *recordFile
	at   int64
}

// recordPlaced is recordInto, and where the record was read: the read
// handle and the message's offset in its file, or nil when it was read
// from memory (a record not yet known to be in the file).
func (c *Cache) recordPlaced(buf []byte, key string) ([]byte, []byte, recordPlace, bool) {
	c.mu.Lock()
	e, ok := c.index.get(key)
	var raw []byte
	var err error
	var place recordPlace
	used := buf
	if ok && !c.isExpired(int64(e.written), c.now().Unix()) {
		var fromFile bool
		raw, used, fromFile, err = c.readLockedInto(buf, key, e)
		if fromFile {
			place = recordPlace{c.rfRef, e.off}
		}
	}
	c.mu.Unlock()
	if !ok {
		c.misses.Add(1)
		return nil, used, recordPlace{}, false
	}
	if raw == nil && err == nil {
		c.expired.Add(1)
		c.misses.Add(1)
		return nil, used, recordPlace{}, false
	}
	if err != nil {
		c.misses.Add(1)
		return nil, used, recordPlace{}, false
	}
	return raw, used, place, true
}

// Has reports whether Get would find key (present and not expired),
// without reading or decoding the result.
func (c *Cache) Has(key string) bool {
	c.mu.Lock()
	defer c.mu.Unlock()
	e, ok := c.index.get(key)
	return ok && !c.isExpired(int64(e.written), c.now().Unix())
}

// Put stores m as the result for key. m.Exception is not stored: it is
// policy state, recomputed by Policy.Annotate, not analysis. A message
// whose strings hold invalid UTF-8 is refused (JSON cannot carry it
// exactly). Put does nothing on a read-only cache; it does not wait for
// the disk (the record is written within a few seconds, by Flush, or by
// Close), and a failure to write shows in Stats and Flush's error.
func (c *Cache) Put(key string, m model.Message) error {
	if err := validCacheKey(key); err != nil {
		return err
	}
	if strings.HasPrefix(key, SnapshotPrefix) {
		return fmt.Errorf("cache %s: %w", key, errNotSnapshot)
	}
	m.Exception = nil
	msg, err := encodeMessage(&m)
	if err != nil {
		return fmt.Errorf("cache %s: %w", key, err)
	}
	return c.putBytes(key, msg)
}

// putBytes stores msg, an encoded JSON object, under key (see Put).
func (c *Cache) putBytes(key string, msg []byte) error {
	if err := validCacheKey(key); err != nil {
		return err
	}
	if len(msg) > MaxCacheRecordLen {
		return fmt.Errorf("cache %s: the message encodes to %d bytes, more than a record may hold", key, len(msg))
	}
	now := c.now().Unix()
	c.mu.Lock()
	defer c.mu.Unlock()
	switch {
	case c.closed:
		return ErrCacheClosed
	case c.file == nil:
		return nil
	}
	if old, ok := c.index.get(key); ok && now-int64(old.written) < c.maxAge/2 && int(old.n) == len(msg) {
		// Nothing new: a caller putting every message on each scan must
		// not grow the file.
		if have, err := c.readLocked(key, old); err == nil && bytes.Equal(have, msg) {
			return nil
		}
	}
	e, ok := newCacheEntry(c.end+int64(recordMsgOffset(key, now)), len(msg), now)
	if !ok {
		return fmt.Errorf("cache %s: the clock (%d) is outside what an entry holds", key, now)
	}
	// The entry keeps the message in memory until a flush puts it in the
	// file; after a write failure it stays there, and Close rewrites the
	// file from memory.
	c.appendLocked(encodeRecord(key, now, msg))
	c.set(key, e)
	c.mem[key] = msg
	c.pending = append(c.pending, key)
	return nil
}

// Prune removes every entry whose key keep rejects, such as the keys of
// messages no longer in the source or, after a UIDVALIDITY change, every
// key with the old prefix. It returns how many it removed (on a
// read-only cache, from memory only). keep is called with the cache
// locked and must not use the cache.
func (c *Cache) Prune(keep func(key string) bool) int {
	return c.prune(func(yield func(string) bool) {
		for key := range c.index.all() {
			if !keep(key) && !yield(key) {
				return
			}
		}
	})
}

// PruneStamps is Prune for the "stamp-" keys alone, given the digests
// they spell, so that the keys kept are never spelled out: a warm scan
// of 100,000 files decides on each of them.
func (c *Cache) PruneStamps(keep func(sum [32]byte) bool) int {
	return c.prune(func(yield func(string) bool) {
		for sum := range c.index.digests[stampKind].all() {
			if !keep(sum) && !yield(digestPrefixes[stampKind]+hex.EncodeToString(sum[:])) {
				return
			}
		}
	})
}

// prune removes the keys gone yields, writing a removal record for each.
func (c *Cache) prune(gone iter.Seq[string]) int {
	c.mu.Lock()
	defer c.mu.Unlock()
	if c.closed {
		return 0
	}
	now := c.now().Unix()
	n := 0
	for key := range gone {
		c.set(key, cacheEntry{})
		n++
		if c.file != nil {
			c.appendLocked(encodeRecord(key, now, nil))
		}
	}
	return n
}

// Flush writes buffered records to the file and returns the first write
// failure, if any.
func (c *Cache) Flush() error {
	c.mu.Lock()
	defer c.mu.Unlock()
	if c.closed || c.file == nil {
		return nil
	}
	return c.flushLocked()
}

// Close writes what is buffered, compacts the file when more than half
// of its records are superseded, removed or expired (or a write failed),
// and releases the lock. Calling it again does nothing.
func (c *Cache) Close() error {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.closeLocked()
}

// CloseUnlessCompacting closes the cache as Close does, unless Close
// would compact the file (a writer whose records are mostly dead): it
// then leaves the cache open, for a later Close, and reports false. A
// caller that closes the cache early, while it still reads results by
// where the cache holds them (ui/app's row replay), must not have them
// moved.
func (c *Cache) CloseUnlessCompacting() (closed bool, err error) {
	c.mu.Lock()
	defer c.mu.Unlock()
	if c.file != nil && !c.closed && c.needsCompaction() {
		return false, nil
	}
	return true, c.closeLocked()
}

// closeLocked is Close with c.mu held.
func (c *Cache) closeLocked() error {
	if c.closed {
		return nil
	}
	c.closed = true
	if c.timer != nil {
		c.timer.Stop()
		c.timer = nil
	}
	var errs []error
	if c.file != nil {
		writeErr := c.flushLocked()
		if c.needsCompaction() {
			if err := c.compactLocked(); err != nil {
				errs = append(errs, err)
			} else {
				c.info.Compacted = true
				writeErr = nil // the new file holds everything
			}
		}
		if writeErr == nil && !c.info.Compacted && c.rf != nil && c.headerLine != nil && !c.indexStillFiled() {
			// Best effort: without it the next open reads the whole file.
			_ = c.writeIndexLocked(c.headerLine)
		}
		errs = append(errs, writeErr, c.file.Close())
	}
	if c.lock != nil {
		fsx.Unlock(c.lock)
		errs = append(errs, c.lock.Close())
	}
	c.setReadFile(nil)
	c.index, c.mem, c.bytes = newCacheIndex(), nil, 0
	return errors.Join(errs...)
}

// Stats returns the cache's counters.
func (c *Cache) Stats() CacheStats {
	c.mu.Lock()
	s := c.info
	s.Entries, s.Bytes, s.Records = c.index.len(), c.bytes, c.records
	c.mu.Unlock()
	s.Hits, s.Misses, s.Expired = c.hits.Load(), c.misses.Load(), c.expired.Load()
	return s
}

// set replaces key's entry; a zero entry removes it.
func (c *Cache) set(key string, e cacheEntry) {
	c.indexFiled = nil
	if old, ok := c.index.get(key); ok {
		c.bytes -= int64(old.n)
		c.index.remove(key)
		delete(c.mem, key)
	}
	if e.n > 0 {
		c.index.put(key, e)
		c.bytes += int64(e.n)
	}
}

// readLocked returns an entry's message: from memory while it is not yet
// in the file, else read from the file. Callers must not change it.
//
// A message read from the file is read with its whole record line, whose
// checksum must hold and whose key and time must be the entry's: an
// offset that no longer points at key's record (a file another process
// rewrote where the cache lock does not hold, such as some network file
// systems, or damage since the file was opened) is an error, which Get
// counts as a miss, and never another message's verdict.
func (c *Cache) readLocked(key string, e cacheEntry) ([]byte, error) {
	msg, _, _, err := c.readLockedInto(nil, key, e)
	return msg, err
}

// readLockedInto is readLocked reading into buf when it is large enough;
// it also returns the buffer it used, and whether the message was read
// from the file (at e.off), not from memory.
func (c *Cache) readLockedInto(buf []byte, key string, e cacheEntry) ([]byte, []byte, bool, error) {
	if msg, ok := c.mem[key]; ok {
		return msg, buf, false, nil
	}
	if c.rf == nil {
		return nil, buf, false, errors.New("cache: no file to read")
	}
	raw, used, err := readRecordAt(c.rf, &c.ahead, buf, key, e)
	return raw, used, err == nil, err
}

// readRecordAt reads key's record as e places it in f, through ahead
// when it is not nil, into buf when it is large enough; it also returns
// the buffer it used. The record line's checksum must hold and its key
// and time must be e's.
func readRecordAt(f *os.File, ahead *readAhead, buf []byte, key string, e cacheEntry) ([]byte, []byte, error) {
	written := int64(e.written)
	pre := recordMsgOffset(key, written)
	start := e.off - int64(pre)
	if start < 0 {
		return nil, buf, fmt.Errorf("cache: the record of %s is not where the index says", key)
	}
	n := pre + int(e.n) + checksumSuffixLen
	if cap(buf) < n {
		buf = make([]byte, n)
	}
	line := buf[:n]
	if ahead == nil || !ahead.read(f, line, start) {
		if _, err := f.ReadAt(line, start); err != nil {
			return nil, buf, fmt.Errorf("cache: reading a record: %w", err)
		}
	}
	body, err := unsealLine(line)
	if err != nil || len(body) != pre+int(e.n) || !hasRecordPrefix(body, key, written) {
		return nil, buf, fmt.Errorf("cache: the record of %s is not where the index says", key)
	}
	return body[pre:], buf, nil
}

// isExpired reports whether a record written at written (Unix seconds)
// is past the maximum age at now. A record from more than an hour in the
// future (a clock set back) is treated as expired, or it would outlive
// the maximum age.
func (c *Cache) isExpired(written, now int64) bool {
	return now-written > c.maxAge || written-now > 3600
}

// appendLocked buffers one line for the file, writes the buffer out
// once it holds cacheFlushBytes, and otherwise arms the flush timer.
// After a write failure nothing more is written (Info reports it): the
// file may end in a torn line, which the next open cuts off.
func (c *Cache) appendLocked(line []byte) {
	if c.info.WriteError != "" {
		return
	}
	if _, err := c.w.Write(line); err != nil {
		c.info.WriteError = err.Error()
		return
	}
	c.end += int64(len(line))
	c.records++
	if c.end-c.flushed >= cacheFlushBytes {
		c.flushLocked()
		return
	}
	if c.timer == nil {
		c.timer = time.AfterFunc(cacheFlushInterval, func() {
			c.mu.Lock()
			defer c.mu.Unlock()
			c.timer = nil
			if !c.closed {
				c.flushLocked()
			}
		})
	}
}

// flushLocked writes the buffer out.
func (c *Cache) flushLocked() error {
	if c.info.WriteError == "" {
		if err := c.w.Flush(); err != nil {
			c.info.WriteError = err.Error()
		} else {
			c.flushed = c.end
			for _, key := range c.pending {
				if e, ok := c.index.get(key); ok && e.off+int64(e.n) <= c.flushed {
					delete(c.mem, key)
				}
			}
			c.pending = c.pending[:0]
		}
	}
	if c.info.WriteError != "" {
		return fmt.Errorf("cache %s: %s", c.path, c.info.WriteError)
	}
	return nil
}
