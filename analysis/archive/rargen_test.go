package archive

import (
	"encoding/binary"
	"hash/crc32"
)

// No RAR writer exists here (rar is not free software), so the tests build
// RAR bytes by hand, following the published formats: "RAR version 4.x -
// File format description" (technote.txt in unrar) and "RAR 5.0 archive
// format" (rarlab.com). Files are stored (method 0x30 / version 0) and, when
// "encrypted", carry the encryption flag or record followed by random-looking
// bytes: the headers are what readers act on. 7-Zip lists the result (see
// the differential tests).

// rarFile is one file for the generators.
type rarFile struct {
	name      string
	data      []byte
	encrypted bool
}

// rar4 builds a RAR 4 archive. headersEncrypted sets MHD_PASSWORD in the
// main header (rar -hp); the file headers then follow encrypted, which is
// imitated with opaque bytes.
func rar4(files []rarFile, headersEncrypted bool) []byte {
	out := []byte("Rar!\x1A\x07\x00")
	block := func(typ byte, flags uint16, body []byte) {
		h := []byte{typ}
		h = binary.LittleEndian.AppendUint16(h, flags)
		h = binary.LittleEndian.AppendUint16(h, uint16(7+len(body)))
		h = append(h, body...)
		out = binary.LittleEndian.AppendUint16(out, uint16(crc32.ChecksumIEEE(h)))
		out = append(out, h...)
	}
	mainFlags := uint16(0)
	if headersEncrypted {
		mainFlags |= rar4MainPassword
	}
	block(rar4Main, mainFlags, make([]byte, 6)) // HighPosAV, PosAV
	if headersEncrypted {
		return append(out, opaque(64)...)
	}
	for _, f := range files {
		data := f.data
		flags := uint16(rar4LongBlock)
		if f.encrypted {
			flags |= rar4FilePassword
			data = opaque((len(f.data) + 15) / 16 * 16)
		}
		var b []byte
		b = binary.LittleEndian.AppendUint32(b, uint32(len(data)))   // PACK_SIZE
		b = binary.LittleEndian.AppendUint32(b, uint32(len(f.data))) // UNP_SIZE
		b = append(b, 2)                                             // HOST_OS: Windows
		b = binary.LittleEndian.AppendUint32(b, crc32.ChecksumIEEE(f.data))
		b = binary.LittleEndian.AppendUint32(b, 0x5A210000) // FTIME (DOS)
		b = append(b, 29, 0x30)                             // UNP_VER 2.9, METHOD store
		b = binary.LittleEndian.AppendUint16(b, uint16(len(f.name)))
		b = binary.LittleEndian.AppendUint32(b, 0x20) // ATTR: archive
		b = append(b, f.name...)
		block(rar4File, flags, b)
		out = append(out, data...)
	}
	block(rar4End, 0x4000, nil)
	return out
}

// rar5 builds a RAR 5 archive. headersEncrypted writes the archive
// encryption header (type 4) first, as rar -hp does; what follows it is
// then opaque.
func rar5(files []rarFile, headersEncrypted bool) []byte {
	out := []byte("Rar!\x1A\x07\x01\x00")
	header := func(fields []byte) {
		h := appendVint(nil, uint64(len(fields)))
		h = append(h, fields...)
		out = binary.LittleEndian.AppendUint32(out, crc32.ChecksumIEEE(h))
		out = append(out, h...)
	}
	if headersEncrypted {
		f := appendVint(nil, rar5Encryption)
		f = appendVint(f, 0)         // header flags
		f = appendVint(f, 0)         // encryption version: AES-256
		f = appendVint(f, 0)         // encryption flags
		f = append(f, 15)            // KDF count
		f = append(f, opaque(16)...) // salt
		header(f)
		return append(out, opaque(64)...)
	}
	main := appendVint(nil, rar5Main)
	main = appendVint(main, 0) // header flags
	main = appendVint(main, 0) // archive flags
	header(main)
	for _, file := range files {
		data := file.data
		var extra []byte
		if file.encrypted {
			data = opaque((len(file.data) + 15) / 16 * 16)
			rec := appendVint(nil, rar5ExtraCrypt)
			rec = appendVint(rec, 0)         // version: AES-256
			rec = appendVint(rec, 0)         // flags
			rec = append(rec, 15)            // KDF count
			rec = append(rec, opaque(32)...) // salt, IV
			extra = appendVint(nil, uint64(len(rec)))
			extra = append(extra, rec...)
		}
		flags := uint64(rar5HasData)
		if extra != nil {
			flags |= rar5HasExtra
		}
		f := appendVint(nil, rar5File)
		f = appendVint(f, flags)
		if extra != nil {
			f = appendVint(f, uint64(len(extra)))
		}
		f = appendVint(f, uint64(len(data)))
		f = appendVint(f, rar5FileHasCRC) // file flags
		f = appendVint(f, uint64(len(file.data)))
		f = appendVint(f, 0x20) // attributes
		f = binary.LittleEndian.AppendUint32(f, crc32.ChecksumIEEE(file.data))
		f = appendVint(f, 0) // compression: version 0, store
		f = appendVint(f, 0) // host OS: Windows
		f = appendVint(f, uint64(len(file.name)))
		f = append(f, file.name...)
		f = append(f, extra...)
		header(f)
		out = append(out, data...)
	}
	end := appendVint(nil, rar5End)
	end = appendVint(end, 0) // header flags
	end = appendVint(end, 0) // end of archive flags
	header(end)
	return out
}

func appendVint(b []byte, v uint64) []byte {
	for v >= 0x80 {
		b = append(b, byte(v)|0x80)
		v >>= 7
	}
	return append(b, byte(v))
}

// opaque returns n bytes that look like ciphertext.
func opaque(n int) []byte {
	b := make([]byte, n)
	x := uint32(2463534242)
	for i := range b {
		x ^= x << 13
		x ^= x >> 17
		x ^= x << 5
		b[i] = byte(x)
	}
	return b
}
