package archive

import (
	stdzip "archive/zip"
	"bytes"
	"encoding/binary"
	"io"
	"os"
	"path/filepath"
	"testing"

	yzip "github.com/yeka/zip"

	"mxaudit/mailsrc/demo/corpus"
)

// zip64CompressedOnly is an archive whose one central-directory record has
// only its compressed size set to 0xFFFFFFFF. APPNOTE 4.5.3: the Zip64
// extra field then holds only that one value.
func zip64CompressedOnly(t testing.TB) (zip []byte, usize, csize uint64) {
	plain := bytes.Repeat([]byte("hello "), 50)
	data := deflate(t, plain)
	extra := extraRecord(0x0001, binary.LittleEndian.AppendUint64(nil, uint64(len(data))))
	zip = rawZip(
		[]rawLocal{{name: "a.txt", method: 8, data: data, usize: uint32(len(plain))}},
		[]rawCentral{{name: "a.txt", method: 8, csize: 0xFFFFFFFF, usize: uint32(len(plain)), extra: extra}})
	return zip, uint64(len(plain)), uint64(len(data))
}

// TestReaderChoice records why this package reads with archive/zip and not
// with github.com/yeka/zip's reader (a fork of an old archive/zip):
//   - yeka assigns the Zip64 extra field's values in a fixed order instead
//     of only to the header fields that are 0xFFFFFFFF, so a record that
//     needs only a 64-bit compressed size is misread;
//   - yeka has no base-offset logic: self-extracting and junk-prefixed
//     archives fail to open;
//   - yeka rejects an extra field with trailing bytes that zip tools ignore.
func TestReaderChoice(t *testing.T) {
	zip, usize, csize := zip64CompressedOnly(t)
	sr, err := stdzip.NewReader(bytes.NewReader(zip), int64(len(zip)))
	if err != nil {
		t.Fatal(err)
	}
	sf := sr.File[0]
	if sf.UncompressedSize64 != usize || sf.CompressedSize64 != csize {
		t.Errorf("archive/zip: sizes %d/%d, want %d/%d", sf.UncompressedSize64, sf.CompressedSize64, usize, csize)
	}
	rc, err := sf.Open()
	if err != nil {
		t.Fatal(err)
	}
	if got, err := io.ReadAll(rc); err != nil || uint64(len(got)) != usize {
		t.Errorf("archive/zip: read %d bytes, %v", len(got), err)
	}
	yr, err := yzip.NewReader(bytes.NewReader(zip), int64(len(zip)))
	if err != nil {
		t.Fatal(err)
	}
	yf := yr.File[0]
	if yf.UncompressedSize64 != csize || yf.CompressedSize64 != 0xFFFFFFFF {
		t.Errorf("yeka/zip: sizes %d/%d; expected its misreading %d/%d (fixed upstream?)", yf.UncompressedSize64, yf.CompressedSize64, csize, uint64(0xFFFFFFFF))
	}
	a := inspectBytes(zip)
	if a.Entries[0].Size != int64(usize) || a.Entries[0].CompressedSize != int64(csize) || a.Error != "" {
		t.Errorf("Inspect: %+v", a)
	}

	dangling := rawZip([]rawLocal{{name: "a", data: []byte("x"), usize: 1}},
		[]rawCentral{{name: "a", csize: 1, usize: 1, extra: []byte{0x55, 0x54, 0x09}}})
	if _, err := stdzip.NewReader(bytes.NewReader(dangling), int64(len(dangling))); err != nil {
		t.Errorf("archive/zip rejects a dangling extra byte: %v", err)
	}
	if _, err := yzip.NewReader(bytes.NewReader(dangling), int64(len(dangling))); err == nil {
		t.Error("yeka/zip accepts a dangling extra byte (fixed upstream?)")
	}

	dir := corpus.Dir(t, "zip/libarchive")
	for _, name := range []string{"test_read_format_zip_sfx", "test_read_format_zip_padded1.zip", "test_read_format_zip_padded3.zip"} {
		b, err := os.ReadFile(filepath.Join(dir, name))
		if err != nil {
			t.Fatal(err)
		}
		if _, err := stdzip.NewReader(bytes.NewReader(b), int64(len(b))); err != nil {
			t.Errorf("archive/zip cannot open %s: %v", name, err)
		}
		if _, err := yzip.NewReader(bytes.NewReader(b), int64(len(b))); err == nil {
			t.Errorf("yeka/zip opens %s (fixed upstream?)", name)
		}
	}
}
