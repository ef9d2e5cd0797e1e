package archive

import (
	"bytes"
	"compress/gzip"
	"encoding/binary"
	"slices"
	"strings"
	"testing"
	"unicode/utf16"

	yzip "github.com/yeka/zip"

	"mxaudit/model"
)

// oleWithStorage is a minimal Compound File whose directory holds a root
// entry and one more entry (type 1 storage, 2 stream) with the given name.
func oleWithStorage(name string, typ byte) []byte {
	b := make([]byte, 512)
	copy(b, "\xD0\xCF\x11\xE0\xA1\xB1\x1A\xE1")
	for _, e := range []struct {
		name string
		typ  byte
	}{{"Root Entry", 5}, {name, typ}} {
		rec := make([]byte, 128)
		var n int
		for _, u := range utf16.Encode([]rune(e.name)) {
			binary.LittleEndian.PutUint16(rec[n:], u)
			n += 2
		}
		binary.LittleEndian.PutUint16(rec[64:], uint16(n+2))
		rec[66] = e.typ
		b = append(b, rec...)
	}
	return b
}

func ooxml(t testing.TB, withVBA bool) []byte {
	files := []file{
		{name: "[Content_Types].xml", data: []byte(`<?xml version="1.0"?><Types/>`)},
		{name: "word/document.xml", data: []byte(`<w:document/>`)},
	}
	if withVBA {
		files = append(files, file{name: "word/vbaProject.bin", data: oleWithStorage("_VBA_PROJECT", 2)})
	}
	return stdZipBytes(t, files...)
}

func gzipped(data []byte) []byte {
	var buf bytes.Buffer
	w := gzip.NewWriter(&buf)
	w.Write(data)
	w.Close()
	return buf.Bytes()
}

func TestInspectEntryRisks(t *testing.T) {
	mz := append([]byte("MZ\x90\x00"), make([]byte, 300)...)
	tests := []struct {
		name string
		f    file
		want []model.Risk
	}{
		{"plain text", file{name: "notes.txt", data: []byte("hello")}, nil},
		{"exe by name", file{name: "setup.exe", data: mz}, []model.Risk{model.RiskExecutable}},
		{"exe disguised as txt", file{name: "notes.txt", data: mz}, []model.Risk{model.RiskExecutable}},
		{"exe disguised, stored", file{name: "notes.txt", data: mz, store: true}, []model.Risk{model.RiskExecutable}},
		{"double extension", file{name: "請求書.pdf.exe", data: mz}, []model.Risk{model.RiskExecutable, model.RiskDoubleExtension}},
		{"rtlo", file{name: "invoice\u202Efdp.scr", data: []byte("x")}, []model.Risk{model.RiskRTLO, model.RiskExecutable}},
		{"iso", file{name: "scan.iso", data: []byte("x")}, []model.Risk{model.RiskExecutable, model.RiskDiskImage}},
		{"rar by name", file{name: "inner.rar", data: []byte("not really")}, []model.Risk{model.RiskNestedArchive}},
		{"gzip by magic", file{name: "data.bin", data: gzipped([]byte("payload"))}, []model.Risk{model.RiskNestedArchive}},
		{"7z by magic", file{name: "data.bin", data: []byte("7z\xBC\xAF\x27\x1C\x00\x04rest")}, []model.Risk{model.RiskNestedArchive}},
		{"macro by name", file{name: "budget.xlsm", data: []byte("x")}, []model.Risk{model.RiskMacro}},
		{"legacy xls with VBA", file{name: "budget.xls", data: oleWithStorage("_VBA_PROJECT_CUR", 1)}, []model.Risk{model.RiskMacro}},
		{"encrypted docx (OLE)", file{name: "secret.docx", data: oleWithStorage("EncryptedPackage", 2)}, []model.Risk{model.RiskEncryptedDocument}},
		{"encrypted pdf", file{name: "secret.pdf", data: []byte("%PDF-1.7\n" + string(bytes.Repeat([]byte("x"), 5000)) + "trailer << /Encrypt 9 0 R >>")},
			[]model.Risk{model.RiskEncryptedDocument}},
		{"plain pdf", file{name: "a.pdf", data: []byte("%PDF-1.7\ntrailer << /Root 1 0 R >>")}, nil},
	}
	for _, tt := range tests {
		a := inspectBytes(stdZipBytes(t, tt.f))
		if len(a.Entries) != 1 {
			t.Fatalf("%s: %d entries", tt.name, len(a.Entries))
		}
		if got := a.Entries[0].Risks; !slices.Equal(got, tt.want) {
			t.Errorf("%s: risks %v, want %v", tt.name, got, tt.want)
		}
		if len(a.Risks) != 0 {
			t.Errorf("%s: archive risks %v, want none", tt.name, a.Risks)
		}
	}
}

// TestInspectEncryptedEntryNotOpened checks that an encrypted executable is
// judged by its name only: its bytes are ciphertext.
func TestInspectEncryptedEntryNotOpened(t *testing.T) {
	mz := append([]byte("MZ\x90\x00"), make([]byte, 300)...)
	a := inspectBytes(yekaZipBytes(t, file{name: "notes.txt", data: mz, password: "pw", enc: yzip.AES256Encryption}))
	if len(a.Entries) != 1 || len(a.Entries[0].Risks) != 0 || !a.Encrypted {
		t.Errorf("got %+v", a)
	}
}

func TestInspectOOXML(t *testing.T) {
	tests := []struct {
		name       string
		zip        []byte
		wantRisks  []model.Risk
		nestedRisk []model.Risk // risks of the nested document's listing
		entryRisks []model.Risk // risks of the entry holding the document
	}{
		{"docm with vbaProject.bin", ooxml(t, true), []model.Risk{model.RiskMacro}, nil, nil},
		{"docx without macros", ooxml(t, false), nil, nil, nil},
		{"vbaProject.bin without [Content_Types].xml", stdZipBytes(t, file{name: "vbaProject.bin", data: []byte("x")}), nil, nil, nil},
		{"upper-case VBAPROJECT.BIN", stdZipBytes(t, file{name: "[Content_Types].xml", data: []byte("x")}, file{name: "xl/VBAPROJECT.BIN", data: []byte("x")}),
			[]model.Risk{model.RiskMacro}, nil, nil},
		{"docm inside a zip, named .docx", stdZipBytes(t, file{name: "report.docx", data: ooxml(t, true)}),
			nil, []model.Risk{model.RiskMacro}, nil},
		{"docm inside a zip, named .docm", stdZipBytes(t, file{name: "report.docm", data: ooxml(t, true)}),
			nil, []model.Risk{model.RiskMacro}, []model.Risk{model.RiskMacro}},
	}
	for _, tt := range tests {
		a := inspectBytes(tt.zip)
		if !slices.Equal(a.Risks, tt.wantRisks) {
			t.Errorf("%s: archive risks %v, want %v", tt.name, a.Risks, tt.wantRisks)
		}
		if tt.nestedRisk == nil {
			continue
		}
		e := a.Entries[0]
		if e.Archive == nil {
			t.Fatalf("%s: nested document not listed", tt.name)
		}
		if !slices.Equal(e.Archive.Risks, tt.nestedRisk) {
			t.Errorf("%s: nested risks %v, want %v", tt.name, e.Archive.Risks, tt.nestedRisk)
		}
		if !slices.Equal(e.Risks, tt.entryRisks) {
			t.Errorf("%s: entry risks %v, want %v (a document is not a nested archive)", tt.name, e.Risks, tt.entryRisks)
		}
		if !slices.Contains(a.AllRisks(), model.RiskMacro) {
			t.Errorf("%s: AllRisks %v lacks the macro", tt.name, a.AllRisks())
		}
	}
}

func TestInspectNested(t *testing.T) {
	inner := yekaZipBytes(t, file{name: "payload.exe", data: []byte("x"), password: "pw", enc: yzip.AES256Encryption})
	mid := stdZipBytes(t, file{name: "inner.zip", data: inner}, file{name: "readme.txt", data: []byte("r")})
	outer := stdZipBytes(t, file{name: "mid.zip", data: mid, store: true})
	top := stdZipBytes(t, file{name: "outer.zip", data: outer}, file{name: "a.txt", data: []byte("a")})

	a := inspectBytes(top)
	if a.Error != "" || a.Truncated || slices.Contains(a.Risks, model.RiskBomb) {
		t.Fatalf("3 levels of nesting is within limits: %+v", a)
	}
	chain := []string{"outer.zip", "mid.zip", "inner.zip"}
	level := a
	for depth, name := range chain {
		e := level.Entries[0]
		if e.Name != name || e.Archive == nil || !slices.Equal(e.Risks, []model.Risk{model.RiskNestedArchive}) {
			t.Fatalf("depth %d: entry %q archive=%v risks=%v, want %q listed", depth, e.Name, e.Archive != nil, e.Risks, name)
		}
		level = e.Archive
	}
	if len(level.Entries) != 1 || level.Entries[0].Name != "payload.exe" || level.Encryption != model.EncryptionAES256 {
		t.Errorf("innermost: %+v", level)
	}
	if a.Encrypted {
		t.Error("the top level holds no encrypted entry; only the nested one is")
	}
	all := a.AllRisks()
	for _, r := range []model.Risk{model.RiskNestedArchive, model.RiskExecutable} {
		if !slices.Contains(all, r) {
			t.Errorf("AllRisks %v lacks %s", all, r)
		}
	}
}

// TestInspectNestedByMagic checks that a ZIP hidden under another name is
// opened and flagged.
func TestInspectNestedByMagic(t *testing.T) {
	inner := stdZipBytes(t, file{name: "run.js", data: []byte("x")})
	a := inspectBytes(stdZipBytes(t, file{name: "photo.jpg", data: inner}))
	e := a.Entries[0]
	if e.Archive == nil || !slices.Contains(e.Risks, model.RiskNestedArchive) {
		t.Fatalf("entry %+v", e)
	}
	if !slices.Contains(e.Archive.Entries[0].Risks, model.RiskExecutable) {
		t.Errorf("inner entry risks %v", e.Archive.Entries[0].Risks)
	}
}

func TestInspectNestedTooLarge(t *testing.T) {
	inner := stdZipBytes(t, file{name: "big.bin", data: make([]byte, 3000), store: true})
	zip := stdZipBytes(t, file{name: "inner.zip", data: inner})
	a := Inspect(bytes.NewReader(zip), int64(len(zip)), "x.zip", Limits{MaxNestedBytes: 1000})
	e := a.Entries[0]
	if e.Archive != nil || !a.Truncated || !slices.Contains(e.Risks, model.RiskNestedArchive) {
		t.Errorf("want unopened nested archive and Truncated; got truncated=%v entry %+v", a.Truncated, e)
	}
	if slices.Contains(a.Risks, model.RiskBomb) {
		t.Errorf("a nested archive over the cap is not by itself a bomb: %v", a.Risks)
	}
}

func TestInspectNestedCorrupt(t *testing.T) {
	inner := stdZipBytes(t, file{name: "a.txt", data: []byte("hello")})
	inner = inner[:len(inner)-10] // lose the end of the central directory
	a := inspectBytes(stdZipBytes(t, file{name: "inner.zip", data: inner}))
	e := a.Entries[0]
	if e.Archive == nil || e.Archive.Error == "" || !slices.Contains(e.Archive.Risks, model.RiskBrokenArchive) {
		t.Fatalf("nested broken archive not reported: %+v", e.Archive)
	}
	if len(e.Archive.Entries) != 1 || e.Archive.Entries[0].Name != "a.txt" {
		t.Errorf("entries salvaged from the local headers: %+v", e.Archive.Entries)
	}
}

func TestInspectNestedBadChecksum(t *testing.T) {
	inner := stdZipBytes(t, file{name: "a.txt", data: []byte("hello"), store: true})
	outer := stdZipBytes(t, file{name: "inner.zip", data: inner, store: true})
	i := bytes.Index(outer, []byte("hello"))
	outer[i] = 'j' // inside the stored inner archive: the outer CRC no longer matches
	e := inspectBytes(outer).Entries[0]
	if e.Archive == nil || !strings.Contains(e.Archive.Error, "checksum") || !slices.Contains(e.Risks, model.RiskNestedArchive) {
		t.Errorf("entry %+v, nested %+v", e, e.Archive)
	}
}
