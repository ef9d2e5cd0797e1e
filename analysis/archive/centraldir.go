package archive

import (
	"encoding/binary"
	"io"
)

// archive/zip does not export where an entry's local header is, nor the
// local header's own flags and extra fields; a reader that trusts the
// local headers (7-Zip on a damaged archive, Info-ZIP's streaming mode,
// every "repair" tool) sees those. The code here reads the central
// directory itself to pair every record with its local header.

// dirLocation is where a ZIP's central directory is, from its end record.
type dirLocation struct {
	base    int64  // where the archive's offsets count from
	cdStart int64  // the first central directory record
	cdSize  int64  // bytes of central directory
	records uint64 // records the end record declares
}

// readDirLocation reads the end record rec found at end (APPNOTE 4.3.16)
// and, when its fields are saturated, the Zip64 end record (4.3.14) that
// the locator (4.3.15) points to. The Zip64 offset is tried as written and
// then right before the locator, where writers put it: a prefixed archive
// whose Zip64 offset ignores the prefix is still found.
func readDirLocation(r io.ReaderAt, end int64, rec []byte) (dirLocation, bool) {
	records := uint64(binary.LittleEndian.Uint16(rec[10:]))
	cdSize := uint64(binary.LittleEndian.Uint32(rec[12:]))
	cdOff := uint64(binary.LittleEndian.Uint32(rec[16:]))
	dirEnd := end
	if records == 0xFFFF || cdSize == 0xFFFFFFFF || cdOff == 0xFFFFFFFF {
		if p, ok := zip64EndOffset(r, end); ok {
			var z [zip64EndRecordLen]byte
			if _, err := r.ReadAt(z[:], p); err == nil {
				dirEnd = p
				records = binary.LittleEndian.Uint64(z[32:])
				cdSize = binary.LittleEndian.Uint64(z[40:])
				cdOff = binary.LittleEndian.Uint64(z[48:])
			}
		}
	}
	// A directory offset past the directory itself gives a negative base,
	// which archive/zip accepts (and then finds no local headers): the
	// archive is still placed, so that it is reported broken.
	if cdSize > uint64(dirEnd) || cdOff > 1<<62 {
		return dirLocation{}, false
	}
	cdStart := dirEnd - int64(cdSize)
	base := cdStart - int64(cdOff)
	if records > 0 && !hasSignature(r, cdStart, "PK\x01\x02") {
		// The directory size is wrong; archive/zip then trusts the
		// offset as it is (base 0).
		if cdOff > uint64(dirEnd) || !hasSignature(r, int64(cdOff), "PK\x01\x02") {
			return dirLocation{}, false
		}
		base, cdStart = 0, int64(cdOff)
	}
	return dirLocation{base: base, cdStart: cdStart, cdSize: int64(cdSize), records: records}, true
}

// zip64EndOffset follows the Zip64 locator just before the end record.
func zip64EndOffset(r io.ReaderAt, end int64) (int64, bool) {
	loc := end - zip64LocatorLen
	if loc < 0 || !hasSignature(r, loc, "PK\x06\x07") {
		return 0, false
	}
	var b [zip64LocatorLen]byte
	if _, err := r.ReadAt(b[:], loc); err != nil {
		return 0, false
	}
	p := binary.LittleEndian.Uint64(b[8:])
	if p < uint64(loc) && hasSignature(r, int64(p), "PK\x06\x06") {
		return int64(p), true
	}
	if q := loc - zip64EndRecordLen; q >= 0 && hasSignature(r, q, "PK\x06\x06") {
		return q, true
	}
	return 0, false
}

// headerView is what one header (central or local) says about an entry.
type headerView struct {
	name   string
	flags  uint16
	method uint16
	extra  []byte
}

// centralRecord is one central directory record and where its local
// header is (absolute, the archive's base added).
type centralRecord struct {
	headerView
	local int64
}

// centralRecords reads at most max records of the directory at d
// (APPNOTE 4.3.12), stopping at the first record that does not parse.
func centralRecords(r io.ReaderAt, size int64, d dirLocation, max int) []centralRecord {
	var out []centralRecord
	off := d.cdStart
	var h [centralHeaderLen]byte
	for uint64(len(out)) < d.records && len(out) < max {
		if _, err := r.ReadAt(h[:], off); err != nil || string(h[:4]) != "PK\x01\x02" {
			break
		}
		nameLen := int64(binary.LittleEndian.Uint16(h[28:]))
		extraLen := int64(binary.LittleEndian.Uint16(h[30:]))
		commentLen := int64(binary.LittleEndian.Uint16(h[32:]))
		if off+centralHeaderLen+nameLen+extraLen > size {
			break
		}
		ne := make([]byte, nameLen+extraLen)
		if _, err := r.ReadAt(ne, off+centralHeaderLen); err != nil {
			break
		}
		rec := centralRecord{headerView: headerView{
			name:   string(ne[:nameLen]),
			flags:  binary.LittleEndian.Uint16(h[8:]),
			method: binary.LittleEndian.Uint16(h[10:]),
			extra:  ne[nameLen:],
		}}
		local := uint64(binary.LittleEndian.Uint32(h[42:]))
		if local == 0xFFFFFFFF {
			local = zip64LocalOffset(rec.extra, h[:])
		}
		rec.local = d.base + int64(min(local, uint64(size)))
		out = append(out, rec)
		off += centralHeaderLen + nameLen + extraLen + commentLen
	}
	return out
}

// zip64LocalOffset reads the local header offset from a central record's
// Zip64 extra field (APPNOTE 4.5.3): its values appear only for the
// header fields that are saturated, in a fixed order.
func zip64LocalOffset(extra, h []byte) uint64 {
	z, ok := extraField(extra, 0x0001)
	if !ok {
		return 0xFFFFFFFF
	}
	i := 0
	if binary.LittleEndian.Uint32(h[24:]) == 0xFFFFFFFF { // uncompressed size
		i += 8
	}
	if binary.LittleEndian.Uint32(h[20:]) == 0xFFFFFFFF { // compressed size
		i += 8
	}
	if len(z) < i+8 {
		return 0xFFFFFFFF
	}
	return binary.LittleEndian.Uint64(z[i:])
}

// localView reads the local file header at off (APPNOTE 4.3.7).
func localView(r io.ReaderAt, size, off int64) (headerView, bool) {
	var h [localHeaderLen]byte
	if off < 0 || size-off < localHeaderLen {
		return headerView{}, false
	}
	if _, err := r.ReadAt(h[:], off); err != nil || string(h[:4]) != sigLocal {
		return headerView{}, false
	}
	nameLen := int64(binary.LittleEndian.Uint16(h[26:]))
	extraLen := int64(binary.LittleEndian.Uint16(h[28:]))
	if off+localHeaderLen+nameLen+extraLen > size {
		return headerView{}, false
	}
	ne := make([]byte, nameLen+extraLen)
	if _, err := r.ReadAt(ne, off+localHeaderLen); err != nil {
		return headerView{}, false
	}
	return headerView{
		name:   string(ne[:nameLen]),
		flags:  binary.LittleEndian.Uint16(h[6:]),
		method: binary.LittleEndian.Uint16(h[8:]),
		extra:  ne[nameLen:],
	}, true
}
