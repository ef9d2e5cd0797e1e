package archive

import (
	"errors"
	"io"

	"mxaudit/model"
)

// errNoDirectory is the cause given for a ZIP found only by its local
// headers.
var errNoDirectory = errors.New("no end of central directory record: entries were read from the local headers")

// inspectAll lists every archive Find sees in r. The result is the archive
// archive/zip and unzip would read (the ZIP whose end record comes last),
// with the others in Others; data before or between the archives is
// prefixed-data, more than one archive is concatenated-archives. It
// returns nil when r holds no archive at all.
func (in *inspector) inspectAll(r io.ReaderAt, size int64, depth int) *model.Archive {
	spans, capped := find(r, size)
	if len(spans) == 0 {
		return nil
	}
	archives := make([]*model.Archive, len(spans))
	primary := 0
	for i, s := range spans {
		archives[i] = in.inspectSpan(io.NewSectionReader(r, s.Start, s.End-s.Start), s, depth)
		archives[i].Offset = s.Start
		if s.Format == "zip" && !s.Local && (spans[primary].Format != "zip" || spans[primary].Local || s.eocd > spans[primary].eocd) {
			primary = i // the ZIP whose end record comes last
		}
	}
	a := archives[primary]
	if spans[0].Start > 0 {
		a.Risks = model.AddRisk(a.Risks, model.RiskPrefixedData)
	}
	for i := 1; i < len(spans); i++ {
		if spans[i].Start > spans[i-1].End {
			a.Risks = model.AddRisk(a.Risks, model.RiskPrefixedData)
		}
	}
	if capped || len(spans) >= maxSpans {
		a.Truncated = true // archives past the limit were not looked at
	}
	if len(spans) > 1 {
		a.Risks = model.AddRisk(a.Risks, model.RiskConcatenated)
		for i, o := range archives {
			if i != primary {
				a.Others = append(a.Others, o)
				if o.Truncated {
					a.Truncated = true
				}
			}
		}
	}
	return a
}

// inspectSpan lists one archive Find located; r starts at its first byte.
func (in *inspector) inspectSpan(r io.ReaderAt, s Span, depth int) *model.Archive {
	size := s.End - s.Start
	switch {
	case s.Format == "7z":
		return contentsNotInspected(inspect7z(r, size, in.lim.MaxEntries, &in.decompressLeft))
	case s.Format == "rar":
		return contentsNotInspected(inspectRAR(r, size, in.lim.MaxEntries))
	case s.Local:
		a := &model.Archive{Format: "zip"}
		salvage(a, r, size, in.lim.MaxEntries, errNoDirectory)
		return a
	}
	// archive/zip looks for the last end record in the last 64 KiB: a
	// ZIP hidden in this one's comment would be read instead of this
	// one. The view ends at this end record, its comment dropped, so
	// each end record is read as its own archive (review finding 4).
	if s.End == s.eocd+endRecordLen {
		return in.inspect(r, size, depth) // no comment: nothing to hide
	}
	v := &endView{r: r, cut: s.eocd - s.Start + endRecordLen - 2}
	return in.inspect(v, v.cut+2, depth)
}

// endView is the bytes [0, cut) of r followed by a zero comment length:
// a ZIP ending at the end record whose first 20 bytes end at cut.
type endView struct {
	r   io.ReaderAt
	cut int64
}

func (v *endView) ReadAt(p []byte, off int64) (int, error) {
	size := v.cut + 2
	if off < 0 {
		return 0, errors.New("negative offset")
	}
	if off >= size {
		return 0, io.EOF
	}
	n := 0
	if off < v.cut {
		m, err := v.r.ReadAt(p[:min(int64(len(p)), v.cut-off)], off)
		n += m
		if err != nil && !(err == io.EOF && off+int64(m) == v.cut) {
			return n, err
		}
	}
	for n < len(p) && off+int64(n) < size {
		p[n] = 0
		n++
	}
	if n < len(p) {
		return n, io.EOF
	}
	return n, nil
}

// contentsNotInspected marks a 7z or RAR listing whose unencrypted files
// were judged by name only: their contents are never decompressed (7z
// folders are LZMA/PPMd streams, 7zFormat.txt "Folder"; RAR's own
// compression has no reader here), so an executable or an encrypted ZIP
// stored as report.dat would pass unseen (review finding 12).
func contentsNotInspected(a *model.Archive) *model.Archive {
	for i := range a.Entries {
		if e := &a.Entries[i]; !e.Dir && !e.Encrypted {
			a.Risks = model.AddRisk(a.Risks, model.RiskNotInspected)
			break
		}
	}
	return a
}
