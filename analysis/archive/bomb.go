package archive

import (
	stdzip "archive/zip"
	"fmt"
	"math"
	"path"
	"slices"
	"strings"

	"mxaudit/model"
)

// flagBomb marks a as a decompression bomb and stops all further opening
// of entries in this inspection: a bomb's contents are not worth the time.
func (in *inspector) flagBomb(a *model.Archive) {
	a.Risks = model.AddRisk(a.Risks, model.RiskBomb)
	in.bomb = true
}

// declaredTotal sums the declared uncompressed sizes, saturating instead of
// wrapping so that 2^64-byte declarations cannot add up to a small number.
func declaredTotal(files []*stdzip.File) uint64 {
	var total uint64
	for _, f := range files {
		if total > math.MaxUint64-f.UncompressedSize64 {
			return math.MaxUint64
		}
		total += f.UncompressedSize64
	}
	return total
}

// isRatioBomb reports an entry that declares a large size from a tiny
// compressed one. A large entry declaring no compressed bytes at all is
// treated as an infinite ratio.
func (in *inspector) isRatioBomb(e *model.Entry) bool {
	if e.Size <= in.lim.MinRatioBytes {
		return false
	}
	return e.CompressedSize <= 0 || e.Ratio() > in.lim.MaxRatio
}

// checkLayout verifies where each listed entry's data lies. An entry whose
// local header is missing or whose data runs past the end of the file makes
// the archive broken. Entries whose compressed data overlap are David
// Fifield's overlapping-file bomb (one compressed kernel referenced by many
// entries): no legitimate writer produces them. Sorting by offset makes the
// check O(n log n).
func (in *inspector) checkLayout(a *model.Archive, files []*stdzip.File, size int64) {
	type span struct{ start, end int64 }
	spans := make([]span, 0, len(files))
	for i, f := range files {
		off, err := f.DataOffset()
		if err != nil {
			markBroken(a, fmt.Sprintf("entry %q: no local file header at the offset the central directory gives (%v)", a.Entries[i].Name, err))
			continue
		}
		csize := f.CompressedSize64
		if off < 0 || off > size || csize > uint64(size-off) {
			markBroken(a, fmt.Sprintf("entry %q: its data runs past the end of the file (truncated archive?)", a.Entries[i].Name))
			continue
		}
		if csize > 0 {
			spans = append(spans, span{off, off + int64(csize)})
		}
	}
	slices.SortFunc(spans, func(x, y span) int {
		switch {
		case x.start < y.start:
			return -1
		case x.start > y.start:
			return 1
		}
		return 0
	})
	var reach int64 = -1
	for _, s := range spans {
		if s.start < reach {
			in.flagBomb(a)
			return
		}
		reach = max(reach, s.end)
	}
}

// markBroken records the first problem found in an archive that could be
// opened but whose entries do not all hold together.
func markBroken(a *model.Archive, msg string) {
	if a.Error == "" {
		a.Error = msg
	}
	a.Risks = model.AddRisk(a.Risks, model.RiskBrokenArchive)
}

// isOOXMLWithMacros reports an Office Open XML package ([Content_Types].xml
// at its root) that carries a VBA project, whatever its file name claims.
func isOOXMLWithMacros(files []*stdzip.File) bool {
	var ooxml, vba bool
	for _, f := range files {
		switch {
		case f.Name == "[Content_Types].xml":
			ooxml = true
		case strings.EqualFold(path.Base(strings.ReplaceAll(f.Name, `\`, "/")), "vbaProject.bin"):
			vba = true
		}
	}
	return ooxml && vba
}

// isZipDocument reports a listing that is a document in a ZIP container
// (OOXML, ODF, EPUB) rather than an archive a user would open as one.
func isZipDocument(a *model.Archive) bool {
	for i := range a.Entries {
		if n := a.Entries[i].Name; n == "[Content_Types].xml" || n == "mimetype" {
			return true
		}
	}
	return false
}
