package store

import "os"

// readAheadBlock is how much of the cache file one read brings in. A warm
// scan gets its records in about the order they were written (the
// listing order of the scan that wrote them): a record per read cost
// 20,000 system calls for 20,000 messages.
const readAheadBlock = 128 << 10

// readAhead keeps the last two blocks read from the cache file, so that
// records read in file order cost a system call per block, and the
// pairings' records (written at another place in the file, in their own
// order) do not evict the scan's block. Records never change once in the
// file (it is only appended to; compaction writes another file, which
// this handle never reads), so a block stays true.
type readAhead struct {
	blocks [2]struct {
		off  int64
		data []byte
	}
	last int // the block used last
}

// read fills b with the file's bytes at off from a block, reading one
// when none holds them; it reports false when b could not be served so
// (larger than a block, or the file ends before it).
func (r *readAhead) read(f *os.File, b []byte, off int64) bool {
	if len(b) > readAheadBlock/2 {
		return false
	}
	for i := range r.blocks {
		blk := &r.blocks[i]
		if off >= blk.off && off+int64(len(b)) <= blk.off+int64(len(blk.data)) {
			copy(b, blk.data[off-blk.off:])
			r.last = i
			return true
		}
	}
	i := 1 - r.last // the one used longer ago
	blk := &r.blocks[i]
	if blk.data == nil {
		blk.data = make([]byte, readAheadBlock)
	}
	n, _ := f.ReadAt(blk.data[:readAheadBlock], off)
	blk.off, blk.data = off, blk.data[:n]
	if n < len(b) {
		return false
	}
	copy(b, blk.data)
	r.last = i
	return true
}
