package archive

import (
	"bytes"
	"encoding/binary"
	"errors"
	"fmt"
	"hash/crc32"
	"io"

	"github.com/ulikunitz/xz/lzma"

	"mxaudit/model"
)

// A 7z archive (7zFormat.txt in the 7-Zip source, "7z Format description
// (18.06)") starts with a 32-byte signature header that points to the
// header at its end. The header lists the folders (coder chains: AES-256
// is coder 06F10701) and the file names. It is usually itself compressed
// with LZMA ("kEncodedHeader"), and with -mhe=on encrypted with AES: then
// not even the names can be read. Only the header is decoded here (LZMA
// with github.com/ulikunitz/xz, a pure-Go decoder); file contents never are.

// 7z property IDs (7zFormat.txt, "Property IDs").
const (
	k7zEnd              = 0x00
	k7zHeader           = 0x01
	k7zArchiveProps     = 0x02
	k7zAdditionalStream = 0x03
	k7zMainStreamsInfo  = 0x04
	k7zFilesInfo        = 0x05
	k7zPackInfo         = 0x06
	k7zUnpackInfo       = 0x07
	k7zSubStreamsInfo   = 0x08
	k7zSize             = 0x09
	k7zCRC              = 0x0A
	k7zFolder           = 0x0B
	k7zCodersUnpackSize = 0x0C
	k7zNumUnpackStream  = 0x0D
	k7zEmptyStream      = 0x0E
	k7zName             = 0x11
	k7zEncodedHeader    = 0x17
	k7zDummy            = 0x19
)

// 7z coder IDs (Methods.txt in the 7-Zip source).
var (
	coderAES  = []byte{0x06, 0xF1, 0x07, 0x01}
	coderLZMA = []byte{0x03, 0x01, 0x01}
	coderCopy = []byte{0x00}
)

const (
	// sevenZHead is the length of the signature header.
	sevenZHead = 32
	// max7zHeader bounds the decoded header: names of MaxEntries files fit.
	max7zHeader = int64(16 << 20)
	// max7zHeaderRatio bounds a decoded header against its packed size,
	// above a floor that small real headers never reach: a 2 KB LZMA
	// stream must not unpack to 16 MiB (review finding 10).
	max7zHeaderRatio = 1024
	min7zHeaderCap   = int64(1 << 20)
)

var errSevenZip = errors.New("7z header")

// sevenZipSpan places the 7z archive at off: its header ends the archive.
func sevenZipSpan(r io.ReaderAt, size, off int64) Span {
	s := Span{Format: "7z", Start: off, End: size, open: true}
	var h [sevenZHead]byte
	if _, err := r.ReadAt(h[:], off); err != nil {
		return s
	}
	if crc32.ChecksumIEEE(h[12:32]) != binary.LittleEndian.Uint32(h[8:]) {
		return s
	}
	next := binary.LittleEndian.Uint64(h[12:])
	n := binary.LittleEndian.Uint64(h[20:])
	if end := uint64(off) + sevenZHead + next + n; next < uint64(size) && n < uint64(size) && end <= uint64(size) {
		s.End, s.open = int64(end), false
	}
	return s
}

// inspect7z lists the 7z archive r: names and, per file, whether its
// folder is encrypted; or, for an encrypted header, that the archive is
// encrypted with the encrypted-headers risk. A header that does not parse
// makes the archive broken.
//
// An encoded header is decoded once (7zFormat.txt, "HeaderInfo": kEncodedHeader
// holds the streams of the real header; 7-Zip never nests them), its
// unpacked size charged to budget, the inspector's decompression budget.
func inspect7z(r io.ReaderAt, size int64, maxEntries int, budget *int64) *model.Archive {
	a := &model.Archive{Format: "7z"}
	var h [sevenZHead]byte
	if _, err := r.ReadAt(h[:], 0); err != nil {
		return broken7z(a, "truncated signature header")
	}
	next := binary.LittleEndian.Uint64(h[12:])
	n := binary.LittleEndian.Uint64(h[20:])
	if n == 0 {
		return a // an empty archive
	}
	if next > uint64(size) || n > uint64(min(size, max7zHeader)) || sevenZHead+next+n > uint64(size) {
		return broken7z(a, "the header lies past the end of the file (truncated archive?)")
	}
	hdr := make([]byte, n)
	if _, err := r.ReadAt(hdr, sevenZHead+int64(next)); err != nil {
		return broken7z(a, err.Error())
	}
	if len(hdr) > 0 && hdr[0] == k7zEncodedHeader {
		p := &sevenParser{b: hdr[1:]}
		si := p.streamsInfo()
		if p.err != nil {
			return broken7z(a, p.err.Error())
		}
		if si.anyEncrypted() {
			a.Encrypted, a.Encryption = true, model.EncryptionAES256
			a.Risks = model.AddRisk(a.Risks, model.RiskEncryptedHeaders)
			a.Error = "the 7z header is encrypted (7z -mhe): file names cannot be listed without the password"
			return a
		}
		if len(si.folders) == 1 && si.folders[0].unpackSize > uint64(max(*budget, 0)) {
			a.Truncated = true
			a.Risks = model.AddRisk(a.Risks, model.RiskNotInspected)
			a.Error = "the 7z header was not decoded: the decompression budget is spent"
			return a
		}
		var err error
		if hdr, err = decodeHeader(r, size, si); err != nil {
			return broken7z(a, err.Error())
		}
		*budget -= int64(len(hdr))
	}
	if len(hdr) == 0 || hdr[0] != k7zHeader {
		return broken7z(a, "no header")
	}
	p := &sevenParser{b: hdr[1:]}
	files := p.header(maxEntries)
	if p.err != nil {
		return broken7z(a, p.err.Error())
	}
	a.Entries = files.entries
	a.TotalEntries = max(files.total, len(a.Entries))
	a.Truncated = files.total > len(a.Entries)
	for i := range a.Entries {
		e := &a.Entries[i]
		if !e.Dir {
			e.Risks = entryNameRisks(e.Name)
		}
		addEntryEncryption(a, e)
	}
	if files.anyEncrypted && !a.Encrypted {
		// Encrypted folders that no listed file maps to: still ciphertext.
		a.Encrypted, a.Encryption = true, model.EncryptionAES256
	}
	return a
}

func broken7z(a *model.Archive, why string) *model.Archive {
	a.Error = "not a readable 7z archive: " + why
	a.Risks = model.AddRisk(a.Risks, model.RiskBrokenArchive)
	return a
}

// decodeHeader unpacks an LZMA-encoded header (the one folder of the
// kEncodedHeader streams info). Copy is accepted too; other coders are
// reported as unsupported.
func decodeHeader(r io.ReaderAt, size int64, si streamsInfo) ([]byte, error) {
	if len(si.folders) != 1 || len(si.packSizes) < 1 || len(si.folders[0].coders) != 1 {
		return nil, fmt.Errorf("%w: unsupported encoded header layout", errSevenZip)
	}
	f := si.folders[0]
	c := f.coders[0]
	packed, unpacked := si.packSizes[0], f.unpackSize
	start := uint64(sevenZHead) + si.packPos
	if unpacked > uint64(max7zHeader) || packed > uint64(size) || start+packed > uint64(size) {
		return nil, fmt.Errorf("%w: encoded header too large or past the end", errSevenZip)
	}
	if unpacked > uint64(max(min7zHeaderCap, int64(packed)*max7zHeaderRatio)) {
		return nil, fmt.Errorf("%w: encoded header of %d bytes unpacks to %d (a decompression bomb)", errSevenZip, packed, unpacked)
	}
	src := io.NewSectionReader(r, int64(start), int64(packed))
	switch {
	case bytes.Equal(c.id, coderCopy):
		out := make([]byte, unpacked)
		_, err := io.ReadFull(src, out)
		return out, err
	case bytes.Equal(c.id, coderLZMA) && len(c.props) == 5:
		// The classic .lzma header is the coder's 5 property bytes and the
		// unpacked size. A dictionary larger than the output is never
		// used, so it is capped to the output: a forged 4 GiB dictionary
		// costs nothing.
		dict := max(min(uint64(binary.LittleEndian.Uint32(c.props[1:])), unpacked), 4096)
		var head [13]byte
		head[0] = c.props[0]
		binary.LittleEndian.PutUint32(head[1:], uint32(dict))
		binary.LittleEndian.PutUint64(head[5:], unpacked)
		lr, err := lzma.ReaderConfig{DictCap: int(dict)}.NewReader(io.MultiReader(bytes.NewReader(head[:]), src))
		if err != nil {
			return nil, fmt.Errorf("%w: %v", errSevenZip, err)
		}
		out := make([]byte, unpacked)
		if _, err := io.ReadFull(lr, out); err != nil {
			return nil, fmt.Errorf("%w: LZMA: %v", errSevenZip, err)
		}
		return out, nil
	}
	return nil, fmt.Errorf("%w: header coder %x not supported", errSevenZip, c.id)
}
