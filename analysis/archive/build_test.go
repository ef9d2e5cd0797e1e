package archive

import (
	stdzip "archive/zip"
	"bytes"
	"compress/flate"
	"encoding/binary"
	"testing"

	yzip "github.com/yeka/zip"
	"golang.org/x/text/encoding/japanese"
)

// file is one entry for the archive builders.
type file struct {
	name     string
	data     []byte
	store    bool   // stored instead of deflated
	nonUTF8  bool   // archive/zip: never set flag bit 11
	utf8Flag bool   // yeka: set flag bit 11
	password string // yeka: encrypt with enc
	enc      yzip.EncryptionMethod
}

// stdZipBytes builds an archive with the standard library's writer.
func stdZipBytes(t testing.TB, files ...file) []byte {
	t.Helper()
	var buf bytes.Buffer
	w := stdzip.NewWriter(&buf)
	for _, f := range files {
		h := &stdzip.FileHeader{Name: f.name, Method: stdzip.Deflate, NonUTF8: f.nonUTF8}
		if f.store {
			h.Method = stdzip.Store
		}
		fw, err := w.CreateHeader(h)
		if err != nil {
			t.Fatal(err)
		}
		if _, err := fw.Write(f.data); err != nil {
			t.Fatal(err)
		}
	}
	if err := w.Close(); err != nil {
		t.Fatal(err)
	}
	return buf.Bytes()
}

// yekaZipBytes builds an archive with github.com/yeka/zip's writer, which
// can encrypt (ZipCrypto, WinZip AES-128/192/256).
func yekaZipBytes(t testing.TB, files ...file) []byte {
	t.Helper()
	var buf bytes.Buffer
	w := yzip.NewWriter(&buf)
	for _, f := range files {
		h := &yzip.FileHeader{Name: f.name, Method: yzip.Deflate}
		if f.utf8Flag {
			h.Flags |= 0x800
		}
		if f.password != "" {
			h.SetPassword(f.password)
			h.SetEncryptionMethod(f.enc)
		}
		fw, err := w.CreateHeader(h)
		if err != nil {
			t.Fatal(err)
		}
		if _, err := fw.Write(f.data); err != nil {
			t.Fatal(err)
		}
	}
	if err := w.Close(); err != nil {
		t.Fatal(err)
	}
	return buf.Bytes()
}

// sjis encodes s as CP932, as Japanese Windows writes ZIP names.
func sjis(t testing.TB, s string) string {
	t.Helper()
	b, err := japanese.ShiftJIS.NewEncoder().String(s)
	if err != nil {
		t.Fatal(err)
	}
	return b
}

func deflate(t testing.TB, data []byte) []byte {
	t.Helper()
	var buf bytes.Buffer
	w, _ := flate.NewWriter(&buf, flate.BestCompression)
	w.Write(data)
	w.Close()
	return buf.Bytes()
}

// rawLocal is a local file header and its data, written as given.
type rawLocal struct {
	name   string
	method uint16
	flags  uint16
	data   []byte // already compressed
	usize  uint32
}

// rawCentral is a central directory record, written as given: sizes and
// offsets may lie.
type rawCentral struct {
	name         string
	method       uint16
	flags        uint16
	csize, usize uint32
	offset       uint32
	extra        []byte
}

// rawZip writes local records, then the central directory and an end
// record, with no consistency checks: it builds the archives real writers
// refuse to (overlapping entries, lying sizes).
func rawZip(locals []rawLocal, central []rawCentral) []byte {
	var b []byte
	le16 := func(v uint16) { b = binary.LittleEndian.AppendUint16(b, v) }
	le32 := func(v uint32) { b = binary.LittleEndian.AppendUint32(b, v) }
	for _, l := range locals {
		b = append(b, "PK\x03\x04"...)
		le16(20)
		le16(l.flags)
		le16(l.method)
		le32(0) // time, date
		le32(0) // CRC (unchecked: nothing here is extracted with checks)
		le32(uint32(len(l.data)))
		le32(l.usize)
		le16(uint16(len(l.name)))
		le16(0)
		b = append(b, l.name...)
		b = append(b, l.data...)
	}
	cdStart := len(b)
	for _, c := range central {
		b = append(b, "PK\x01\x02"...)
		le16(20)
		le16(20)
		le16(c.flags)
		le16(c.method)
		le32(0)
		le32(0)
		le32(c.csize)
		le32(c.usize)
		le16(uint16(len(c.name)))
		le16(uint16(len(c.extra)))
		le16(0) // comment
		le16(0) // disk
		le16(0) // internal attrs
		le32(0) // external attrs
		le32(c.offset)
		b = append(b, c.name...)
		b = append(b, c.extra...)
	}
	cdLen := len(b) - cdStart
	b = append(b, "PK\x05\x06"...)
	le16(0)
	le16(0)
	le16(uint16(len(central)))
	le16(uint16(len(central)))
	le32(uint32(cdLen))
	le32(uint32(cdStart))
	le16(0)
	return b
}

// extraRecord encodes one extra field.
func extraRecord(id uint16, data []byte) []byte {
	b := binary.LittleEndian.AppendUint16(nil, id)
	b = binary.LittleEndian.AppendUint16(b, uint16(len(data)))
	return append(b, data...)
}

// aesExtra is a WinZip AES extra field (AE-2, the given strength).
func aesExtra(strength byte) []byte {
	return extraRecord(extraWinZipAES, []byte{2, 0, 'A', 'E', strength, 8, 0})
}
