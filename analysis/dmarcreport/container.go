package dmarcreport

import (
	"archive/zip"
	"bytes"
	"compress/gzip"
	"errors"
	"fmt"
	"io"
	"path"
	"strings"
)

// maxNesting bounds containers inside containers: reporters send gzip of
// gzip, never deeper.
const maxNesting = 3

// maxZipMembers bounds how many members of one ZIP are looked at.
const maxZipMembers = 16

// Kind is what the magic bytes say a blob is.
type Kind int

// Kinds of blob a report comes in.
const (
	KindUnknown Kind = iota
	KindXML
	KindGzip
	KindZip
)

// Sniff tells a report container by its first bytes, whatever its name or
// declared type says.
func Sniff(data []byte) Kind {
	switch {
	case bytes.HasPrefix(data, []byte{0x1f, 0x8b}):
		return KindGzip
	case bytes.HasPrefix(data, []byte("PK\x03\x04")):
		return KindZip
	}
	t := bytes.TrimLeft(bytes.TrimPrefix(data, []byte("\xef\xbb\xbf")), " \t\r\n")
	if bytes.HasPrefix(t, []byte("<")) {
		return KindXML
	}
	return KindUnknown
}

// Decode reads the reports in data, which may be XML, a gzip stream (with
// trailing garbage, or itself gzipped) or a ZIP archive of XML files. It
// returns every report found; err reports the first member that could not
// be read, so a ZIP with one good and one bad member yields both.
func Decode(data []byte, lim Limits) ([]*Report, error) {
	return decode(data, lim.withDefaults(), 0)
}

func decode(data []byte, lim Limits, depth int) ([]*Report, error) {
	if depth > maxNesting {
		return nil, fmt.Errorf("%w: containers nested deeper than %d", ErrTooLarge, maxNesting)
	}
	switch Sniff(data) {
	case KindXML:
		r, err := ParseXML(data, lim)
		if err != nil {
			return nil, err
		}
		return []*Report{r}, nil
	case KindGzip:
		inner, err := gunzip(data, lim.MaxBytes)
		if err != nil {
			return nil, err
		}
		if Sniff(inner) == KindUnknown && len(bytes.TrimSpace(inner)) > 0 {
			// A gzipped mail: how amavis stores quarantined messages.
			return FromMessage(bytes.NewReader(inner), lim)
		}
		return decode(inner, lim, depth+1)
	case KindZip:
		return unzipReports(data, lim, depth)
	}
	if len(bytes.TrimSpace(data)) == 0 {
		return nil, fmt.Errorf("%w: empty input", ErrNotReport)
	}
	return nil, fmt.Errorf("%w: neither XML, gzip nor ZIP", ErrNotReport)
}

// gunzip decompresses the first gzip member of data, at most max bytes.
// Only the first member is read: Mimecast appends "\r\n" after the stream,
// which a multi-stream reader would take for a broken second member.
func gunzip(data []byte, max int64) ([]byte, error) {
	out, err := inflate(func() (io.ReadCloser, error) {
		zr, err := gzip.NewReader(bytes.NewReader(data))
		if err != nil {
			return nil, err
		}
		zr.Multistream(false)
		return zr, nil
	}, max)
	if err != nil {
		return nil, fmt.Errorf("gzip: %w", err)
	}
	return out, nil
}

// unzipReports reads the report members of a ZIP: those named .xml (or
// .gz), else, when none is, every member.
func unzipReports(data []byte, lim Limits, depth int) ([]*Report, error) {
	zr, err := zip.NewReader(bytes.NewReader(data), int64(len(data)))
	if err != nil {
		return nil, fmt.Errorf("zip: %w", err)
	}
	var members []*zip.File
	for _, f := range zr.File {
		if f.FileInfo().IsDir() {
			continue
		}
		ext := strings.ToLower(path.Ext(f.Name))
		if ext == ".xml" || ext == ".gz" {
			members = append(members, f)
		}
	}
	if len(members) == 0 {
		for _, f := range zr.File {
			if !f.FileInfo().IsDir() {
				members = append(members, f)
			}
		}
	}
	if len(members) == 0 {
		return nil, fmt.Errorf("%w: empty ZIP archive", ErrNotReport)
	}
	if len(members) > maxZipMembers {
		return nil, fmt.Errorf("%w: ZIP with %d members", ErrTooLarge, len(members))
	}
	// Members share the byte budget, nested containers included, so that
	// a ZIP of 16 bombs costs no more than one.
	share := lim
	share.MaxBytes = lim.MaxBytes / int64(len(members))
	var reports []*Report
	var errs []error
	for _, f := range members {
		body, err := readMember(f, share.MaxBytes)
		if err == nil {
			var rs []*Report
			rs, err = decode(body, share, depth+1)
			reports = append(reports, rs...)
		}
		if err != nil {
			errs = append(errs, fmt.Errorf("zip member %q: %w", clip(f.Name), err))
		}
	}
	return reports, errors.Join(errs...)
}

func readMember(f *zip.File, max int64) ([]byte, error) {
	if f.Flags&0x1 != 0 {
		// Reporters never encrypt; a password-protected ZIP is some
		// other attachment.
		return nil, fmt.Errorf("%w: encrypted member", ErrNotReport)
	}
	return inflate(f.Open, max)
}
