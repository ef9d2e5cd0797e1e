package archive

import (
	stdzip "archive/zip"
	"bytes"
	"errors"
	"fmt"
	"io"
	"sync"

	"mxaudit/analysis/filetype"
	"mxaudit/model"
)

// sniffLen is how much of an entry is decompressed to tell its kind; it is
// filetype's window for a late "%PDF-" header.
const sniffLen = 1024

// entryNameRisks are the risks an entry's name shows, an archive name
// counting as a nested archive.
func entryNameRisks(name string) []model.Risk {
	risks := filetype.NameRisks(name)
	if filetype.IsArchiveName(name) {
		risks = model.AddRisk(risks, model.RiskNestedArchive)
	}
	return risks
}

// inspectContent looks inside one unencrypted entry, within the budgets:
// its magic bytes (an executable, an archive whatever its name), a nested
// ZIP (listed recursively), a PDF or OLE document (encryption, macros).
func (in *inspector) inspectContent(a *model.Archive, e *model.Entry, f *stdzip.File, depth int) {
	if e.Dir || e.Encrypted || f.CompressedSize64 == 0 {
		return
	}
	if in.sniffsLeft <= 0 || in.decompressLeft <= 0 {
		// Whatever its name, an entry left unchecked may be an
		// executable or an encrypted archive by its magic bytes: the
		// archive is not-inspected, never clean (review finding 5).
		a.Truncated = true
		a.Risks = model.AddRisk(a.Risks, model.RiskNotInspected)
		return
	}
	in.sniffsLeft--
	rc, err := f.Open()
	if err != nil {
		// Unsupported method (bzip2, LZMA, PPMd...) or a bad local header,
		// already reported by checkLayout: the content cannot be seen.
		return
	}
	defer rc.Close()
	head, err := in.read(rc, sniffLen)
	if errors.Is(err, io.EOF) || errors.Is(err, io.ErrUnexpectedEOF) {
		err = nil // shorter than sniffLen; a real short read shows again below
	}
	// The bytes read so far are judged even when the stream then failed
	// (bad CRC, corrupt deflate data): an executable stays an executable.
	kind := filetype.Sniff(head)
	switch {
	case kind.IsExecutable():
		e.Risks = model.AddRisk(e.Risks, model.RiskExecutable)
	case kind == filetype.KindZip && err != nil:
		e.Risks = model.AddRisk(e.Risks, model.RiskNestedArchive)
		e.Archive = brokenNested(e.Name, err)
	case kind == filetype.KindZip || kind == filetype.Kind7z || kind == filetype.KindRAR || isListableName(e.Name):
		// An archive by its magic, or by its name with junk in front:
		// listed, so that encryption at any depth is seen.
		in.openNested(a, e, rc, head, depth)
	case kind.IsArchive():
		e.Risks = model.AddRisk(e.Risks, model.RiskNestedArchive)
	case (kind == filetype.KindPDF || kind == filetype.KindOLE) && err == nil:
		in.scanDocument(e, rc, head)
	}
}

// brokenNested is the listing of a nested archive that could not be
// decompressed.
func brokenNested(name string, err error) *model.Archive {
	return &model.Archive{
		Format: "zip",
		Error:  fmt.Sprintf("cannot decompress nested archive %q: %v", name, err),
		Risks:  []model.Risk{model.RiskBrokenArchive},
	}
}

// read decompresses up to n bytes from r, charging them to the budget.
func (in *inspector) read(r io.Reader, n int64) ([]byte, error) {
	n = min(n, in.decompressLeft)
	buf := make([]byte, n)
	got, err := io.ReadFull(r, buf)
	in.decompressLeft -= int64(got)
	return buf[:got], err
}

// openNested lists a ZIP found inside a ZIP. head holds the bytes already
// read from rc. It is decompressed into memory only when its declared size
// fits the per-archive cap and the remaining budget; below the depth limit
// a further archive means a 42.zip-style nest, which is a bomb.
func (in *inspector) openNested(a *model.Archive, e *model.Entry, rc io.Reader, head []byte, depth int) {
	if depth+1 > in.lim.MaxDepth {
		e.Risks = model.AddRisk(e.Risks, model.RiskNestedArchive)
		a.Truncated = true
		in.flagBomb(a)
		return
	}
	if e.Size > in.lim.MaxNestedBytes || e.Size-int64(len(head)) > in.decompressLeft || e.Size < int64(len(head)) {
		e.Risks = model.AddRisk(e.Risks, model.RiskNestedArchive)
		a.Truncated = true
		return
	}
	// One buffer of the declared size: the archive/zip reader fails with
	// ErrFormat rather than return more than the declared size.
	buf := make([]byte, e.Size)
	copy(buf, head)
	got, err := io.ReadFull(rc, buf[len(head):])
	in.decompressLeft -= int64(got)
	if err == nil {
		// Read once more so that the CRC check at the end of the stream
		// runs and trailing data is noticed.
		var probe [1]byte
		switch n, perr := rc.Read(probe[:]); {
		case n > 0:
			err = errors.New("more data than its declared size")
		case perr != io.EOF:
			err = perr
		}
	}
	if err != nil {
		e.Risks = model.AddRisk(e.Risks, model.RiskNestedArchive)
		e.Archive = brokenNested(e.Name, err)
		return
	}
	nested := in.inspectAll(bytes.NewReader(buf), int64(len(buf)), depth+1)
	if nested == nil {
		nested = in.inspect(bytes.NewReader(buf), int64(len(buf)), depth+1)
	}
	e.Archive = nested
	if !isZipDocument(nested) {
		e.Risks = model.AddRisk(e.Risks, model.RiskNestedArchive)
	}
	if nested.Truncated {
		a.Truncated = true
	}
	for _, r := range nested.Risks {
		if r == model.RiskBomb {
			a.Risks = model.AddRisk(a.Risks, model.RiskBomb)
		}
	}
}

// copyBuffers are scanDocument's copy buffers: io.Copy would allocate 32
// KiB for every PDF or Office entry, which in a quarantine of invoices was
// a tenth of what an analysis allocated.
var copyBuffers = sync.Pool{New: func() any { b := make([]byte, 32<<10); return &b }}

// scanDocument streams a PDF or OLE entry through filetype's scanner for an
// encryption dictionary, an EncryptedPackage stream or a VBA project, as
// far as the decompression budget goes.
func (in *inspector) scanDocument(e *model.Entry, rc io.Reader, head []byte) {
	sc := filetype.NewScanner(e.Name)
	sc.Write(head)
	buf := copyBuffers.Get().(*[]byte)
	n, _ := io.CopyBuffer(sc, io.LimitReader(rc, in.decompressLeft), *buf)
	copyBuffers.Put(buf)
	in.decompressLeft -= n
	for _, r := range sc.Risks() {
		e.Risks = model.AddRisk(e.Risks, r)
	}
}

// isListableName reports an entry named like a ZIP, 7z or RAR archive.
func isListableName(name string) bool {
	return filetype.IsDeclaredArchive(name, "")
}
