package archive

import (
	stdzip "archive/zip"
	"bytes"
	"encoding/binary"
	"errors"
	"io"
	"strings"

	"mxaudit/model"
)

const (
	localHeaderLen = 30
	// sfxSearchLen is how far into the file a first local header is looked
	// for, past a self-extractor stub or junk.
	sfxSearchLen = 64 << 10
)

var localHeaderSig = []byte("PK\x03\x04")

// salvage fills a for an archive whose central directory cannot be read
// (truncated mail, damaged file, encrypted central directory). It walks the
// local file headers from the start, which still tells an operator the
// names and, above all, whether the entries are encrypted. The walk stops
// at the first entry whose length cannot be known.
func salvage(a *model.Archive, r io.ReaderAt, size int64, maxEntries int, cause error) {
	off := findLocalHeader(r, size)
	masked := false
	for off >= 0 && len(a.Entries) < maxEntries {
		e, next, hidden, ok := readLocalEntry(r, size, off)
		if !ok {
			break
		}
		a.Entries = append(a.Entries, e)
		addEntryEncryption(a, &a.Entries[len(a.Entries)-1])
		if hidden {
			masked = true
			break
		}
		off = next
	}
	a.TotalEntries = len(a.Entries)
	if masked {
		// Not broken: PKWARE Strong Encryption with the central directory
		// encrypted lists nothing without the password, by design.
		a.Error = "the central directory is encrypted (PKWARE strong encryption): entries cannot be listed without the password"
		return
	}
	a.Error = describeOpenError(cause)
	a.Risks = model.AddRisk(a.Risks, model.RiskBrokenArchive)
}

// describeOpenError turns archive/zip's error into a sentence an operator
// can act on.
func describeOpenError(err error) string {
	switch {
	case errors.Is(err, errNoDirectory):
		return "not a readable ZIP: no end of central directory record (truncated or damaged file); entries were read from the local headers"
	case errors.Is(err, stdzip.ErrFormat):
		return "not a readable ZIP: the central directory is missing or corrupt (truncated or damaged file)"
	case errors.Is(err, io.ErrUnexpectedEOF), errors.Is(err, io.EOF):
		return "truncated ZIP: the file ends inside the central directory"
	}
	return "cannot read ZIP: " + err.Error()
}

// findLocalHeader returns the offset of the first local file header in the
// first sfxSearchLen bytes, or -1.
func findLocalHeader(r io.ReaderAt, size int64) int64 {
	if size <= 0 {
		return -1
	}
	buf := make([]byte, min(size, sfxSearchLen))
	n, _ := r.ReadAt(buf, 0)
	if i := bytes.Index(buf[:n], localHeaderSig); i >= 0 {
		return int64(i)
	}
	return -1
}

// readLocalEntry reads the local header at off. It returns the entry, the
// offset of the next local header (-1 when unknown), whether the header's
// values are masked because the central directory is encrypted, and false
// when no complete header is there.
func readLocalEntry(r io.ReaderAt, size, off int64) (e model.Entry, next int64, masked, ok bool) {
	var h [localHeaderLen]byte
	if off < 0 || size-off < localHeaderLen {
		return e, -1, false, false
	}
	if _, err := r.ReadAt(h[:], off); err != nil || !bytes.Equal(h[:4], localHeaderSig) {
		return e, -1, false, false
	}
	flags := binary.LittleEndian.Uint16(h[6:])
	method := binary.LittleEndian.Uint16(h[8:])
	csize := uint64(binary.LittleEndian.Uint32(h[18:]))
	usize := uint64(binary.LittleEndian.Uint32(h[22:]))
	nameLen := int64(binary.LittleEndian.Uint16(h[26:]))
	extraLen := int64(binary.LittleEndian.Uint16(h[28:]))
	if size-off-localHeaderLen < nameLen+extraLen {
		return e, -1, false, false
	}
	ne := make([]byte, nameLen+extraLen)
	if _, err := r.ReadAt(ne, off+localHeaderLen); err != nil {
		return e, -1, false, false
	}
	raw, extra := string(ne[:nameLen]), ne[nameLen:]
	if z, ok := extraField(extra, 0x0001); ok && len(z) >= 16 && (csize == 0xFFFFFFFF || usize == 0xFFFFFFFF) {
		// A local Zip64 field always holds both sizes, uncompressed first.
		usize = binary.LittleEndian.Uint64(z)
		csize = binary.LittleEndian.Uint64(z[8:])
	}
	e.Name = decodeName(raw, flags, extra)
	e.Size = clampInt64(usize)
	e.CompressedSize = clampInt64(csize)
	e.Encrypted, e.Encryption = entryEncryption(flags, method, extra)
	e.Dir = strings.HasSuffix(raw, "/")
	if !e.Dir {
		e.Risks = entryNameRisks(e.Name)
	}
	masked = flags&flagMaskedHeaders != 0 && flags&flagEncrypted != 0
	dataEnd := off + localHeaderLen + nameLen + extraLen
	if csize > uint64(size-dataEnd) {
		return e, -1, masked, true
	}
	dataEnd += int64(csize)
	if flags&flagDataDescriptor == 0 {
		return e, dataEnd, masked, true
	}
	if csize == 0 {
		// Streamed entry: the sizes are only in the data descriptor after
		// the data. Find the next local header and read the descriptor
		// just before it.
		next = nextLocalHeader(r, size, dataEnd)
		if next < 0 {
			return e, -1, masked, true
		}
		var d [16]byte
		if next-dataEnd >= 16 {
			if _, err := r.ReadAt(d[:], next-16); err == nil && string(d[:4]) == "PK\x07\x08" {
				e.CompressedSize = int64(binary.LittleEndian.Uint32(d[8:]))
				e.Size = int64(binary.LittleEndian.Uint32(d[12:]))
			}
		}
		return e, next, masked, true
	}
	// A data descriptor follows: 12 bytes, 16 with its signature, 24 with
	// Zip64 sizes. Accept whichever is followed by the next local header.
	for _, skip := range []int64{16, 24, 12} {
		var sig [4]byte
		if _, err := r.ReadAt(sig[:], dataEnd+skip); err == nil && bytes.Equal(sig[:], localHeaderSig) {
			return e, dataEnd + skip, masked, true
		}
	}
	return e, -1, masked, true
}

// nextLocalHeader returns the offset of the first local header signature
// at or after from, or -1. It reads in blocks, so a whole salvage walk
// reads the file about once.
func nextLocalHeader(r io.ReaderAt, size, from int64) int64 {
	const block = 64 << 10
	buf := make([]byte, block+len(localHeaderSig)-1)
	for off := from; off < size; off += block {
		n, _ := r.ReadAt(buf[:min(int64(len(buf)), size-off)], off)
		if i := bytes.Index(buf[:n], localHeaderSig); i >= 0 {
			return off + int64(i)
		}
	}
	return -1
}
