package filetype

import (
	"bytes"
	"encoding/binary"
	"unicode/utf16"

	"mxaudit/model"
)

// Scanner inspects one non-archive attachment as it streams past, with a
// few kilobytes of memory whatever the attachment's size. Write all of the
// file's bytes to it (it never returns an error), then read Kind, Size and
// Risks. A Scanner is not safe for concurrent use; use one per file.
//
// What it finds:
//   - executables by magic bytes (MZ, ELF, Mach-O), whatever the name says;
//   - ISO 9660/UDF disk images by their volume descriptor at 0x8001;
//   - an encrypted PDF: a "/Encrypt" key anywhere in a file that starts
//     (within 1024 bytes) with "%PDF-";
//   - in an OLE/CFB file: a directory entry named "EncryptedPackage"
//     (password-protected OOXML is stored that way) → encrypted document;
//     entries named "_VBA_PROJECT_CUR", "_VBA_PROJECT" or a "VBA" storage
//     (legacy Word/Excel with VBA macros) → macro.
//
// What it does not find: RC4/CryptoAPI-encrypted legacy .doc/.xls/.ppt
// (they keep their usual streams and set a flag inside them), PowerPoint
// 97-2003 macros (stored compressed inside the "PowerPoint Document"
// stream), XLM 4.0 macro sheets, a "/Encrypt" key written with #-escapes
// ("/Encr#79pt"), PDF JavaScript or embedded files, scripts without a
// recognisable magic, and anything inside archives (the archive package
// handles those).
type Scanner struct {
	name string
	size int64

	head    []byte // the first headLen bytes, until the kind is decided
	decided bool
	kind    Kind
	isoID   [5]byte // bytes at isoDescriptorOffset..+5, filled as they pass

	pdfEncrypt finder
	ole        oleDirScanner
}

// headLen is how much of the start of a file is kept to tell its kind.
const headLen = pdfWindow

// NewScanner returns a Scanner for a file with the given (decoded) name,
// whose name risks it also reports.
func NewScanner(name string) *Scanner {
	return &Scanner{name: name, pdfEncrypt: finder{pat: []byte("/Encrypt")}}
}

// Write implements io.Writer. It always consumes all of p.
func (s *Scanner) Write(p []byte) (int, error) {
	n := len(p)
	s.captureISO(p)
	s.size += int64(n)
	if !s.decided {
		take := min(headLen-len(s.head), len(p))
		s.head = append(s.head, p[:take]...)
		p = p[take:]
		if len(s.head) < headLen {
			return n, nil
		}
		s.decide()
	}
	s.scan(p)
	return n, nil
}

// Kind returns the file's format as its bytes show it.
func (s *Scanner) Kind() Kind {
	if !s.decided {
		s.decide()
	}
	if s.kind == KindUnknown && (string(s.isoID[:]) == "CD001" || string(s.isoID[:]) == "BEA01") {
		return KindISO
	}
	return s.kind
}

// Size returns the number of bytes written.
func (s *Scanner) Size() int64 { return s.size }

// Risks returns the name's risks followed by those the content showed.
func (s *Scanner) Risks() []model.Risk {
	risks := NameRisks(s.name)
	kind := s.Kind()
	switch {
	case kind.IsExecutable():
		risks = model.AddRisk(risks, model.RiskExecutable)
	case kind == KindISO:
		risks = model.AddRisk(risks, model.RiskExecutable)
		risks = model.AddRisk(risks, model.RiskDiskImage)
	case kind == KindPDF && s.pdfEncrypt.found:
		risks = model.AddRisk(risks, model.RiskEncryptedDocument)
	case kind == KindOLE:
		if s.ole.encrypted {
			risks = model.AddRisk(risks, model.RiskEncryptedDocument)
		}
		if s.ole.vba {
			risks = model.AddRisk(risks, model.RiskMacro)
		}
	}
	return risks
}

// decide fixes the kind from the head kept so far and scans that head with
// the kind's content checks; later writes are scanned as they come.
func (s *Scanner) decide() {
	s.decided = true
	s.kind = Sniff(s.head)
	if s.kind == KindEmptyInput {
		s.kind = KindUnknown
	}
	head := s.head
	s.head = nil
	s.scan(head)
}

func (s *Scanner) scan(p []byte) {
	switch s.kind {
	case KindPDF:
		s.pdfEncrypt.write(p)
	case KindOLE:
		s.ole.write(p)
	}
}

// captureISO copies whatever part of p falls on the ISO volume descriptor
// identifier.
func (s *Scanner) captureISO(p []byte) {
	start, end := s.size, s.size+int64(len(p))
	lo, hi := max(start, isoDescriptorOffset), min(end, isoDescriptorOffset+int64(len(s.isoID)))
	if lo < hi {
		copy(s.isoID[lo-isoDescriptorOffset:], p[lo-start:hi-start])
	}
}

// finder reports whether pat occurs in a stream written in pieces. It keeps
// the last len(pat)-1 bytes so that a match across two writes is found.
type finder struct {
	pat   []byte
	tail  []byte
	found bool
}

func (f *finder) write(p []byte) {
	if f.found || len(p) == 0 {
		return
	}
	keep := len(f.pat) - 1
	// A match straddling the boundary starts in the tail and ends in the
	// first keep bytes of p.
	joined := append(f.tail, p[:min(keep, len(p))]...)
	if bytes.Contains(joined, f.pat) || bytes.Contains(p, f.pat) {
		f.found = true
		f.tail = nil
		return
	}
	if len(p) >= keep {
		f.tail = append(joined[:0], p[len(p)-keep:]...)
	} else {
		f.tail = append(joined[:0], joined[max(0, len(joined)-keep):]...)
	}
}

// oleDirEntryLen is the size of a CFB directory entry. Directory sectors
// start at multiples of the sector size (512 or 4096), so every directory
// entry starts at a file offset that is a multiple of 128.
const oleDirEntryLen = 128

// oleDirScanner treats every 128-byte-aligned block of a CFB file as a
// candidate directory entry and checks it the way a reader would: a name
// length that fits, a NUL terminator, a valid object type. Checking the
// structure rather than searching for the name keeps document text that
// mentions "_VBA_PROJECT" from counting.
type oleDirScanner struct {
	rec       [oleDirEntryLen]byte
	fill      int
	encrypted bool
	vba       bool
}

func (o *oleDirScanner) write(p []byte) {
	if o.fill > 0 {
		n := copy(o.rec[o.fill:], p)
		o.fill += n
		p = p[n:]
		if o.fill < oleDirEntryLen {
			return
		}
		o.check(o.rec[:])
		o.fill = 0
	}
	for len(p) >= oleDirEntryLen {
		o.check(p[:oleDirEntryLen])
		p = p[oleDirEntryLen:]
	}
	o.fill = copy(o.rec[:], p)
}

// CFB object types (MS-CFB 2.6.1).
const (
	oleStorage = 1
	oleStream  = 2
	oleRoot    = 5
)

var (
	oleEncryptedPackage = utf16le("EncryptedPackage")
	oleVBAProjectCur    = utf16le("_VBA_PROJECT_CUR")
	oleVBAProject       = utf16le("_VBA_PROJECT")
	oleVBA              = utf16le("VBA")
)

func (o *oleDirScanner) check(e []byte) {
	nameLen := int(binary.LittleEndian.Uint16(e[64:66])) // bytes, terminator included
	typ := e[66]
	if nameLen < 4 || nameLen > 64 || nameLen%2 != 0 || (typ != oleStorage && typ != oleStream && typ != oleRoot) {
		return
	}
	if e[nameLen-2] != 0 || e[nameLen-1] != 0 {
		return
	}
	name := e[:nameLen-2]
	switch {
	case bytes.Equal(name, oleEncryptedPackage) && typ == oleStream:
		o.encrypted = true
	case bytes.Equal(name, oleVBAProjectCur) && typ == oleStorage,
		bytes.Equal(name, oleVBAProject) && typ == oleStream,
		bytes.Equal(name, oleVBA) && typ == oleStorage:
		o.vba = true
	}
}

func utf16le(s string) []byte {
	units := utf16.Encode([]rune(s))
	b := make([]byte, 0, 2*len(units))
	for _, u := range units {
		b = binary.LittleEndian.AppendUint16(b, u)
	}
	return b
}
