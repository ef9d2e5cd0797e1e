package demo

import (
	"archive/zip"
	"bytes"
	"compress/flate"
	"fmt"
	"hash/crc32"
	"io"
	"sync"
	"time"

	yzip "github.com/yeka/zip"
	"golang.org/x/text/encoding/japanese"

	"mxaudit/model"
)

// zipEntry is one member of an archive the demo builds.
type zipEntry struct {
	// Name is the entry name as the analysis must decode it (UTF-8).
	Name string
	// CP932 stores the name Shift_JIS-encoded without the UTF-8 flag, the
	// way Windows Explorer and most Japanese archivers write it.
	CP932 bool
	Data  []byte
}

// zipSpec describes an archive: its entries and how they are encrypted.
type zipSpec struct {
	Entries  []zipEntry
	Password string
	Method   model.Encryption // EncryptionNone, ZipCrypto, AES128 or AES256
	Modified time.Time
}

// rawName returns the bytes stored as the entry name and the general
// purpose flags that go with them.
func (e zipEntry) rawName() (string, uint16, error) {
	if e.CP932 {
		b, err := japanese.ShiftJIS.NewEncoder().String(e.Name)
		if err != nil {
			return "", 0, fmt.Errorf("entry name %q has no CP932 form: %w", e.Name, err)
		}
		return b, 0, nil
	}
	for i := 0; i < len(e.Name); i++ {
		if e.Name[i] >= 0x80 {
			return e.Name, 0x800, nil // APPNOTE bit 11: the name is UTF-8
		}
	}
	return e.Name, 0, nil
}

// buildZip writes the archive spec describes. ZipCrypto archives go
// through yeka/zip's writer (whose ZipCrypto header is deterministic);
// AES and plain archives through archive/zip, AES with ae2Encrypt.
func buildZip(spec zipSpec) ([]byte, error) {
	if spec.Method == model.EncryptionZipCrypto {
		return buildZipCrypto(spec)
	}
	var buf bytes.Buffer
	zw := zip.NewWriter(&buf)
	for _, e := range spec.Entries {
		name, flags, err := e.rawName()
		if err != nil {
			return nil, err
		}
		compressed, err := deflateBytes(e.Data)
		if err != nil {
			return nil, err
		}
		fh := &zip.FileHeader{
			Name:               name,
			Flags:              flags,
			Method:             zip.Deflate,
			CRC32:              crc32.ChecksumIEEE(e.Data),
			UncompressedSize64: uint64(len(e.Data)),
			CreatorVersion:     20,
			ReaderVersion:      20,
		}
		setDOSTime(fh, spec.Modified)
		var strength aesStrength
		switch spec.Method {
		case model.EncryptionNone:
		case model.EncryptionAES128:
			strength = 1
		case model.EncryptionAES256:
			strength = 3
		default:
			return nil, fmt.Errorf("demo zip: unsupported encryption %q", spec.Method)
		}
		if strength != 0 {
			compressed, err = ae2Encrypt(compressed, spec.Password, strength, spec.Password+"\x00"+e.Name)
			if err != nil {
				return nil, err
			}
			fh.Flags |= 0x1
			fh.Method = 99
			fh.CRC32 = 0 // AE-2 leaves the CRC out; the HMAC protects the data
			fh.ReaderVersion = 51
			fh.Extra = []byte{0x01, 0x99, 7, 0, 2, 0, 'A', 'E', byte(strength), 8, 0} // 8: the entry itself is deflated
		}
		fh.CompressedSize64 = uint64(len(compressed))
		w, err := zw.CreateRaw(fh)
		if err != nil {
			return nil, err
		}
		if _, err := w.Write(compressed); err != nil {
			return nil, err
		}
	}
	if err := zw.Close(); err != nil {
		return nil, err
	}
	return buf.Bytes(), nil
}

// buildZipCrypto writes a traditional-PKWARE-encrypted archive with
// yeka/zip, filling each FileHeader by hand so CP932 names keep the UTF-8
// flag clear.
func buildZipCrypto(spec zipSpec) ([]byte, error) {
	var buf bytes.Buffer
	zw := yzip.NewWriter(&buf)
	for _, e := range spec.Entries {
		name, flags, err := e.rawName()
		if err != nil {
			return nil, err
		}
		// Deflate, never Store: yeka's ZipCrypto writer under-reports the
		// bytes written, which only the Deflate path tolerates.
		fh := &yzip.FileHeader{Name: name, Flags: flags, Method: yzip.Deflate}
		fh.ModifiedDate, fh.ModifiedTime = dosTime(spec.Modified)
		fh.SetPassword(spec.Password)
		fh.SetEncryptionMethod(yzip.StandardEncryption)
		w, err := zw.CreateHeader(fh)
		if err != nil {
			return nil, err
		}
		if _, err := w.Write(e.Data); err != nil {
			return nil, err
		}
	}
	if err := zw.Close(); err != nil {
		return nil, err
	}
	return buf.Bytes(), nil
}

// flateWriters recycles compressors: a new flate.Writer allocates about a
// megabyte, which dominated the bulk generator's profile.
var flateWriters = sync.Pool{New: func() any {
	fw, err := flate.NewWriter(io.Discard, flate.BestCompression)
	if err != nil {
		panic("demo: flate: " + err.Error()) // only for an invalid level
	}
	return fw
}}

// deflateBytes compresses b as a ZIP entry's raw deflate stream.
func deflateBytes(b []byte) ([]byte, error) {
	var buf bytes.Buffer
	fw := flateWriters.Get().(*flate.Writer)
	defer flateWriters.Put(fw)
	fw.Reset(&buf)
	if _, err := fw.Write(b); err != nil {
		return nil, err
	}
	if err := fw.Close(); err != nil {
		return nil, err
	}
	return buf.Bytes(), nil
}

// setDOSTime dates a zip entry with t's wall clock in the MS-DOS fields
// alone, as the Windows archivers whose output the demo imitates do.
// FileHeader.Modified is not a substitute here: CreateRaw ignores it
// (golang/go#76741), leaving the entry undated, and CreateHeader adds an
// extended-timestamp extra field for it, which changes the archive bytes.
func setDOSTime(fh *zip.FileHeader, t time.Time) {
	date, tm := dosTime(t)
	//lint:ignore SA1019 Modified is ignored by CreateRaw and adds an extra field under CreateHeader (see above).
	fh.ModifiedDate, fh.ModifiedTime = date, tm
}

// dosTime converts t to the MS-DOS date and time ZIP headers carry.
func dosTime(t time.Time) (date, tm uint16) {
	if t.IsZero() {
		t = DefaultBase
	}
	return uint16(t.Day() + int(t.Month())<<5 + (t.Year()-1980)<<9),
		uint16(t.Second()/2 + t.Minute()<<5 + t.Hour()<<11)
}

// bombEntrySize is the uncompressed size of the zip bomb's entry.
const bombEntrySize = 200 << 20

// zipBomb returns an archive with one 200 MiB entry of zeros that deflates
// to about 200 KB. The deflate stream is produced by streaming zeros
// through compress/flate, so no 200 MiB buffer is ever held.
func zipBomb(mod time.Time) ([]byte, error) {
	var compressed bytes.Buffer
	fw, err := flate.NewWriter(&compressed, flate.BestCompression)
	if err != nil {
		return nil, err
	}
	crc := crc32.NewIEEE()
	zeros := make([]byte, 1<<20)
	w := io.MultiWriter(fw, crc)
	for range bombEntrySize / len(zeros) {
		if _, err := w.Write(zeros); err != nil {
			return nil, err
		}
	}
	if err := fw.Close(); err != nil {
		return nil, err
	}
	return rawZip("zeros.bin", compressed.Bytes(), crc.Sum32(), bombEntrySize, mod)
}

// declaredHugeZip returns an archive whose only entry claims 10 GiB
// uncompressed but holds a few hundred bytes: a bomb by declaration that
// a scanner must reject without inflating anything.
func declaredHugeZip(mod time.Time) ([]byte, error) {
	data, err := deflateBytes(make([]byte, 4096))
	if err != nil {
		return nil, err
	}
	return rawZip("backup.dat", data, 0x5eed1e55, 10<<30, mod)
}

// rawZip writes a one-entry archive whose header values are taken as
// given, which is how the bombs carry sizes their data does not back.
func rawZip(name string, compressed []byte, crc uint32, size uint64, mod time.Time) ([]byte, error) {
	var buf bytes.Buffer
	zw := zip.NewWriter(&buf)
	fh := &zip.FileHeader{
		Name:               name,
		Method:             zip.Deflate,
		CRC32:              crc,
		CompressedSize64:   uint64(len(compressed)),
		UncompressedSize64: size,
		CreatorVersion:     45,
		ReaderVersion:      45,
	}
	setDOSTime(fh, mod)
	w, err := zw.CreateRaw(fh)
	if err != nil {
		return nil, err
	}
	if _, err := w.Write(compressed); err != nil {
		return nil, err
	}
	if err := zw.Close(); err != nil {
		return nil, err
	}
	return buf.Bytes(), nil
}
