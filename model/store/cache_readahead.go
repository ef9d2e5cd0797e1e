package store

import "os"

// readAheadBlock is how much of the cache file one read brings in. A warm
// scan gets its records in about the order they were written (the
// listing order of the scan that wrote them): a record per read cost
// 20,000 system calls for 20,000 messages.
const readAheadBlock = 128 << 10

// readAhead keeps the blocks read last from the cache file, so that
// records read in file order cost a system call per block. A warm scan
// reads from a few places at once, each in about file order: the records
// of the messages as listed, those of the ZIP and password mails that a
// cold scan's pairing held back and wrote later, and the pairings' own
// records. Each place needs a block of its own and, as the scan's workers
// take records a little out of order, room to step back into the one
// before: with two blocks, 2,064 reads of 128 KiB brought in a 58 MB file
// at 20,000 messages, against 823 with readAheadBlocks and readAheadBack
// (460 would read each byte once; the rest are jumps over records the
// scan does not ask for, and steps back; more blocks did not help: 912
// with ten, 909 with sixteen). Records never change once in the file (it is only appended to; compaction writes
// another file, which this handle never reads), so a block stays true.
type readAhead struct {
	blocks [readAheadBlocks]struct {
		off  int64
		data []byte
		used uint64 // when it served last, by the clock below
	}
	clock uint64
	reads int // blocks read, for tests
}

// readAheadBlocks is how many blocks a readAhead keeps.
const readAheadBlocks = 6

// read fills b with the file's bytes at off from a block, reading one
// (in place of the one unused longest) when none holds them; it reports
// false when b could not be served so (larger than a block, or the file
// ends before it).
func (r *readAhead) read(f *os.File, b []byte, off int64) bool {
	if len(b) > readAheadBlock/2 {
		return false
	}
	r.clock++
	oldest := 0
	for i := range r.blocks {
		blk := &r.blocks[i]
		if off >= blk.off && off+int64(len(b)) <= blk.off+int64(len(blk.data)) {
			copy(b, blk.data[off-blk.off:])
			blk.used = r.clock
			return true
		}
		if blk.used < r.blocks[oldest].used {
			oldest = i
		}
	}
	blk := &r.blocks[oldest]
	if blk.data == nil {
		blk.data = make([]byte, readAheadBlock)
	}
	// The block starts a little before off: the next record asked for
	// may be an earlier one, taken by another worker a moment later.
	start := max(0, off-readAheadBack)
	n, _ := f.ReadAt(blk.data[:readAheadBlock], start)
	r.reads++
	blk.off, blk.data, blk.used = start, blk.data[:n], r.clock
	if int64(n) < off-start+int64(len(b)) {
		return false
	}
	copy(b, blk.data[off-start:])
	return true
}

// readAheadBack is how far before the record asked for a block starts.
const readAheadBack = 16 << 10
