package app

import (
	"bufio"
	"crypto/sha256"
	"encoding/binary"
	"fmt"
	"os"

	"mxaudit/model/store"
)

// rowSlots keeps, by listing position, where each message of a row
// replay has its result (rowSlot's sum and ref) once the rows are out:
// 48 bytes a message in an unlinked temporary file beside the cache,
// read one at a time when a message is read back. In the heap they took
// 46 MiB at a million messages for as long as the console ran, though a
// console reads back only the messages an operator opens.
//
// Nothing else can open the file. The App closes it when a new scan
// drops the replay, or when it closes (a read in flight then fails, as a
// read of a damaged slot does); os.File's own finalizer is the backstop.
// What it gives is
// not trusted for more than the heap's copy was: a slot names a record
// by its key and place, which store.ReadRef checks, and the record read
// must give the row listed (sameRow).
type rowSlots struct {
	f *os.File
	n int
}

// slotLen is one slot in the file: the sum, then the ref's offset,
// length and time, little-endian.
const slotLen = sha256.Size + 8 + 4 + 4

// writeRowSlots writes sums and refs, position by position, to an
// unlinked file in dir.
func writeRowSlots(dir string, sums [][sha256.Size]byte, refs []store.RecordRef) (*rowSlots, error) {
	if len(sums) != len(refs) {
		return nil, fmt.Errorf("%d sums for %d refs", len(sums), len(refs))
	}
	f, err := newSpillFile(dir) // O_EXCL, 0600, unlinked at once
	if err != nil {
		return nil, err
	}
	w := bufio.NewWriterSize(f, 64<<10)
	var b [slotLen]byte
	for i := range sums {
		putSlot(b[:], sums[i], refs[i])
		if _, err := w.Write(b[:]); err != nil {
			f.Close()
			return nil, err
		}
	}
	if err := w.Flush(); err != nil {
		f.Close()
		return nil, err
	}
	return &rowSlots{f: f, n: len(sums)}, nil
}

// putSlot encodes one slot into b.
func putSlot(b []byte, sum [sha256.Size]byte, ref store.RecordRef) {
	copy(b, sum[:])
	binary.LittleEndian.PutUint64(b[sha256.Size:], uint64(ref.Off))
	binary.LittleEndian.PutUint32(b[sha256.Size+8:], ref.Len)
	binary.LittleEndian.PutUint32(b[sha256.Size+12:], ref.Written)
}

// close closes the file; a slot read after it fails.
func (s *rowSlots) close() { _ = s.f.Close() }

// at reads the slot at position i.
func (s *rowSlots) at(i int) (sum [sha256.Size]byte, ref store.RecordRef, err error) {
	if i < 0 || i >= s.n {
		return sum, ref, fmt.Errorf("slot %d of %d", i, s.n)
	}
	var b [slotLen]byte
	if _, err := s.f.ReadAt(b[:], int64(i)*slotLen); err != nil {
		return sum, ref, fmt.Errorf("reading where the message's result is: %w", err)
	}
	copy(sum[:], b[:sha256.Size])
	ref.Off = int64(binary.LittleEndian.Uint64(b[sha256.Size:]))
	ref.Len = binary.LittleEndian.Uint32(b[sha256.Size+8:])
	ref.Written = binary.LittleEndian.Uint32(b[sha256.Size+12:])
	return sum, ref, nil
}
