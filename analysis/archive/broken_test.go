package archive

import (
	"bytes"
	"encoding/binary"
	"slices"
	"strings"
	"testing"

	yzip "github.com/yeka/zip"

	"mxaudit/model"
)

func TestInspectBroken(t *testing.T) {
	good := stdZipBytes(t, file{name: "a.txt", data: []byte("hello hello hello")}, file{name: "b.txt", data: []byte("world")})
	cdStart := int(binary.LittleEndian.Uint32(good[len(good)-6:]))

	garbageCD := slices.Clone(good)
	for i := cdStart; i < len(good)-22; i++ {
		garbageCD[i] = 0xAA
	}
	badOffset := slices.Clone(good)
	binary.LittleEndian.PutUint32(badOffset[cdStart+42:], 0x7FFFFFF0) // first entry's local header offset
	notAHeader := slices.Clone(good)
	binary.LittleEndian.PutUint32(notAHeader[cdStart+42:], 5) // points inside the first header
	hugeCsize := slices.Clone(good)
	binary.LittleEndian.PutUint32(hugeCsize[cdStart+20:], 0x7FFFFFF0) // first entry's compressed size
	cdOffsetPastEnd := slices.Clone(good)
	binary.LittleEndian.PutUint32(cdOffsetPastEnd[len(good)-6:], 0x7FFFFFF0)

	tests := []struct {
		name      string
		zip       []byte
		errSubstr string
		salvaged  []string // entries recovered from the local headers
	}{
		{"empty input", nil, "not a readable ZIP", nil},
		{"signature only", []byte("PK\x03\x04"), "not a readable ZIP", nil},
		{"not a zip", []byte("%PDF-1.7 hello"), "not a readable ZIP", nil},
		{"cut before the end record", good[:len(good)-10], "not a readable ZIP", []string{"a.txt", "b.txt"}},
		{"cut in the middle", good[:cdStart/2+10], "not a readable ZIP", []string{"a.txt"}},
		{"garbage central directory", garbageCD, "", []string{"a.txt", "b.txt"}},
		{"local header offset past the end", badOffset, "a.txt", nil},
		{"local header offset into a header", notAHeader, "a.txt", nil},
		{"compressed size past the end", hugeCsize, "past the end", nil},
		{"central directory offset past the end", cdOffsetPastEnd, "a.txt", nil},
	}
	for _, tt := range tests {
		a := inspectBytes(tt.zip)
		if a.Error == "" || !strings.Contains(a.Error, tt.errSubstr) {
			t.Errorf("%s: Error %q, want it to mention %q", tt.name, a.Error, tt.errSubstr)
		}
		if !slices.Contains(a.Risks, model.RiskBrokenArchive) {
			t.Errorf("%s: risks %v lack broken-archive", tt.name, a.Risks)
		}
		if tt.salvaged != nil {
			var names []string
			for _, e := range a.Entries {
				names = append(names, e.Name)
			}
			if !slices.Equal(names, tt.salvaged) {
				t.Errorf("%s: salvaged %q, want %q", tt.name, names, tt.salvaged)
			}
		}
	}
}

// TestInspectTruncatedPPAP checks the common mail case: an encrypted ZIP cut
// short by a size limit still shows its names and encryption.
func TestInspectTruncatedPPAP(t *testing.T) {
	data := bytes.Repeat([]byte("quotation "), 500)
	zip := yekaZipBytes(t,
		file{name: sjis(t, "見積書.pdf"), data: data, password: "pw", enc: yzip.StandardEncryption},
		file{name: "contract.pdf", data: data, password: "pw", enc: yzip.AES256Encryption},
		file{name: "tail.txt", data: data})
	cut := zip[:bytes.Index(zip, []byte("tail.txt"))] // inside the third local header
	a := inspectBytes(cut)
	if a.Error == "" || !slices.Contains(a.Risks, model.RiskBrokenArchive) {
		t.Fatalf("want a broken archive, got %+v", a)
	}
	if !a.Encrypted || a.Encryption != model.EncryptionAES256 {
		t.Errorf("encrypted=%v %q, want aes256", a.Encrypted, a.Encryption)
	}
	checkEntries(t, "truncated", a, []entryFacts{{"見積書.pdf", model.EncryptionZipCrypto}, {"contract.pdf", model.EncryptionAES256}})
}

// TestInspectEveryPrefix cuts a small archive at every length: each must
// give an answer, broken or not, and never panic.
func TestInspectEveryPrefix(t *testing.T) {
	zip := yekaZipBytes(t,
		file{name: "a.txt", data: []byte("plain")},
		file{name: "b.pdf", data: []byte("secret"), password: "pw", enc: yzip.AES128Encryption},
		file{name: "inner.zip", data: stdZipBytes(t, file{name: "x.exe", data: []byte("MZ")})})
	for n := range len(zip) {
		a := inspectBytes(zip[:n])
		if a == nil || a.Format != "zip" {
			t.Fatalf("prefix %d: %+v", n, a)
		}
		if a.Error == "" {
			t.Errorf("prefix %d of %d: no error for a truncated archive", n, len(zip))
		}
	}
	if a := inspectBytes(zip); a.Error != "" || len(a.Entries) != 3 {
		t.Errorf("whole archive: %+v", a)
	}
}

// panicReader fails the way a careless io.ReaderAt might.
type panicReader struct{}

func (panicReader) ReadAt([]byte, int64) (int, error) { panic("boom") }

func TestInspectRecoversFromPanic(t *testing.T) {
	a := Inspect(panicReader{}, 100, "x.zip", Limits{})
	if !strings.Contains(a.Error, "boom") || !slices.Contains(a.Risks, model.RiskBrokenArchive) {
		t.Errorf("got %+v", a)
	}
}

func TestInspectNegativeSize(t *testing.T) {
	a := Inspect(bytes.NewReader(nil), -5, "x.zip", Limits{})
	if a.Error == "" {
		t.Errorf("negative size accepted: %+v", a)
	}
}
