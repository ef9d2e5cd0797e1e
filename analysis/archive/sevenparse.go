package archive

import (
	"bytes"
	"fmt"
	"unicode/utf16"

	"mxaudit/model"
)

// sevenParser reads the property structures of a 7z header
// (7zFormat.txt). The first error sticks; every count is checked against
// the bytes left, so a forged count cannot make it allocate or loop.
type sevenParser struct {
	b   []byte
	err error
}

func (p *sevenParser) fail(format string, args ...any) {
	if p.err == nil {
		p.err = fmt.Errorf("%w: "+format, append([]any{errSevenZip}, args...)...)
	}
	p.b = nil
}

func (p *sevenParser) byte() byte {
	if len(p.b) == 0 {
		p.fail("unexpected end")
		return 0
	}
	c := p.b[0]
	p.b = p.b[1:]
	return c
}

func (p *sevenParser) bytes(n uint64) []byte {
	if n > uint64(len(p.b)) {
		p.fail("field of %d bytes past the end", n)
		return nil
	}
	out := p.b[:n]
	p.b = p.b[n:]
	return out
}

// number reads a 7z NUMBER: the leading one bits of the first byte say
// how many little-endian bytes follow (7zFormat.txt, "REAL_UINT64").
func (p *sevenParser) number() uint64 {
	first := p.byte()
	var v uint64
	mask := byte(0x80)
	for i := 0; i < 8; i++ {
		if first&mask == 0 {
			return v | uint64(first&(mask-1))<<(8*i)
		}
		v |= uint64(p.byte()) << (8 * i)
		mask >>= 1
	}
	return v
}

// count reads a NUMBER used as an item count; each item takes at least
// one byte, so a count above the bytes left is a forgery.
func (p *sevenParser) count() int {
	n := p.number()
	if n > uint64(len(p.b))+1 {
		p.fail("count %d exceeds the header", n)
		return 0
	}
	return int(n)
}

// bits reads a bit vector of n items, or all-true after an AllAreDefined
// byte when allFlag is set (7zFormat.txt, "BitField").
func (p *sevenParser) bits(n int, allFlag bool) []bool {
	if n > 8*len(p.b)+8 {
		// More items than the header could describe: a forged count
		// (the items are counted elsewhere at one byte or more each).
		p.fail("bit field of %d items exceeds the header", n)
		return nil
	}
	out := make([]bool, n)
	if allFlag && p.byte() != 0 {
		for i := range out {
			out[i] = true
		}
		return out
	}
	raw := p.bytes(uint64((n + 7) / 8))
	for i := range out {
		if raw != nil {
			out[i] = raw[i/8]&(0x80>>(i%8)) != 0
		}
	}
	return out
}

// digests skips a Digests structure of n items.
func (p *sevenParser) digests(n int) {
	defined := p.bits(n, true)
	for _, d := range defined {
		if d {
			p.bytes(4)
		}
	}
}

type coder struct {
	id, props []byte
}

type folder struct {
	coders     []coder
	outStreams int
	unpackSize uint64 // the last out stream's size: the folder's output
}

func (f folder) encrypted() bool {
	for _, c := range f.coders {
		if bytes.Equal(c.id, coderAES) {
			return true
		}
	}
	return false
}

type streamsInfo struct {
	packPos   uint64
	packSizes []uint64
	folders   []folder
	numUnpack []int // files per folder (SubStreamsInfo), 1 when absent
}

func (s streamsInfo) anyEncrypted() bool {
	for _, f := range s.folders {
		if f.encrypted() {
			return true
		}
	}
	return false
}

// streamsInfo reads PackInfo, UnpackInfo and SubStreamsInfo up to kEnd.
func (p *sevenParser) streamsInfo() streamsInfo {
	var s streamsInfo
	for p.err == nil {
		switch id := p.byte(); id {
		case k7zEnd:
			return s
		case k7zPackInfo:
			s.packPos = p.number()
			s.packSizes = make([]uint64, p.count())
			p.packInfoBody(s.packSizes)
		case k7zUnpackInfo:
			s.folders = p.unpackInfo()
		case k7zSubStreamsInfo:
			s.numUnpack = p.subStreams(len(s.folders))
		default:
			p.fail("property %#x in streams info", id)
		}
	}
	return s
}

func (p *sevenParser) packInfoBody(sizes []uint64) {
	for p.err == nil {
		switch id := p.byte(); id {
		case k7zEnd:
			return
		case k7zSize:
			for i := range sizes {
				sizes[i] = p.number()
			}
		case k7zCRC:
			p.digests(len(sizes))
		default:
			p.fail("property %#x in pack info", id)
		}
	}
}

func (p *sevenParser) unpackInfo() []folder {
	if p.byte() != k7zFolder {
		p.fail("no folder list")
		return nil
	}
	folders := make([]folder, p.count())
	if p.byte() != 0 {
		p.fail("external folders are not supported")
		return nil
	}
	for i := range folders {
		folders[i] = p.folder()
	}
	if p.byte() != k7zCodersUnpackSize {
		p.fail("no unpack sizes")
		return nil
	}
	for i := range folders {
		for j := 0; j < folders[i].outStreams && p.err == nil; j++ {
			folders[i].unpackSize = p.number()
		}
	}
	for p.err == nil {
		switch id := p.byte(); id {
		case k7zEnd:
			return folders
		case k7zCRC:
			p.digests(len(folders))
		default:
			p.fail("property %#x in unpack info", id)
		}
	}
	return folders
}

// folder reads one Folder: its coders, bind pairs and packed stream
// indices (7zFormat.txt, "Folder").
func (p *sevenParser) folder() folder {
	var f folder
	n := p.count()
	inTotal := 0
	for i := 0; i < n && p.err == nil; i++ {
		flags := p.byte()
		c := coder{id: p.bytes(uint64(flags & 0x0F))}
		in, out := 1, 1
		if flags&0x10 != 0 {
			in, out = p.count(), p.count()
		}
		if flags&0x20 != 0 {
			c.props = p.bytes(p.number())
		}
		if flags&0x80 != 0 {
			p.fail("alternative coder methods are not supported")
		}
		inTotal += in
		f.outStreams += out
		f.coders = append(f.coders, c)
	}
	bindPairs := f.outStreams - 1
	for i := 0; i < bindPairs && p.err == nil; i++ {
		p.number()
		p.number()
	}
	if packed := inTotal - bindPairs; packed > 1 {
		for i := 0; i < packed && p.err == nil; i++ {
			p.number()
		}
	}
	return f
}

// subStreams reads SubStreamsInfo and returns the files per folder.
func (p *sevenParser) subStreams(folders int) []int {
	num := make([]int, folders)
	for i := range num {
		num[i] = 1
	}
	for p.err == nil {
		switch id := p.byte(); id {
		case k7zEnd:
			return num
		case k7zNumUnpackStream:
			for i := range num {
				num[i] = p.count()
			}
		case k7zSize:
			for _, n := range num {
				for j := 1; j < n && p.err == nil; j++ {
					p.number()
				}
			}
		case k7zCRC:
			// Digests for the streams whose CRC is not known yet; the
			// count is not needed to skip them when they end the section.
			total := 0
			for _, n := range num {
				total += n
			}
			p.digests(total)
		default:
			p.fail("property %#x in substreams info", id)
		}
	}
	return num
}

// sevenFiles is what the header says about the files.
type sevenFiles struct {
	entries      []model.Entry
	total        int
	anyEncrypted bool
}

// header reads a plain Header (7zFormat.txt, "Header") and returns up to
// maxEntries files, each marked encrypted when its folder has an AES coder.
func (p *sevenParser) header(maxEntries int) sevenFiles {
	var main streamsInfo
	var out sevenFiles
	for p.err == nil {
		switch id := p.byte(); id {
		case k7zEnd:
			return out
		case k7zArchiveProps:
			for p.err == nil && p.byte() != 0 {
				p.bytes(p.number())
			}
		case k7zAdditionalStream:
			p.streamsInfo()
		case k7zMainStreamsInfo:
			main = p.streamsInfo()
			out.anyEncrypted = main.anyEncrypted()
		case k7zFilesInfo:
			out.entries, out.total = p.filesInfo(main, maxEntries)
		default:
			p.fail("property %#x in header", id)
		}
	}
	return out
}

// filesInfo reads FilesInfo: names, which files have no stream (empty
// files and directories), and maps the others to folders in order.
func (p *sevenParser) filesInfo(main streamsInfo, maxEntries int) ([]model.Entry, int) {
	n := p.count()
	var names []string
	var empty []bool
	for p.err == nil {
		id := p.byte()
		if id == k7zEnd {
			break
		}
		data := &sevenParser{b: p.bytes(p.number())}
		switch id {
		case k7zName:
			if data.byte() == 0 {
				names = utf16Names(data.b, min(n, maxEntries))
			}
		case k7zEmptyStream:
			empty = data.bits(n, false)
		case k7zDummy:
		}
	}
	shown := min(n, maxEntries)
	entries := make([]model.Entry, shown)
	folder, inFolder := 0, 0
	for i := range entries {
		e := &entries[i]
		if i < len(names) {
			e.Name = names[i]
		}
		if i < len(empty) && empty[i] {
			continue // an empty file or a directory: no data to encrypt
		}
		for folder < len(main.folders) && inFolder >= folderFiles(main, folder) {
			folder, inFolder = folder+1, 0
		}
		if folder < len(main.folders) {
			if main.folders[folder].encrypted() {
				e.Encrypted, e.Encryption = true, model.EncryptionAES256
			}
			inFolder++
		}
	}
	return entries, n
}

func folderFiles(s streamsInfo, i int) int {
	if i < len(s.numUnpack) {
		return s.numUnpack[i]
	}
	return 1
}

// utf16Names splits null-terminated UTF-16LE names.
func utf16Names(b []byte, max int) []string {
	var names []string
	var cur []uint16
	for i := 0; i+1 < len(b) && len(names) < max; i += 2 {
		u := uint16(b[i]) | uint16(b[i+1])<<8
		if u == 0 {
			names = append(names, string(utf16.Decode(cur)))
			cur = cur[:0]
			continue
		}
		cur = append(cur, u)
	}
	return names
}
