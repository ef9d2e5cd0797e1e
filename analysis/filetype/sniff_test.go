package filetype

import (
	"bytes"
	"testing"
)

func TestSniff(t *testing.T) {
	iso := make([]byte, isoDescriptorOffset+16)
	copy(iso[isoDescriptorOffset:], "CD001")
	lateISO := make([]byte, isoDescriptorOffset+2) // too short to hold the identifier
	latePDF := append(bytes.Repeat([]byte{' '}, 900), "%PDF-1.7\n"...)
	tooLatePDF := append(bytes.Repeat([]byte{' '}, 1100), "%PDF-1.7\n"...)
	tests := []struct {
		name string
		head []byte
		want Kind
	}{
		{"empty", nil, KindEmptyInput},
		{"zip local header", []byte("PK\x03\x04\x14\x00"), KindZip},
		{"empty zip", []byte("PK\x05\x06" + string(make([]byte, 18))), KindZip},
		{"spanned zip", []byte("PK\x07\x08PK\x03\x04"), KindZip},
		{"PK alone", []byte("PK"), KindUnknown},
		{"ole", []byte("\xD0\xCF\x11\xE0\xA1\xB1\x1A\xE1\x00"), KindOLE},
		{"pdf", []byte("%PDF-1.4\n"), KindPDF},
		{"pdf after junk", latePDF, KindPDF},
		{"pdf too late", tooLatePDF, KindUnknown},
		{"pe", []byte("MZ\x90\x00"), KindPE},
		{"elf", []byte("\x7FELF\x02\x01"), KindELF},
		{"macho 64 le", []byte("\xCF\xFA\xED\xFE"), KindMachO},
		{"macho 32 be", []byte("\xFE\xED\xFA\xCE"), KindMachO},
		{"macho fat", []byte("\xCA\xFE\xBA\xBE\x00\x00\x00\x02"), KindMachO},
		{"java class", []byte("\xCA\xFE\xBA\xBE\x00\x00\x00\x34"), KindUnknown},
		{"gzip", []byte("\x1F\x8B\x08"), KindGzip},
		{"rar4", []byte("Rar!\x1A\x07\x00"), KindRAR},
		{"rar5", []byte("Rar!\x1A\x07\x01\x00"), KindRAR},
		{"7z", []byte("7z\xBC\xAF\x27\x1C\x00\x04"), Kind7z},
		{"bzip2", []byte("BZh91AY"), KindBzip2},
		{"xz", []byte("\xFD7zXZ\x00\x00"), KindXZ},
		{"cab", []byte("MSCF\x00\x00\x00\x00"), KindCAB},
		{"lzh", []byte("\x00\x00-lh5-"), KindLZH},
		{"rtf", []byte(`{\rtf1\ansi`), KindRTF},
		{"iso", iso, KindISO},
		{"iso cut short", lateISO, KindUnknown},
		{"text", []byte("hello world"), KindUnknown},
	}
	for _, tt := range tests {
		if got := Sniff(tt.head); got != tt.want {
			t.Errorf("%s: Sniff = %q, want %q", tt.name, got, tt.want)
		}
	}
}

func TestKindClasses(t *testing.T) {
	for _, k := range []Kind{KindPE, KindELF, KindMachO} {
		if !k.IsExecutable() || k.IsArchive() {
			t.Errorf("%s: want executable, not archive", k)
		}
	}
	for _, k := range []Kind{KindZip, KindGzip, KindRAR, Kind7z, KindBzip2, KindXZ, KindCAB, KindLZH} {
		if !k.IsArchive() || k.IsExecutable() {
			t.Errorf("%s: want archive, not executable", k)
		}
	}
	for _, k := range []Kind{KindPDF, KindOLE, KindUnknown, KindISO} {
		if k.IsArchive() || k.IsExecutable() {
			t.Errorf("%s: want neither archive nor executable", k)
		}
	}
}
