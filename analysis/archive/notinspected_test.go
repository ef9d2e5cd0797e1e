package archive

import (
	"fmt"
	"slices"
	"testing"

	yzip "github.com/yeka/zip"

	"mxaudit/model"
)

// TestInspectBudgetLeavesNotInspected fills the content-check budget with
// 1000 one-byte files and puts an encrypted ZIP named report.dat and an
// executable named photo.jpg after them (review finding 5): neither is
// checked, so the archive must be not-inspected and truncated, never
// clean.
func TestInspectBudgetLeavesNotInspected(t *testing.T) {
	files := make([]file, 0, 1002)
	for i := range 1000 {
		files = append(files, file{name: fmt.Sprintf("f%04d.txt", i), data: []byte("x")})
	}
	inner := yekaZipBytes(t, file{name: "setup.exe", data: []byte("MZ\x90\x00"), password: "infected", enc: yzip.StandardEncryption})
	files = append(files, file{name: "report.dat", data: inner, store: true}, file{name: "photo.jpg", data: []byte("MZ\x90\x00 not a photo")})
	a := inspectBytes(stdZipBytes(t, files...))
	if !a.Truncated || !slices.Contains(a.AllRisks(), model.RiskNotInspected) {
		t.Errorf("truncated %v, risks %v: want truncated and %s", a.Truncated, a.AllRisks(), model.RiskNotInspected)
	}
	// Within the budget the same files are checked, and nothing is left.
	a = inspectBytes(stdZipBytes(t, files[len(files)-2:]...))
	if a.Truncated || slices.Contains(a.AllRisks(), model.RiskNotInspected) || !anyEncrypted(a) {
		t.Errorf("within budget: truncated %v, risks %v, encrypted %v", a.Truncated, a.AllRisks(), anyEncrypted(a))
	}
}

// TestInspectPlainRARNotInspected: a plain RAR's files are judged by name
// only, so it is not-inspected (review finding 12); an empty or wholly
// encrypted one is not.
func TestInspectPlainRARNotInspected(t *testing.T) {
	inner := yekaZipBytes(t, file{name: "setup.exe", data: []byte("MZ\x90\x00"), password: "infected", enc: yzip.StandardEncryption})
	tests := []struct {
		name  string
		data  []byte
		risky bool
	}{
		{"plain file", rar5([]rarFile{{name: "readme.txt", data: []byte("MZ\x90\x00")}}, false), true},
		{"rar 4 plain file", rar4([]rarFile{{name: "readme.txt", data: []byte("MZ\x90\x00")}}, false), true},
		{"encrypted zip as report.dat", rar4([]rarFile{{name: "report.dat", data: inner}}, false), true},
		{"encrypted only", rar5([]rarFile{{name: "a.exe", data: []byte("x"), encrypted: true}}, false), false},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			a := inspectBytes(tt.data)
			if got := slices.Contains(a.AllRisks(), model.RiskNotInspected); got != tt.risky {
				t.Errorf("not-inspected = %v, want %v (risks %v)", got, tt.risky, a.AllRisks())
			}
		})
	}
}
