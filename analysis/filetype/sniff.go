package filetype

import (
	"bytes"
	"encoding/binary"
)

// Kind is a file format recognised from its first bytes.
type Kind string

// Kinds Sniff can tell apart.
const (
	KindUnknown    Kind = "unknown"
	KindZip        Kind = "zip"   // also OOXML (docx, xlsm), ODF, JAR, APK
	KindOLE        Kind = "ole"   // Compound File Binary: legacy .doc/.xls/.ppt, .msi, encrypted OOXML
	KindPDF        Kind = "pdf"   // "%PDF-" within the first 1024 bytes, as readers accept
	KindPE         Kind = "pe"    // "MZ": Windows/DOS executable or DLL
	KindELF        Kind = "elf"   // Linux/Unix executable
	KindMachO      Kind = "macho" // macOS executable, thin or universal
	KindGzip       Kind = "gzip"
	KindRAR        Kind = "rar"
	Kind7z         Kind = "7z"
	KindBzip2      Kind = "bzip2"
	KindXZ         Kind = "xz"
	KindCAB        Kind = "cab"
	KindLZH        Kind = "lzh"
	KindISO        Kind = "iso" // ISO 9660/UDF volume descriptor at 0x8001: needs that much head
	KindRTF        Kind = "rtf"
	KindEmptyInput Kind = "empty"
)

// IsExecutable reports whether files of kind k run natively.
func (k Kind) IsExecutable() bool { return k == KindPE || k == KindELF || k == KindMachO }

// IsArchive reports whether k is an archive or compressed-stream format.
func (k Kind) IsArchive() bool {
	switch k {
	case KindZip, KindGzip, KindRAR, Kind7z, KindBzip2, KindXZ, KindCAB, KindLZH:
		return true
	}
	return false
}

// pdfWindow is how far into a file readers look for "%PDF-"; Acrobat
// accepts junk before the header, and attackers use that to dodge filters.
const pdfWindow = 1024

// isoDescriptorOffset is where the first ISO 9660/UDF volume descriptor's
// identifier sits (sector 16, after its type byte).
const isoDescriptorOffset = 0x8001

// Sniff names the format of a file from its first bytes. head should hold
// at least the first 512 bytes (1024 to find a late "%PDF-", 0x8006 to see
// a disk image) or the whole file when it is shorter.
func Sniff(head []byte) Kind {
	switch {
	case len(head) == 0:
		return KindEmptyInput
	case hasAnyPrefix(head, "PK\x03\x04", "PK\x05\x06", "PK\x07\x08"):
		return KindZip
	case hasAnyPrefix(head, "\xD0\xCF\x11\xE0\xA1\xB1\x1A\xE1"):
		return KindOLE
	case hasAnyPrefix(head, "MZ"):
		return KindPE
	case hasAnyPrefix(head, "\x7FELF"):
		return KindELF
	case isMachO(head):
		return KindMachO
	case hasAnyPrefix(head, "\x1F\x8B"):
		return KindGzip
	case hasAnyPrefix(head, "Rar!\x1A\x07"):
		return KindRAR
	case hasAnyPrefix(head, "7z\xBC\xAF\x27\x1C"):
		return Kind7z
	case hasAnyPrefix(head, "BZh"):
		return KindBzip2
	case hasAnyPrefix(head, "\xFD7zXZ\x00"):
		return KindXZ
	case hasAnyPrefix(head, "MSCF\x00\x00\x00\x00"):
		return KindCAB
	case isLZH(head):
		return KindLZH
	case hasAnyPrefix(head, `{\rtf`):
		return KindRTF
	case bytes.Contains(head[:min(len(head), pdfWindow)], []byte("%PDF-")):
		return KindPDF
	case isISO(head):
		return KindISO
	}
	return KindUnknown
}

func hasAnyPrefix(b []byte, prefixes ...string) bool {
	for _, p := range prefixes {
		if len(b) >= len(p) && string(b[:len(p)]) == p {
			return true
		}
	}
	return false
}

// isMachO recognises thin Mach-O images of either byte order and universal
// ("fat") binaries. A fat header shares CAFEBABE with Java class files; a
// class file has its major version (45 and up) where a fat binary has its
// small architecture count.
func isMachO(b []byte) bool {
	if hasAnyPrefix(b, "\xFE\xED\xFA\xCE", "\xFE\xED\xFA\xCF", "\xCE\xFA\xED\xFE", "\xCF\xFA\xED\xFE") {
		return true
	}
	if len(b) >= 8 && hasAnyPrefix(b, "\xCA\xFE\xBA\xBE") {
		n := binary.BigEndian.Uint32(b[4:8])
		return n > 0 && n < 45
	}
	return false
}

// isLZH recognises an LHA header: "-lh?-" or "-lz?-" at offset 2.
func isLZH(b []byte) bool {
	if len(b) < 7 || b[2] != '-' || b[3] != 'l' || b[6] != '-' {
		return false
	}
	return b[4] == 'h' || b[4] == 'z'
}

// isISO looks for the "CD001" (ISO 9660) or "BEA01" (UDF) identifier of the
// first volume descriptor.
func isISO(b []byte) bool {
	if len(b) < isoDescriptorOffset+5 {
		return false
	}
	id := string(b[isoDescriptorOffset : isoDescriptorOffset+5])
	return id == "CD001" || id == "BEA01"
}
