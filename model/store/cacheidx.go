package store

import (
	"bufio"
	"encoding/binary"
	"errors"
	"hash/crc32"
	"io"
	"os"

	"mxaudit/model/store/fsx"
	"mxaudit/model/store/prefault"
)

// The index file (the data file's name with ".idx") is the in-memory
// index as the last writer left it, so that an open reads it rather than
// every record of the data file: at 100,000 messages a 506 MB file of
// 232,000 records took 0.37 s of CPU to read, which a warm reopen waited
// for before its first row. The writer writes it when it closes the
// cache cleanly, unless its index is still the one it read from that
// file, which is still there (indexStillFiled): a warm start of a
// million messages that changed nothing wrote 65 MB and synced them.
//
// It is only a shortcut, for exactly the data file it was written for.
// An open falls back to reading the whole data file unless the index is
// intact (its checksum), and the data file has the length and
// modification time it had then, the same header line and the same
// last idxTailLen bytes (their checksum): a data file appended to by a
// writer that did not close, compacted, rebuilt, truncated or rewritten
// does not match. And an entry is never trusted alone: Get reads a
// record back only when its checksum holds and it names the key asked
// for (readLocked), so an entry pointing anywhere else is a miss, never
// another message. (A record damaged in place without its file's time
// changing is then found damaged when read, not when the cache opens.)
//
// Layout, little-endian: idxMagic; the data file's length and
// modification time (nanoseconds), the header's and the tail's CRC-32C,
// the record and dropped counts (8, 8, 4, 4, 8 and 8 bytes), the
// number of entries of each digest kind and of the other keys (8 bytes
// each); the entries; the CRC-32C of everything before it (4 bytes). An
// entry is a kind (0 to 3 for digestPrefixes, idxNamed for a key held
// as it is), the 32-byte digest or the key's length (uvarint) and bytes,
// then its offset, length and time (uvarints). Each kind's digests come
// in their order (digestTable.inOrder), so that an open takes them as
// they are read; a file holding them otherwise is sorted as it is read.
//
// Version 2 holds "ppap-" keys as digests; a version 1 file is not read
// (the open reads the data file instead, once).
const idxMagic = "mxaudit-cache-index 2\n"

const (
	// idxTailLen is how much of the data file before the covered point
	// the index's checksum covers.
	idxTailLen = 4096
	// idxNamed marks an entry whose key is held as it is.
	idxNamed = 0xff
	// idxHeadLen is the length of the index file's fixed start: the
	// magic, six fields and a count per map.
	idxHeadLen = len(idxMagic) + 40 + 8*(len(digestPrefixes)+1)
	// maxIdxLen bounds the index file read: a larger one is not ours.
	// At about 65 bytes a message it holds about 8,000,000 messages, more
	// than a cache file of maxCacheFileLen does.
	maxIdxLen = 512 << 20
	// idxDigestEntryLen and idxNamedEntryLen are the lengths of the
	// shortest entries of a digest and of another key: the kind, the
	// digest or the key's length and bytes (none), and three one-byte
	// uvarints.
	idxDigestEntryLen = 1 + 32 + 3
	idxNamedEntryLen  = 1 + 1 + 3
	// maxNamedHint bounds the room made ahead for the other keys, which
	// may be many short ones: the map grows past it as they are read.
	maxNamedHint = 1 << 16
)

// idxPath is the index file of the data file at path.
func idxPath(path string) string { return path + ".idx" }

// writeIndexLocked writes the index file for the data file as flushed.
// The caller holds the lock file and c.mu, and has flushed every record.
// The entries are streamed to the file (about 50 bytes each: 50 MB at a
// million would otherwise be held at once).
func (c *Cache) writeIndexLocked(header []byte) error {
	info, err := c.file.Stat()
	if err != nil || info.Size() != c.flushed {
		return errors.New("the data file is not as flushed")
	}
	tail, err := c.tailSum(c.flushed)
	if err != nil {
		return err
	}
	return fsx.WriteFile(idxPath(c.path), nil, 0o600, fsx.Ops{Write: func(f *os.File, _ []byte) error {
		sum := crc32.New(castagnoli)
		bw := bufio.NewWriterSize(io.MultiWriter(f, sum), 64<<10)
		var b []byte
		put := func() { bw.Write(b); b = b[:0] }
		b = append(b, idxMagic...)
		b = binary.LittleEndian.AppendUint64(b, uint64(c.flushed))
		b = binary.LittleEndian.AppendUint64(b, uint64(info.ModTime().UnixNano()))
		b = binary.LittleEndian.AppendUint32(b, crc32.Checksum(header, castagnoli))
		b = binary.LittleEndian.AppendUint32(b, tail)
		b = binary.LittleEndian.AppendUint64(b, uint64(c.records))
		b = binary.LittleEndian.AppendUint64(b, uint64(c.info.Dropped))
		for _, t := range c.index.digests {
			b = binary.LittleEndian.AppendUint64(b, uint64(t.len()))
		}
		b = binary.LittleEndian.AppendUint64(b, uint64(len(c.index.named)))
		put()
		entry := func(e cacheEntry) {
			b = binary.AppendUvarint(b, uint64(e.off))
			b = binary.AppendUvarint(b, uint64(e.n))
			b = binary.AppendUvarint(b, uint64(e.written))
			put()
		}
		for kind, t := range c.index.digests {
			for sum, e := range t.inOrder() {
				b = append(b, byte(kind))
				b = append(b, sum[:]...)
				entry(e)
			}
		}
		for key, e := range c.index.named {
			b = append(b, idxNamed)
			b = binary.AppendUvarint(b, uint64(len(key)))
			b = append(b, key...)
			entry(e)
		}
		if err := bw.Flush(); err != nil {
			return err
		}
		_, err := f.Write(binary.LittleEndian.AppendUint32(nil, sum.Sum32()))
		return err
	}})
}

// tailSum is the CRC-32C of the idxTailLen bytes of the data file
// before end (all of them when fewer).
func (c *Cache) tailSum(end int64) (uint32, error) {
	start := max(0, end-idxTailLen)
	buf := make([]byte, end-start)
	if _, err := c.rf.ReadAt(buf, start); err != nil {
		return 0, err
	}
	return crc32.Checksum(buf, castagnoli), nil
}

// errIdxDamaged is an index file that cannot be read to its end.
var errIdxDamaged = errors.New("damaged index file")

// loadIndex fills the index from the index file when it matches the
// data file (header is its header line, info its state) and reports
// whether it did. It changes nothing otherwise, for the caller to read
// the whole file. The file is read as a stream, its checksum summed on
// the way: it is about 50 bytes an entry, 11 MB at 216,000.
func (c *Cache) loadIndex(header []byte, info os.FileInfo) bool {
	f, size, ok := openIndexFile(idxPath(c.path))
	if !ok {
		return false
	}
	defer f.Close()
	idxInfo, err := f.Stat()
	if err != nil {
		return false
	}
	sum := crc32.New(castagnoli)
	// The buffer holds the longest key (nextBytes).
	br := bufio.NewReaderSize(io.TeeReader(io.LimitReader(f, size-4), sum), 64<<10)
	var head [idxHeadLen]byte
	if _, err := io.ReadFull(br, head[:]); err != nil || string(head[:len(idxMagic)]) != idxMagic {
		return false
	}
	r := head[len(idxMagic):]
	covered, mtime := int64(binary.LittleEndian.Uint64(r[0:])), int64(binary.LittleEndian.Uint64(r[8:]))
	headerSum, tail := binary.LittleEndian.Uint32(r[16:]), binary.LittleEndian.Uint32(r[20:])
	records, dropped := binary.LittleEndian.Uint64(r[24:]), binary.LittleEndian.Uint64(r[32:])
	if covered != info.Size() || mtime != info.ModTime().UnixNano() || covered < int64(len(header)) || headerSum != crc32.Checksum(header, castagnoli) {
		return false
	}
	if got, err := c.tailSum(covered); err != nil || got != tail {
		return false
	}
	// The digests' slots (digestTable) and the map of the other keys
	// are made for the counts the file gives, which together must fit
	// the file's entries, each at least as long as the shortest of its
	// kind: the room is made, and the slots' memory mapped in at once,
	// before the checksum is known.
	var index cacheIndex
	var slots [len(digestPrefixes)][]digestSlot
	var counts [len(digestPrefixes) + 1]uint64
	room, need := uint64(size)-uint64(idxHeadLen)-4, uint64(0)
	for i := range counts {
		per := uint64(idxDigestEntryLen)
		if i == len(slots) {
			per = idxNamedEntryLen
		}
		counts[i] = binary.LittleEndian.Uint64(r[40+8*i:])
		if counts[i] > room/per {
			return false
		}
		if need += counts[i] * per; need > room { // each term at most room, need at most room before it: no overflow
			return false
		}
	}
	for i := range slots {
		slots[i] = make([]digestSlot, 0, counts[i])
		prefault.Slice(slots[i])
	}
	index.named = make(map[string]cacheEntry, min(counts[len(slots)], maxNamedHint))
	now := c.now().Unix()
	left := 0 // entries left out: expired, or not in the data file
	for {
		key, e, err := readIdxEntry(br)
		if err == io.EOF {
			break
		}
		if err != nil {
			return false
		}
		if e.off < int64(len(header)) || e.off+int64(e.n) > covered || c.isExpired(int64(e.written), now) {
			left++
			continue
		}
		if key.kind == idxNamed {
			index.named[key.named] = e
		} else {
			slots[key.kind] = append(slots[key.kind], digestSlot{key.sum, e})
		}
	}
	var want [4]byte
	if _, err := io.ReadFull(f, want[:]); err != nil || binary.LittleEndian.Uint32(want[:]) != sum.Sum32() {
		return false
	}
	var total int64
	for i := range index.digests {
		index.digests[i] = newDigestTable(0)
		index.digests[i].setSorted(sortSlots(slots[i]))
		for _, s := range index.digests[i].sorted {
			total += int64(s.e.n)
		}
	}
	for _, e := range index.named {
		total += int64(e.n)
	}
	c.index, c.bytes = index, total
	c.records, c.info.Dropped = int(min(records, 1<<40)), int(min(dropped, 1<<40))
	if left == 0 {
		c.indexFiled = idxInfo
	}
	return true
}

// indexStillFiled reports whether the index is the index file's, as it
// was read and unchanged since, and that file is still in its place:
// Close then need not write it again. c.mu is held.
func (c *Cache) indexStillFiled() bool {
	if c.indexFiled == nil {
		return false
	}
	now, err := os.Stat(idxPath(c.path))
	return err == nil && os.SameFile(now, c.indexFiled) && now.Size() == c.indexFiled.Size() &&
		now.ModTime().Equal(c.indexFiled.ModTime())
}

// idxKey is an entry's key as the index file holds it.
type idxKey struct {
	kind  byte
	sum   [32]byte
	named string
}

// nextBytes returns the next n bytes of br, valid until its next read;
// n must not exceed br's buffer (ErrBufferFull).
// The entry's key is copied out of br's buffer rather than read into it
// through io.ReadFull, which made every key escape to the heap: an
// allocation per entry, a sixth of loading the index at start.
func nextBytes(br *bufio.Reader, n int) ([]byte, error) {
	if n > br.Size() {
		return nil, bufio.ErrBufferFull
	}
	b, err := br.Peek(n)
	if err != nil {
		return nil, err
	}
	_, _ = br.Discard(n)
	return b, nil
}

// readIdxEntry reads the next entry; io.EOF when there is none.
func readIdxEntry(br *bufio.Reader) (idxKey, cacheEntry, error) {
	var k idxKey
	kind, err := br.ReadByte()
	if err != nil {
		return k, cacheEntry{}, err // io.EOF at the end
	}
	k.kind = kind
	switch {
	case kind == idxNamed:
		n, err := binary.ReadUvarint(br)
		if err != nil || n > maxCacheKeyLen {
			return k, cacheEntry{}, errIdxDamaged
		}
		b, err := nextBytes(br, int(n))
		if err != nil {
			return k, cacheEntry{}, errIdxDamaged
		}
		if k.named = string(b); validCacheKey(k.named) != nil {
			return k, cacheEntry{}, errIdxDamaged
		}
	case int(kind) < len(digestPrefixes):
		b, err := nextBytes(br, len(k.sum))
		if err != nil {
			return k, cacheEntry{}, errIdxDamaged
		}
		copy(k.sum[:], b)
	default:
		return k, cacheEntry{}, errIdxDamaged
	}
	var v [3]uint64
	for i := range v {
		if v[i], err = binary.ReadUvarint(br); err != nil {
			return k, cacheEntry{}, errIdxDamaged
		}
	}
	e, ok := newCacheEntry(int64(min(v[0], 1<<62)), int(min(v[1], MaxCacheRecordLen+1)), int64(min(v[2], 1<<40)))
	if !ok || e.n == 0 {
		return k, cacheEntry{}, errIdxDamaged
	}
	return k, e, nil
}

// openIndexFile opens the index file and returns its size, or false when
// there is none, or it is not a regular file of ours that only we can
// write.
func openIndexFile(path string) (*os.File, int64, bool) {
	link, err := os.Lstat(path)
	if err != nil || !link.Mode().IsRegular() {
		return nil, 0, false // none, or a symbolic link
	}
	f, err := os.Open(path)
	if err != nil {
		return nil, 0, false
	}
	info, err := f.Stat()
	if err != nil || !os.SameFile(link, info) || info.Mode().Perm()&0o022 != 0 || info.Size() > maxIdxLen || info.Size() < int64(idxHeadLen)+4 {
		f.Close()
		return nil, 0, false
	}
	return f, info.Size(), true
}
