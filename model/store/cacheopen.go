package store

import (
	"bufio"
	"cmp"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"time"
	"unicode/utf8"

	"mxaudit/model/store/fsx"
)

// OpenCache opens, creating it when needed, the cache of one source in
// dir (DefaultCacheDir for the usual place). sourceKey names the source
// ("imap://quarantine@mx1.example.com/Quarantine", an absolute directory
// path); the file is named by its SHA-256, so nothing from the user or
// from mail becomes a path. fingerprint stands for everything that can
// change a verdict (analyzer version, trusted hosts, offline mode, DNS
// settings): a file written under another fingerprint is discarded, as is
// one of another format version, for another model.Message shape, or
// with a damaged header. Damaged records are skipped one by one.
//
// When another process holds the cache, it is opened read-only: Get
// works, Put does nothing. Problems with the file never fail OpenCache;
// they show in Stats. It fails only for bad arguments or a directory that
// cannot be created.
func OpenCache(dir, sourceKey, fingerprint string, opts ...CacheOption) (*Cache, error) {
	o := cacheOptions{maxAge: DefaultCacheMaxAge, now: time.Now}
	for _, opt := range opts {
		opt(&o)
	}
	switch {
	case o.maxAge < time.Second:
		return nil, fmt.Errorf("cache: maximum age %s is not positive", o.maxAge)
	case sourceKey == "" || !utf8.ValidString(sourceKey):
		return nil, errors.New("cache: the source key is empty or not UTF-8")
	}
	if err := os.MkdirAll(dir, 0o700); err != nil {
		return nil, fmt.Errorf("cache: %w", err)
	}
	name := sha256Hex(sourceKey)
	c := &Cache{
		path:   cacheFilePath(dir, sourceKey),
		header: wantHeader(sourceKey, fingerprint),
		maxAge: int64(o.maxAge / time.Second),
		now:    o.now,
		index:  newCacheIndex(),
		mem:    map[string][]byte{},
	}
	c.lock, c.info.ReadOnlyReason = tryLockFile(filepath.Join(dir, name+".lock"))
	c.info.ReadOnly = c.lock == nil

	start := time.Now()
	goodEnd, fresh := c.load()
	c.info.Load = time.Since(start)
	if c.lock != nil {
		if err := c.openForAppend(goodEnd, fresh); err != nil {
			fsx.Unlock(c.lock)
			c.lock.Close()
			c.lock = nil
			c.info.ReadOnly, c.info.ReadOnlyReason = true, err.Error()
		}
	}
	// A fresh file (none, or one rebuilt) replaced what load read: Get
	// reads the new one, which holds no entries yet.
	if fresh && c.file != nil {
		f, _ := os.Open(c.path)
		c.setReadFile(f)
	}
	if c.rf == nil {
		c.index.clear()
		c.bytes = 0
	}
	return c, nil
}

// tryLockFile takes the exclusive lock that makes a process the cache's
// writer, without waiting: a second mxaudit works read-only rather than
// hang. The lock is on a file of its own because compaction replaces the
// data file, and a lock on the replaced file would lock nothing.
func tryLockFile(path string) (*os.File, string) {
	f, err := os.OpenFile(path, os.O_RDWR|os.O_CREATE, 0o600)
	if err != nil {
		return nil, err.Error()
	}
	ok, err := fsx.TryLock(f)
	if err != nil {
		f.Close()
		return nil, err.Error()
	}
	if !ok {
		f.Close()
		return nil, "another mxaudit process is writing this cache"
	}
	return f, ""
}

// load reads the file into memory. It returns the offset after the last
// complete line, and fresh when the file is missing or discarded.
func (c *Cache) load() (goodEnd int64, fresh bool) {
	discard := func(why string) (int64, bool) {
		c.info.Rebuilt, c.info.RebuildReason = true, why
		c.index.clear()
		c.bytes, c.records, c.info.Dropped, c.info.TornTail = 0, 0, 0, false
		return 0, true
	}
	info, err := os.Lstat(c.path)
	switch {
	case errors.Is(err, fs.ErrNotExist):
		return 0, true
	case err != nil:
		return discard(err.Error())
	}
	if why := untrustedFile(info); why != "" {
		return discard(why)
	}
	// The file is read line by line, not whole: memory keeps only the
	// index, and reading a 40 MB file at once would still set the
	// process's peak.
	f, err := os.Open(c.path)
	if err != nil {
		return discard(err.Error())
	}
	// The handle read here is the one Get reads from: offsets into this
	// file must never be read from another that replaced it meanwhile
	// (another process rebuilding or compacting the cache).
	c.setReadFile(f)
	br := bufio.NewReaderSize(f, 256<<10)
	header, err := br.ReadSlice('\n')
	if err != nil {
		return discard("the file has no complete header")
	}
	c.headerLine = slices.Clone(header)
	if err := parseHeader(c.headerLine[:len(header)-1], c.header); err != nil {
		return discard(err.Error())
	}
	now := c.now().Unix()
	pos := int64(len(header))
	if fi, err := f.Stat(); err == nil && c.loadIndex(c.headerLine, fi) {
		c.info.FromIndex = true
		c.end, c.flushed = fi.Size(), fi.Size()
		return fi.Size(), false
	}
	for {
		line, n, err := readCacheLine(br)
		if err == io.EOF {
			if n > 0 {
				c.info.TornTail = true
			}
			break
		}
		if err != nil {
			return discard(err.Error())
		}
		lineStart := pos
		pos += n
		c.records++
		r, err := parseCacheRecord(line)
		if err != nil {
			c.info.Dropped++
			continue
		}
		if c.records == 1 && c.index.len() == 0 {
			// The map of the first key's kind (a cache holds one source's
			// keys, nearly all of one kind) is sized for half the records
			// a file this large holds (about 2.5 KiB each): growing it from
			// empty took a third of the time to open the cache, and one
			// sized for all of them may take twice the memory they need
			// (its tables come in powers of two).
			// The hint is bounded too: at the 16 GiB a file may have,
			// it would reserve about 450 MB before a record is checked.
			c.index.reserve(r.key, int(min(info.Size()/(4<<10), maxOpenHint)))
		}
		e, fits := newCacheEntry(lineStart+int64(recordMsgOffset(r.key, r.written)), len(r.msg), r.written)
		if r.msg == nil || !fits || c.isExpired(r.written, now) {
			c.set(r.key, cacheEntry{})
			continue
		}
		c.set(r.key, e)
	}
	c.end, c.flushed = pos, pos
	return pos, false
}

// maxOpenHint bounds the entries the index is sized for on open, from
// the file's size alone: a million, a 2.9 GB file's share.
const maxOpenHint = 1 << 20

// maxCacheLineLen bounds a line gathered on open: a record's message is
// at most MaxCacheRecordLen, and its key, times and checksum take a few
// hundred bytes more. A longer run without a newline is damage (the
// zero-filled tail a crash can leave), skipped rather than held: 512 MiB
// of zeros held so took 2 GiB of heap, and a file may be 16 GiB.
const maxCacheLineLen = MaxCacheRecordLen + 64<<10

// readCacheLine returns the next line without its newline, and n, the
// bytes it took from the file, its newline included; at the end of the
// file it returns what is left (a torn line, or nothing) and io.EOF. A
// line longer than maxCacheLineLen is read past to its end and returned
// as nil, with its n. The line is only valid until the next call.
func readCacheLine(br *bufio.Reader) (line []byte, n int64, err error) {
	line, err = br.ReadSlice('\n')
	n = int64(len(line))
	if err == bufio.ErrBufferFull {
		// A record longer than the buffer: gather it, up to the bound.
		long := append([]byte(nil), line...)
		for err == bufio.ErrBufferFull {
			line, err = br.ReadSlice('\n')
			n += int64(len(line))
			if long != nil {
				long = append(long, line...)
			}
			if len(long) > maxCacheLineLen {
				long = nil
			}
		}
		if long == nil {
			return nil, n, err
		}
		line = long
	}
	if err != nil {
		return line, n, err
	}
	return line[:len(line)-1], n, nil
}

// openForAppend prepares the writer's handle: a fresh file gets its
// header; a torn last line is cut off, or the next record would be glued
// to it and lost.
func (c *Cache) openForAppend(goodEnd int64, fresh bool) error {
	if fresh {
		// Remove first: fsx.WriteFile keeps an existing file's mode, and a
		// symlink or an over-permissive file is what may have been found.
		if err := os.Remove(c.path); err != nil && !errors.Is(err, fs.ErrNotExist) {
			return fmt.Errorf("cache %s: %w", c.path, err)
		}
		c.header.Written = c.now().Unix()
		c.headerLine = encodeHeader(c.header)
		if err := fsx.WriteFile(c.path, c.headerLine, 0o600, fsx.Ops{}); err != nil {
			return fmt.Errorf("cache %s: %w", c.path, err)
		}
		goodEnd = int64(len(c.headerLine))
	}
	f, err := os.OpenFile(c.path, os.O_WRONLY|os.O_APPEND, 0)
	if err != nil {
		return fmt.Errorf("cache %s: %w", c.path, err)
	}
	if info, err := f.Stat(); err != nil || info.Size() != goodEnd {
		if err := f.Truncate(goodEnd); err != nil {
			f.Close()
			return fmt.Errorf("cache %s: cutting off the torn last record: %w", c.path, err)
		}
	}
	c.file = f
	c.w = bufio.NewWriterSize(f, 256<<10)
	c.end, c.flushed = goodEnd, goodEnd
	return nil
}

// liveCount counts the entries not past the maximum age at now.
func (c *Cache) liveCount(now int64) int {
	n := 0
	for e := range c.index.entries() {
		if !c.isExpired(int64(e.written), now) {
			n++
		}
	}
	return n
}

// needsCompaction reports whether most of the file's records are dead
// (superseded, removed, expired, damaged), or a write failed and the
// file may not hold what memory does.
func (c *Cache) needsCompaction() bool {
	if c.info.WriteError != "" {
		return true
	}
	dead := c.records - c.liveCount(c.now().Unix())
	return c.records > 0 && 2*dead > c.records
}

// compactLocked replaces the file with one holding only the live
// entries, atomically (temporary file, fsync, rename), so that a crash
// or a reader sees the old file or the new one. The records keep the
// order they were written in, which is the order a scan reads them back
// (the read-ahead, cache_readahead.go, follows it): in key order, as
// they were, a warm scan of 100,000 messages read 128 KiB from another
// place of the file for each record, 2.6 s instead of 1.3. They are
// streamed to the new file, not built in memory first (a file of
// 290 MB took the process to 693 MB).
func (c *Cache) compactLocked() error {
	now := c.now().Unix()
	type live struct {
		key string
		e   cacheEntry
	}
	recs := make([]live, 0, c.index.len())
	for k, e := range c.index.all() {
		// A snapshot names records by their place in the file, which
		// compaction changes.
		if !c.isExpired(int64(e.written), now) && !strings.HasPrefix(k, SnapshotPrefix) {
			recs = append(recs, live{k, e})
		}
	}
	slices.SortFunc(recs, func(a, b live) int { return cmp.Compare(a.e.off, b.e.off) })
	h := c.header
	h.Written = now
	err := fsx.WriteFile(c.path, nil, 0o600, fsx.Ops{Write: func(f *os.File, _ []byte) error {
		bw := bufio.NewWriterSize(f, 256<<10)
		bw.Write(encodeHeader(h))
		for _, r := range recs {
			msg, err := c.readLocked(r.key, r.e)
			if err != nil {
				return err
			}
			bw.Write(encodeRecord(r.key, int64(r.e.written), msg))
		}
		return bw.Flush()
	}})
	if err != nil {
		return fmt.Errorf("cache: compacting: %w", err)
	}
	c.records = len(recs)
	return nil
}
