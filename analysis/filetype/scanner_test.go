package filetype

import (
	"bytes"
	"encoding/binary"
	"io"
	"slices"
	"testing"

	"mxaudit/model"
)

// oleFile builds a minimal Compound File: the signature, a header padded to
// 512 bytes, then one directory sector holding the given entries. body is
// appended after the directory (a stand-in for stream data).
func oleFile(entries []oleEntry, body []byte) []byte {
	b := make([]byte, 512)
	copy(b, "\xD0\xCF\x11\xE0\xA1\xB1\x1A\xE1")
	for _, e := range entries {
		rec := make([]byte, oleDirEntryLen)
		name := utf16le(e.name)
		copy(rec, name)
		binary.LittleEndian.PutUint16(rec[64:], uint16(len(name)+2))
		rec[66] = e.typ
		b = append(b, rec...)
	}
	return append(b, body...)
}

type oleEntry struct {
	name string
	typ  byte
}

// unaligned puts text at an offset that is not a multiple of 128, as
// document text in a stream would be.
func unaligned(text []byte) []byte {
	return append(make([]byte, 37), text...)
}

func TestScanner(t *testing.T) {
	root := oleEntry{"Root Entry", oleRoot}
	pdfPlain := []byte("%PDF-1.7\n1 0 obj\n<< /Type /Catalog >>\nendobj\ntrailer\n<< /Root 1 0 R >>\n%%EOF\n")
	pdfEncrypted := append(append([]byte("%PDF-1.7\n"), bytes.Repeat([]byte("% filler line to push the trailer far away\n"), 50000)...),
		"trailer\n<< /Root 1 0 R /Encrypt 5 0 R >>\n%%EOF\n"...)
	iso := make([]byte, isoDescriptorOffset+2048)
	copy(iso[isoDescriptorOffset:], "CD001")
	exeBody := append([]byte("MZ\x90\x00"), make([]byte, 5000)...)

	tests := []struct {
		name     string
		filename string
		data     []byte
		kind     Kind
		want     []model.Risk
	}{
		{"plain pdf", "a.pdf", pdfPlain, KindPDF, nil},
		{"encrypted pdf", "a.pdf", pdfEncrypted, KindPDF, []model.Risk{model.RiskEncryptedDocument}},
		{"/Encrypt in a text file", "a.txt", []byte("see /Encrypt in the PDF spec"), KindUnknown, nil},
		{"exe named pdf", "invoice.pdf", exeBody, KindPE, []model.Risk{model.RiskExecutable}},
		{"exe named exe", "setup.exe", exeBody, KindPE, []model.Risk{model.RiskExecutable}},
		{"elf", "run", []byte("\x7FELF\x02\x01\x01"), KindELF, []model.Risk{model.RiskExecutable}},
		{"macho", "app", []byte("\xCF\xFA\xED\xFE\x07\x00"), KindMachO, []model.Risk{model.RiskExecutable}},
		{"iso named pdf", "scan.pdf", iso, KindISO, []model.Risk{model.RiskExecutable, model.RiskDiskImage}},
		{"ole plain doc", "a.doc", oleFile([]oleEntry{root, {"WordDocument", oleStream}}, nil), KindOLE, nil},
		{"ole encrypted ooxml", "a.docx", oleFile([]oleEntry{root, {"EncryptionInfo", oleStream}, {"EncryptedPackage", oleStream}}, nil),
			KindOLE, []model.Risk{model.RiskEncryptedDocument}},
		{"ole excel vba", "a.xls", oleFile([]oleEntry{root, {"Workbook", oleStream}, {"_VBA_PROJECT_CUR", oleStorage}}, nil),
			KindOLE, []model.Risk{model.RiskMacro}},
		{"ole word vba", "a.doc", oleFile([]oleEntry{root, {"Macros", oleStorage}, {"VBA", oleStorage}, {"_VBA_PROJECT", oleStream}}, nil),
			KindOLE, []model.Risk{model.RiskMacro}},
		{"ole vba named stream only", "a.doc", oleFile([]oleEntry{root, {"_VBA_PROJECT", oleStream}}, nil),
			KindOLE, []model.Risk{model.RiskMacro}},
		{"ole text mentions _VBA_PROJECT", "a.doc",
			oleFile([]oleEntry{root, {"WordDocument", oleStream}}, unaligned(utf16le("_VBA_PROJECT\x00 and EncryptedPackage\x00"))),
			KindOLE, nil},
		{"ole VBA as a stream, not a storage", "a.doc", oleFile([]oleEntry{root, {"VBA", oleStream}}, nil), KindOLE, nil},
		{"macro name, plain content", "a.docm", []byte("PK\x03\x04"), KindZip, []model.Risk{model.RiskMacro}},
		{"empty", "empty.txt", nil, KindUnknown, nil},
	}
	chunkSizes := []int{1, 3, 7, 127, 128, 129, 1000, 4096, 1 << 20}
	for _, tt := range tests {
		for _, cs := range chunkSizes {
			s := NewScanner(tt.filename)
			for p := tt.data; len(p) > 0; {
				n := min(cs, len(p))
				if w, err := s.Write(p[:n]); w != n || err != nil {
					t.Fatalf("%s: Write = %d, %v", tt.name, w, err)
				}
				p = p[n:]
			}
			if got := s.Kind(); got != tt.kind {
				t.Errorf("%s (chunks of %d): Kind = %q, want %q", tt.name, cs, got, tt.kind)
			}
			if got := s.Size(); got != int64(len(tt.data)) {
				t.Errorf("%s (chunks of %d): Size = %d, want %d", tt.name, cs, got, len(tt.data))
			}
			if got := s.Risks(); !slices.Equal(got, tt.want) {
				t.Errorf("%s (chunks of %d): Risks = %v, want %v", tt.name, cs, got, tt.want)
			}
		}
	}
}

// TestScannerBoundedMemory checks that a large attachment does not grow the
// Scanner: once the kind is decided, writes allocate nothing.
func TestScannerBoundedMemory(t *testing.T) {
	chunk := bytes.Repeat([]byte("stream data without the key "), 32*1024/28)
	for _, head := range [][]byte{[]byte("%PDF-1.7\n"), oleFile(nil, nil)} {
		s := NewScanner("big")
		s.Write(head)
		s.Write(make([]byte, headLen)) // decide the kind
		allocs := testing.AllocsPerRun(200, func() { s.Write(chunk) })
		if allocs != 0 {
			t.Errorf("%s: %v allocations per 32 KiB write, want 0", s.Kind(), allocs)
		}
		if len(s.head) != 0 || len(s.pdfEncrypt.tail) > len("/Encrypt") {
			t.Errorf("%s: buffers grew: head %d, tail %d", s.Kind(), len(s.head), len(s.pdfEncrypt.tail))
		}
	}
}

func TestScannerIsWriter(t *testing.T) {
	var _ io.Writer = NewScanner("x")
	s := NewScanner("x.pdf")
	n, err := io.Copy(s, io.LimitReader(zeroReader{}, 50<<20))
	if err != nil || n != 50<<20 || s.Size() != 50<<20 {
		t.Fatalf("io.Copy = %d, %v; Size = %d", n, err, s.Size())
	}
	if s.Kind() != KindUnknown || len(s.Risks()) != 0 {
		t.Errorf("zeros: Kind %q, Risks %v", s.Kind(), s.Risks())
	}
}

type zeroReader struct{}

func (zeroReader) Read(p []byte) (int, error) {
	clear(p)
	return len(p), nil
}

func BenchmarkScannerPDF(b *testing.B) {
	chunk := bytes.Repeat([]byte("q 1 0 0 1 72 720 cm BT /F1 12 Tf (text) Tj ET Q\n"), 32*1024/48)
	b.SetBytes(int64(len(chunk)))
	b.ReportAllocs()
	s := NewScanner("a.pdf")
	s.Write([]byte("%PDF-1.7\n"))
	for b.Loop() {
		s.Write(chunk)
	}
}

// FuzzScanner checks that the findings do not depend on how the bytes are
// split into writes.
func FuzzScanner(f *testing.F) {
	f.Add([]byte("%PDF-1.7\n<< /Encrypt 1 0 R >>"), uint8(3))
	f.Add(oleFile([]oleEntry{{"Root Entry", oleRoot}, {"_VBA_PROJECT_CUR", oleStorage}}, nil), uint8(100))
	f.Add([]byte("MZ"), uint8(1))
	f.Fuzz(func(t *testing.T, data []byte, chunk uint8) {
		whole := NewScanner("x")
		whole.Write(data)
		split := NewScanner("x")
		step := int(chunk) + 1
		for p := data; len(p) > 0; {
			n := min(step, len(p))
			split.Write(p[:n])
			p = p[n:]
		}
		if whole.Kind() != split.Kind() || !slices.Equal(whole.Risks(), split.Risks()) || whole.Size() != split.Size() {
			t.Errorf("whole: %s %v; in chunks of %d: %s %v", whole.Kind(), whole.Risks(), step, split.Kind(), split.Risks())
		}
	})
}
