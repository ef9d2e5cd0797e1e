package archive

import (
	"encoding/binary"
	"errors"
	"io"
	"strings"

	"mxaudit/model"
)

// RAR archives are a chain of headers, each followed by its data. Whether
// something is encrypted is in the headers, so walking them is enough:
//   - RAR 1.5-4.x (TechNote "RAR version 4.x - File format description"):
//     MAIN_HEAD (0x73) flag 0x0080 MHD_PASSWORD means every later header
//     is encrypted; FILE_HEAD (0x74) flag 0x0004 LHD_PASSWORD means the
//     file's data is;
//   - RAR 5 (rarlab.com "RAR 5.0 archive format"): an archive encryption
//     header (type 4) right after the signature means every later header
//     is encrypted; a file header (type 2) whose extra area holds a file
//     encryption record (type 0x01) means the file's data is.
// RAR encrypts with AES-128 (RAR 3-4) and AES-256 (RAR 5).

const (
	rar4Main    = 0x73
	rar4File    = 0x74
	rar4End     = 0x7B
	rar4Service = 0x7A

	rar4MainPassword = 0x0080
	rar4FilePassword = 0x0004
	rar4LongBlock    = 0x8000
	rar4Unicode      = 0x0200
	rar4LargeFile    = 0x0100
	rar4Directory    = 0x00E0

	rar5Main       = 1
	rar5File       = 2
	rar5Service    = 3
	rar5Encryption = 4
	rar5End        = 5

	rar5HasExtra     = 0x0001
	rar5HasData      = 0x0002
	rar5ExtraCrypt   = 0x01
	rar5FileIsDir    = 0x0001
	rar5FileHasMtime = 0x0002
	rar5FileHasCRC   = 0x0004
)

var errRAR = errors.New("RAR header")

// inspectRAR lists the RAR archive r (signature at offset 0).
func inspectRAR(r io.ReaderAt, size int64, maxEntries int) *model.Archive {
	a := &model.Archive{Format: "rar"}
	var sig [8]byte
	n, _ := r.ReadAt(sig[:], 0)
	var err error
	switch {
	case n >= 8 && sig[6] == 1 && sig[7] == 0:
		err = walkRAR5(a, r, size, maxEntries)
	case n >= 7 && sig[6] == 0:
		err = walkRAR4(a, r, size, maxEntries)
	default:
		err = errRAR
	}
	a.TotalEntries = max(a.TotalEntries, len(a.Entries))
	if err != nil {
		a.Error = "not a readable RAR archive: " + err.Error()
		a.Risks = model.AddRisk(a.Risks, model.RiskBrokenArchive)
	}
	return a
}

// headersEncrypted marks an archive whose headers are encrypted.
func headersEncrypted(a *model.Archive, enc model.Encryption) {
	a.Encrypted, a.Encryption = true, enc
	a.Risks = model.AddRisk(a.Risks, model.RiskEncryptedHeaders)
	a.Error = "the RAR headers are encrypted (rar -hp): file names cannot be listed without the password"
}

// addRAREntry appends a file entry, counting those past the limit.
func addRAREntry(a *model.Archive, e model.Entry, maxEntries int) {
	a.TotalEntries++
	if len(a.Entries) >= maxEntries {
		a.Truncated = true
		return
	}
	if !e.Dir {
		e.Risks = entryNameRisks(e.Name)
	}
	a.Entries = append(a.Entries, e)
	addEntryEncryption(a, &a.Entries[len(a.Entries)-1])
}

// walkRAR4 follows the RAR 4 block chain from after the 7-byte signature.
func walkRAR4(a *model.Archive, r io.ReaderAt, size int64, maxEntries int) error {
	off := int64(7)
	for steps := 0; off < size && steps < 4*maxEntries+16; steps++ {
		var h [7]byte
		if _, err := r.ReadAt(h[:], off); err != nil {
			return errors.New("truncated block header")
		}
		typ := h[2]
		flags := binary.LittleEndian.Uint16(h[3:])
		hsize := int64(binary.LittleEndian.Uint16(h[5:]))
		if hsize < 7 || off+hsize > size {
			return errors.New("block header past the end of the file")
		}
		body := make([]byte, hsize-7)
		if len(body) > 0 {
			if _, err := r.ReadAt(body, off+7); err != nil {
				return err
			}
		}
		var dataSize int64
		if flags&rar4LongBlock != 0 || typ == rar4File || typ == rar4Service {
			if len(body) < 4 {
				return errors.New("short block header")
			}
			dataSize = int64(binary.LittleEndian.Uint32(body))
		}
		switch typ {
		case rar4Main:
			if flags&rar4MainPassword != 0 {
				headersEncrypted(a, model.EncryptionAES128)
				return nil
			}
		case rar4File:
			e, high, ok := rar4Entry(flags, body)
			if !ok {
				return errors.New("short file header")
			}
			dataSize += high << 32
			addRAREntry(a, e, maxEntries)
		case rar4End:
			return nil
		}
		off += hsize + dataSize
	}
	if off > size {
		return errors.New("file data past the end of the file (truncated archive?)")
	}
	return nil
}

// rar4Entry reads a FILE_HEAD body (after the 7 common bytes): PACK_SIZE,
// UNP_SIZE, HOST_OS, FILE_CRC, FTIME, UNP_VER, METHOD, NAME_SIZE, ATTR,
// [HIGH_PACK_SIZE, HIGH_UNP_SIZE], FILE_NAME. It also returns the high
// 32 bits of the packed size.
func rar4Entry(flags uint16, b []byte) (model.Entry, int64, bool) {
	if len(b) < 25 {
		return model.Entry{}, 0, false
	}
	e := model.Entry{
		CompressedSize: int64(binary.LittleEndian.Uint32(b)),
		Size:           int64(binary.LittleEndian.Uint32(b[4:])),
	}
	nameLen := int(binary.LittleEndian.Uint16(b[19:]))
	p := 25
	var high int64
	if flags&rar4LargeFile != 0 {
		if len(b) < p+8 {
			return e, 0, false
		}
		high = int64(binary.LittleEndian.Uint32(b[p:]))
		e.CompressedSize += high << 32
		e.Size += int64(binary.LittleEndian.Uint32(b[p+4:])) << 32
		p += 8
	}
	if len(b) < p+nameLen {
		return e, 0, false
	}
	name := b[p : p+nameLen]
	if flags&rar4Unicode != 0 {
		// "ASCII\0packed Unicode": the ASCII form is enough to judge.
		if i := strings.IndexByte(string(name), 0); i >= 0 {
			name = name[:i]
		}
	}
	e.Name = decodeName(string(name), 0, nil)
	e.Dir = flags&rar4Directory == rar4Directory
	if flags&rar4FilePassword != 0 {
		e.Encrypted, e.Encryption = true, model.EncryptionAES128
	}
	return e, high, true
}
