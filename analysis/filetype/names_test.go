package filetype

import (
	"slices"
	"testing"

	"mxaudit/model"
)

func TestNameRisks(t *testing.T) {
	const (
		exe   = model.RiskExecutable
		dbl   = model.RiskDoubleExtension
		macro = model.RiskMacro
		disk  = model.RiskDiskImage
		rtlo  = model.RiskRTLO
	)
	tests := []struct {
		name string
		want []model.Risk
	}{
		{"report.pdf", nil},
		{"photo.JPG", nil},
		{"README", nil},
		{"", nil},
		{"setup.exe", []model.Risk{exe}},
		{"SETUP.EXE", []model.Risk{exe}},
		{"setup.exe. . ", []model.Risk{exe}}, // Windows drops trailing dots and spaces
		{"run.ps1", []model.Risk{exe}},
		{"shortcut.lnk", []model.Risk{exe}},
		{"page.hta", []model.Risk{exe}},
		{"app.application", []model.Risk{exe}},
		{"link.url", []model.Risk{exe}},
		{"mod.psm1", []model.Risk{exe}},
		{"exe", nil}, // no dot: no extension
		{"installer.iso", []model.Risk{exe, disk}},
		{"disk.VHDX", []model.Risk{exe, disk}},
		{"disk.img", []model.Risk{exe, disk}},
		{"invoice.pdf.exe", []model.Risk{exe, dbl}},
		{"invoice.PDF.Scr", []model.Risk{exe, dbl}},
		{"請求書.docx   .scr", []model.Risk{exe, dbl}},
		{"scan.jpg                                        .exe", []model.Risk{exe, dbl}},
		{"scan.jpg\u3000\u3000.js", []model.Risk{exe, dbl}},
		{"scan.pdf__.exe", []model.Risk{exe, dbl}},
		{"archive.tar.gz", nil},
		{"my.program.exe", []model.Risk{exe}}, // "program" is no decoy
		{"budget.xlsm", []model.Risk{macro}},
		{"Template.DOTM", []model.Risk{macro}},
		{"addin.xlam", []model.Risk{macro}},
		{"budget.xlsx", nil},
		{"invoice\u202Efdp.exe", []model.Risk{rtlo, exe}},
		{"invoice\u202Excod.docm", []model.Risk{rtlo, macro}},
		{"name\u2067x\u2069.txt", []model.Risk{rtlo}},
		{"dir/sub/run.bat", []model.Risk{exe}},
		{`dir\sub\run.cmd`, []model.Risk{exe}},
		{"dir.exe/readme.txt", nil}, // only the last element counts
	}
	for _, tt := range tests {
		got := NameRisks(tt.name)
		if !slices.Equal(got, tt.want) {
			t.Errorf("NameRisks(%q) = %v, want %v", tt.name, got, tt.want)
		}
	}
}

func TestIsArchiveName(t *testing.T) {
	tests := []struct {
		name string
		want bool
	}{
		{"a.zip", true},
		{"A.ZIP", true},
		{"a.7z", true},
		{"a.rar", true},
		{"a.tar.gz", true},
		{"a.tgz", true},
		{"a.lzh", true},
		{"a.cab", true},
		{"a.xz", true},
		{"a.bz2", true},
		{"a.zipx", true},
		{"a.zip. ", true},
		{"dir/inner.zip", true},
		{"a.docx", false},
		{"zip", false},
		{"a.zip.exe", false},
	}
	for _, tt := range tests {
		if got := IsArchiveName(tt.name); got != tt.want {
			t.Errorf("IsArchiveName(%q) = %v, want %v", tt.name, got, tt.want)
		}
	}
}

func TestIsMacroName(t *testing.T) {
	for name, want := range map[string]bool{"a.docm": true, "A.PPTM": true, "a.docx": false, "a.doc": false} {
		if got := IsMacroName(name); got != want {
			t.Errorf("IsMacroName(%q) = %v, want %v", name, got, want)
		}
	}
}
