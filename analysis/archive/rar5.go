package archive

import (
	"errors"
	"io"

	"mxaudit/model"
)

// rar5MaxHeader bounds one RAR 5 header (the format allows 2 MB).
const rar5MaxHeader = 2 << 20

// walkRAR5 follows the RAR 5 header chain from after the 8-byte
// signature ("RAR 5.0 archive format", "General archive structure"). Each
// header is CRC32, then the header size (vint) counting from the type
// field, type, flags, [extra area size], [data size], type-specific
// fields, the extra area; its data follows.
func walkRAR5(a *model.Archive, r io.ReaderAt, size int64, maxEntries int) error {
	off := int64(8)
	for steps := 0; off < size && steps < 4*maxEntries+16; steps++ {
		var pre [4 + 3]byte // CRC32 and up to three bytes of header size
		n, _ := r.ReadAt(pre[:], off)
		if n < 5 {
			return errors.New("truncated header")
		}
		hsize, used := vint(pre[4:n])
		if used == 0 || hsize == 0 || hsize > rar5MaxHeader || off+4+int64(used)+int64(hsize) > size {
			return errors.New("header past the end of the file")
		}
		h := make([]byte, hsize)
		if _, err := r.ReadAt(h, off+4+int64(used)); err != nil {
			return err
		}
		p := &vintReader{b: h}
		typ, flags := p.next(), p.next()
		var extraSize, dataSize uint64
		if flags&rar5HasExtra != 0 {
			extraSize = p.next()
		}
		if flags&rar5HasData != 0 {
			dataSize = p.next()
		}
		if p.bad || extraSize > hsize || dataSize > uint64(size) {
			return errors.New("malformed header")
		}
		switch typ {
		case rar5Encryption:
			headersEncrypted(a, model.EncryptionAES256)
			return nil
		case rar5File:
			e, ok := rar5Entry(p, h[hsize-extraSize:])
			if !ok {
				return errors.New("malformed file header")
			}
			e.CompressedSize = int64(dataSize)
			addRAREntry(a, e, maxEntries)
		case rar5End:
			return nil
		}
		off += 4 + int64(used) + int64(hsize) + int64(dataSize)
	}
	if off > size {
		return errors.New("file data past the end of the file (truncated archive?)")
	}
	return nil
}

// rar5Entry reads a file header's own fields ("File header and service
// header") and looks for a file encryption record in its extra area.
func rar5Entry(p *vintReader, extra []byte) (model.Entry, bool) {
	var e model.Entry
	fileFlags := p.next()
	e.Size = int64(min(p.next(), 1<<62))
	p.next() // attributes
	if fileFlags&rar5FileHasMtime != 0 {
		p.skip(4)
	}
	if fileFlags&rar5FileHasCRC != 0 {
		p.skip(4)
	}
	p.next() // compression information
	p.next() // host OS
	nameLen := p.next()
	name := p.take(nameLen)
	if p.bad {
		return e, false
	}
	e.Name = decodeName(string(name), flagUTF8, nil) // RAR 5 names are UTF-8
	e.Dir = fileFlags&rar5FileIsDir != 0
	x := &vintReader{b: extra}
	for len(x.b) > 0 && !x.bad {
		recSize := x.next()
		rec := &vintReader{b: x.take(recSize)}
		if x.bad {
			break
		}
		if rec.next() == rar5ExtraCrypt {
			e.Encrypted, e.Encryption = true, model.EncryptionAES256
		}
	}
	return e, true
}

// vint decodes a RAR 5 variable-length integer: 7 bits per byte, least
// significant first, the high bit set on every byte but the last. It
// returns the bytes used, 0 when b ends first or the value overflows.
func vint(b []byte) (uint64, int) {
	var v uint64
	for i := 0; i < len(b) && i < 10; i++ {
		v |= uint64(b[i]&0x7F) << (7 * i)
		if b[i]&0x80 == 0 {
			return v, i + 1
		}
	}
	return 0, 0
}

// vintReader reads vints and fields from a header; bad sticks.
type vintReader struct {
	b   []byte
	bad bool
}

func (v *vintReader) next() uint64 {
	x, n := vint(v.b)
	if n == 0 {
		v.bad, v.b = true, nil
		return 0
	}
	v.b = v.b[n:]
	return x
}

func (v *vintReader) take(n uint64) []byte {
	if n > uint64(len(v.b)) {
		v.bad, v.b = true, nil
		return nil
	}
	out := v.b[:n]
	v.b = v.b[n:]
	return out
}

func (v *vintReader) skip(n uint64) { v.take(n) }
