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
		if s.Format == "zip" && !s.Local {
			primary = i
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
		return inspect7z(r, size, in.lim.MaxEntries)
	case s.Format == "rar":
		return inspectRAR(r, size, in.lim.MaxEntries)
	case s.Local:
		a := &model.Archive{Format: "zip"}
		salvage(a, r, size, in.lim.MaxEntries, errNoDirectory)
		return a
	}
	return in.inspect(r, size, depth)
}
