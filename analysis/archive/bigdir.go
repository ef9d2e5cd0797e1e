package archive

import (
	"encoding/binary"
	"errors"
	"io"
)

// archive/zip parses the whole central directory into memory, several
// hundred bytes per entry: a 40 MB attachment of empty entries would cost
// hundreds of megabytes. When the end record declares more entries than
// Limits.MaxEntries, Inspect instead hands archive/zip a view of the file
// that ends right after the first MaxEntries central-directory records,
// followed by a made-up end record that declares just those. archive/zip
// still does all of the parsing; memory stays proportional to MaxEntries.

const (
	endRecordLen      = 22
	zip64LocatorLen   = 20
	zip64EndRecordLen = 56
	centralHeaderLen  = 46
	// maxEndSearch is the end record plus the longest possible comment.
	maxEndSearch = endRecordLen + 0xFFFF
)

// entryLimitedView returns the cut view described above, its size and the
// number of entries the archive declares. ok is false when the archive
// declares at most max entries, or when its end records are not the plain
// kind this code understands; the archive is then read whole.
func entryLimitedView(r io.ReaderAt, size int64, max int) (view io.ReaderAt, viewSize int64, declared uint64, ok bool) {
	if max <= 0 || max >= 0xFFFF || size < endRecordLen {
		return nil, 0, 0, false
	}
	endOff, end := findEndRecord(r, size)
	if endOff < 0 {
		return nil, 0, 0, false
	}
	records := uint64(binary.LittleEndian.Uint16(end[10:]))
	cdSize := uint64(binary.LittleEndian.Uint32(end[12:]))
	cdOff := uint64(binary.LittleEndian.Uint32(end[16:]))
	dirEnd := endOff
	if records == 0xFFFF || cdSize == 0xFFFFFFFF || cdOff == 0xFFFFFFFF {
		var ok64 bool
		dirEnd, records, cdSize, cdOff, ok64 = readZip64End(r, endOff)
		if !ok64 {
			return nil, 0, 0, false
		}
	}
	if records <= uint64(max) || cdSize > uint64(dirEnd) || cdOff > uint64(dirEnd) {
		return nil, 0, 0, false
	}
	// Where the directory starts, with archive/zip's rule for archives
	// whose offsets ignore a prefix (self-extractors).
	cdStart := dirEnd - int64(cdSize)
	if base := cdStart - int64(cdOff); base > 0 && hasSignature(r, int64(cdOff), "PK\x01\x02") {
		cdStart = int64(cdOff)
	}
	cut := cdStart
	var h [centralHeaderLen]byte
	for range max {
		if _, err := r.ReadAt(h[:], cut); err != nil || string(h[:4]) != "PK\x01\x02" {
			return nil, 0, 0, false
		}
		cut += centralHeaderLen + int64(binary.LittleEndian.Uint16(h[28:])) +
			int64(binary.LittleEndian.Uint16(h[30:])) + int64(binary.LittleEndian.Uint16(h[32:]))
		if cut > size {
			return nil, 0, 0, false
		}
	}
	if cut-cdStart > 0xFFFFFFFE || cdOff > 0xFFFFFFFE {
		return nil, 0, 0, false
	}
	fake := make([]byte, endRecordLen)
	copy(fake, "PK\x05\x06")
	binary.LittleEndian.PutUint16(fake[8:], uint16(max))
	binary.LittleEndian.PutUint16(fake[10:], uint16(max))
	binary.LittleEndian.PutUint32(fake[12:], uint32(cut-cdStart))
	binary.LittleEndian.PutUint32(fake[16:], uint32(cdOff))
	return &prefixView{r: r, cut: cut, tail: fake}, cut + endRecordLen, records, true
}

// findEndRecord finds the end-of-central-directory record the way
// archive/zip does: the last signature whose comment fits in the file.
func findEndRecord(r io.ReaderAt, size int64) (int64, []byte) {
	n := min(size, maxEndSearch)
	buf := make([]byte, n)
	if _, err := r.ReadAt(buf, size-n); err != nil && err != io.EOF {
		return -1, nil
	}
	for i := len(buf) - endRecordLen; i >= 0; i-- {
		if string(buf[i:i+4]) != "PK\x05\x06" {
			continue
		}
		commentLen := int(binary.LittleEndian.Uint16(buf[i+20:]))
		if i+endRecordLen+commentLen > len(buf) {
			continue
		}
		return size - n + int64(i), buf[i : i+endRecordLen]
	}
	return -1, nil
}

// readZip64End follows the Zip64 locator just before the end record.
func readZip64End(r io.ReaderAt, endOff int64) (dirEnd int64, records, cdSize, cdOff uint64, ok bool) {
	if endOff < zip64LocatorLen {
		return 0, 0, 0, 0, false
	}
	var loc [zip64LocatorLen]byte
	if _, err := r.ReadAt(loc[:], endOff-zip64LocatorLen); err != nil || string(loc[:4]) != "PK\x06\x07" {
		return 0, 0, 0, 0, false
	}
	p := binary.LittleEndian.Uint64(loc[8:])
	if p > uint64(endOff) {
		return 0, 0, 0, 0, false
	}
	var rec [zip64EndRecordLen]byte
	if _, err := r.ReadAt(rec[:], int64(p)); err != nil || string(rec[:4]) != "PK\x06\x06" {
		return 0, 0, 0, 0, false
	}
	return int64(p), binary.LittleEndian.Uint64(rec[32:]), binary.LittleEndian.Uint64(rec[40:]),
		binary.LittleEndian.Uint64(rec[48:]), true
}

func hasSignature(r io.ReaderAt, off int64, sig string) bool {
	b := make([]byte, len(sig))
	_, err := r.ReadAt(b, off)
	return err == nil && string(b) == sig
}

var errNegativeOffset = errors.New("archive: negative offset")

// prefixView is the first cut bytes of r followed by tail.
type prefixView struct {
	r    io.ReaderAt
	cut  int64
	tail []byte
}

// ReadAt implements io.ReaderAt.
func (v *prefixView) ReadAt(p []byte, off int64) (int, error) {
	if off < 0 {
		return 0, errNegativeOffset
	}
	n := 0
	if off < v.cut {
		m := int(min(int64(len(p)), v.cut-off))
		got, err := v.r.ReadAt(p[:m], off)
		n += got
		if err != nil && !(err == io.EOF && got == m) {
			return n, err
		}
		p, off = p[m:], off+int64(m)
	}
	if len(p) == 0 {
		return n, nil
	}
	if t := off - v.cut; t < int64(len(v.tail)) {
		c := copy(p, v.tail[t:])
		n += c
		if c == len(p) {
			return n, nil
		}
	}
	return n, io.EOF
}
