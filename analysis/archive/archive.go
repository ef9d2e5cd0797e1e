// Package archive lists archive attachments without extracting them:
// entry names (UTF-8, CP932 or Info-ZIP Unicode Path), declared sizes, the
// encryption method of every entry, risky names, nested archives (opened
// recursively within limits), OOXML documents carrying VBA macros, and
// decompression bombs. It is pure and safe for concurrent use; memory and
// time are bounded by Limits whatever the input.
//
// Every archive in the bytes is found (finder.go), because readers
// disagree on where one is: ZIPs behind junk or a self-extractor stub,
// concatenated ZIPs, 7z and RAR archives. ZIPs are read with the standard
// library's archive/zip (Zip64, data descriptors), and their local headers
// are read too (crosscheck.go): an entry is encrypted when either copy of
// its header says so. The header facts archive/zip does not interpret (the
// WinZip AES and strong-encryption extra fields, the Unicode Path field,
// the raw name bytes) are read from FileHeader.Flags and FileHeader.Extra
// here. 7z and RAR are listed from their headers (sevenzip.go, rar.go):
// names and encryption, never contents.
package archive

import (
	stdzip "archive/zip"
	"fmt"
	"io"
	"math"

	"mxaudit/model"
)

// Limits bound the work Inspect does on one attachment.
type Limits struct {
	// MaxEntries is how many entries are listed per archive; more make the
	// archive a bomb (the rest are only counted in TotalEntries). Below
	// 65535, only that many central-directory records are parsed, so memory
	// does not grow with the archive's entry count.
	MaxEntries int
	// MaxDepth is how many levels of archives inside the attachment are
	// opened; an archive found below that makes the attachment a bomb.
	MaxDepth int
	// MaxDeclaredBytes caps the sum of the declared uncompressed sizes of
	// one archive's entries; above it the archive is a bomb.
	MaxDeclaredBytes int64
	// MaxRatio is the compression ratio above which an entry larger than
	// MinRatioBytes makes its archive a bomb.
	MaxRatio float64
	// MinRatioBytes keeps small, very compressible files (a page of
	// spaces) from counting as bombs.
	MinRatioBytes int64
	// MaxNestedBytes is the largest nested archive that is decompressed
	// into memory to be listed.
	MaxNestedBytes int64
	// MaxTotalDecompressed caps the bytes decompressed by one Inspect call,
	// nested archives and content checks together.
	MaxTotalDecompressed int64
	// MaxSniffedEntries caps how many entries per Inspect call are opened
	// to check their content (magic bytes, encrypted PDF, OLE macros).
	MaxSniffedEntries int
}

// DefaultLimits returns the limits used when a field of Limits is zero.
func DefaultLimits() Limits {
	return Limits{
		MaxEntries:           10_000,
		MaxDepth:             3,
		MaxDeclaredBytes:     1 << 30,
		MaxRatio:             1000,
		MinRatioBytes:        10 << 20,
		MaxNestedBytes:       16 << 20,
		MaxTotalDecompressed: 64 << 20,
		MaxSniffedEntries:    1000,
	}
}

// withDefaults fills the zero fields of l from DefaultLimits.
func (l Limits) withDefaults() Limits {
	d := DefaultLimits()
	if l.MaxEntries <= 0 {
		l.MaxEntries = d.MaxEntries
	}
	if l.MaxDepth <= 0 {
		l.MaxDepth = d.MaxDepth
	}
	if l.MaxDeclaredBytes <= 0 {
		l.MaxDeclaredBytes = d.MaxDeclaredBytes
	}
	if l.MaxRatio <= 0 {
		l.MaxRatio = d.MaxRatio
	}
	if l.MinRatioBytes <= 0 {
		l.MinRatioBytes = d.MinRatioBytes
	}
	if l.MaxNestedBytes <= 0 {
		l.MaxNestedBytes = d.MaxNestedBytes
	}
	if l.MaxTotalDecompressed <= 0 {
		l.MaxTotalDecompressed = d.MaxTotalDecompressed
	}
	if l.MaxSniffedEntries <= 0 {
		l.MaxSniffedEntries = d.MaxSniffedEntries
	}
	return l
}

// IsZip reports whether head starts like a ZIP: a local file header, an
// empty archive's end record, or the spanned-archive marker.
func IsZip(head []byte) bool {
	if len(head) < 4 || head[0] != 'P' || head[1] != 'K' {
		return false
	}
	s := string(head[2:4])
	return s == "\x03\x04" || s == "\x05\x06" || s == "\x07\x08"
}

// Inspect lists the archives in r (size bytes long): every ZIP, 7z and RAR
// that Find sees, the one archive/zip would read first and the others in
// Others. name is the attachment's file name, used only in messages. It
// never panics and always returns an Archive: a broken archive has Error
// set and the broken-archive risk, with whatever entries could be
// recovered from the local headers.
func Inspect(r io.ReaderAt, size int64, name string, lim Limits) *model.Archive {
	return guard(name, func() *model.Archive {
		in := newInspector(lim)
		if a := in.inspectAll(r, size, 0); a != nil {
			return a
		}
		return in.inspect(r, size, 0)
	})
}

// InspectFound is Inspect for bytes that may hold no archive at all (an
// attachment of any type): it returns nil when Find sees none, reading r
// once for the signatures whatever the outcome.
func InspectFound(r io.ReaderAt, size int64, name string, lim Limits) *model.Archive {
	return guard(name, func() *model.Archive {
		return newInspector(lim).inspectAll(r, size, 0)
	})
}

// guard runs fn, turning a panic into a broken listing: bounds are checked
// everywhere, but a bug must cost one attachment's listing, not the whole
// scan.
func guard(name string, fn func() *model.Archive) (a *model.Archive) {
	defer func() {
		if p := recover(); p != nil {
			a = &model.Archive{
				Format: "zip",
				Error:  fmt.Sprintf("internal error while reading %q: %v", name, p),
				Risks:  []model.Risk{model.RiskBrokenArchive},
			}
		}
	}()
	return fn()
}

func newInspector(lim Limits) *inspector {
	lim = lim.withDefaults()
	return &inspector{lim: lim, decompressLeft: lim.MaxTotalDecompressed, sniffsLeft: lim.MaxSniffedEntries}
}

// inspector carries the limits and the budgets shared by one top-level
// archive and everything nested in it.
type inspector struct {
	lim            Limits
	decompressLeft int64
	sniffsLeft     int
	// bomb is set once any level found a bomb: nothing more is opened.
	bomb bool
}

// inspect lists one archive at the given nesting depth (0 = attachment).
func (in *inspector) inspect(r io.ReaderAt, size int64, depth int) *model.Archive {
	a := &model.Archive{Format: "zip"}
	zr, size, declared, err := in.open(r, size)
	if err != nil {
		salvage(a, r, size, in.lim.MaxEntries, err)
		return a
	}
	files := zr.File
	a.TotalEntries = int(min(max(declared, uint64(len(files))), math.MaxInt32))
	if a.TotalEntries > in.lim.MaxEntries {
		files = files[:min(len(files), in.lim.MaxEntries)]
		a.Truncated = true
		in.flagBomb(a)
	}
	if declaredTotal(zr.File) > uint64(in.lim.MaxDeclaredBytes) {
		in.flagBomb(a)
	}
	if isOOXMLWithMacros(zr.File) {
		a.Risks = model.AddRisk(a.Risks, model.RiskMacro)
	}

	a.Entries = make([]model.Entry, len(files))
	for i, f := range files {
		e := &a.Entries[i]
		fillEntry(e, f)
		addEntryEncryption(a, e)
		if in.isRatioBomb(e) {
			in.flagBomb(a)
		}
	}
	in.checkLayout(a, files, size)
	in.crossCheck(a, r, size, files)

	for i, f := range files {
		if in.bomb {
			break
		}
		in.inspectContent(a, &a.Entries[i], f, depth)
	}
	return a
}

// open reads the central directory with archive/zip. When the archive
// declares more entries than the limit, only the first MaxEntries records
// are parsed (see entryLimitedView), and declared is the full count; the
// returned size is that of the reader the entries refer to.
func (in *inspector) open(r io.ReaderAt, size int64) (zr *stdzip.Reader, viewSize int64, declared uint64, err error) {
	if view, vsize, total, ok := entryLimitedView(r, size, in.lim.MaxEntries); ok {
		zr, err = stdzip.NewReader(view, vsize)
		if err == nil || err == stdzip.ErrInsecurePath {
			return zr, vsize, total, nil
		}
		// The cut view did not read back: fall back to the whole file.
	}
	zr, err = stdzip.NewReader(r, size)
	if err == stdzip.ErrInsecurePath {
		err = nil // names like "../x" are listed, not extracted
	}
	return zr, size, 0, err
}

// fillEntry copies the header facts of f into e.
func fillEntry(e *model.Entry, f *stdzip.File) {
	e.Name = decodeName(f.Name, f.Flags, f.Extra)
	e.Size = clampInt64(f.UncompressedSize64)
	e.CompressedSize = clampInt64(f.CompressedSize64)
	e.Encrypted, e.Encryption = entryEncryption(f.Flags, f.Method, f.Extra)
	e.Dir = f.Mode().IsDir()
	if !e.Dir {
		e.Risks = entryNameRisks(e.Name)
	}
}

// addEntryEncryption folds an entry's encryption into its archive's.
func addEntryEncryption(a *model.Archive, e *model.Entry) {
	if e.Encrypted {
		a.Encrypted = true
		a.Encryption = a.Encryption.Stronger(e.Encryption)
	}
}

func clampInt64(v uint64) int64 {
	if v > math.MaxInt64 {
		return math.MaxInt64
	}
	return int64(v)
}
