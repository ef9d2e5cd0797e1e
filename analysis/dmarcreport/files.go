package dmarcreport

import (
	"bytes"
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"slices"
	"strings"
)

// ReadFile reads the reports in one file: an .xml, .xml.gz, .zip report,
// or a mail (.eml) carrying one. The kind is told by the magic bytes; a
// file that is none of the three is read as a mail.
func ReadFile(path string, lim Limits) ([]*Report, error) {
	reps, err := readFileBare(path, lim)
	if err != nil && !errors.Is(err, fs.ErrNotExist) {
		return reps, fmt.Errorf("%s: %w", path, err)
	}
	return reps, err
}

// DecodeAny reads the reports in data, which may be a report container
// (see Decode) or a mail carrying one.
func DecodeAny(data []byte, lim Limits) ([]*Report, error) {
	if Sniff(data) != KindUnknown || len(bytes.TrimSpace(data)) == 0 {
		return Decode(data, lim)
	}
	return FromMessage(bytes.NewReader(data), lim)
}

// reportFileExts are the names ReadDir reads; anything else in the folder
// is skipped silently.
var reportFileExts = []string{".xml", ".gz", ".zip", ".eml", ".msg"}

// FileError is a file of a folder that held no readable report.
type FileError struct {
	Path string
	Err  error
}

// Error implements error.
func (e FileError) Error() string { return e.Path + ": " + e.Err.Error() }

// Unwrap returns the underlying error.
func (e FileError) Unwrap() error { return e.Err }

// ReadDir reads every report file under dir, recursively, in name order.
// Files that cannot be read are listed in errs and the walk goes on.
func ReadDir(dir string, lim Limits) (reports []*Report, errs []FileError) {
	err := WalkDir(dir, lim, func(path string, reps []*Report, err error) error {
		reports = append(reports, reps...)
		if err != nil {
			errs = append(errs, FileError{Path: path, Err: err})
		}
		return nil
	})
	if err != nil {
		errs = append(errs, FileError{Path: dir, Err: err})
	}
	return reports, errs
}

// WalkDir calls fn for every report file under dir, in name order, with
// the reports it holds or the error that prevented reading it; it stops
// when fn returns an error. Reports go to fn one file at a time, so a
// folder of thousands of reports never has to be held in memory at once.
func WalkDir(dir string, lim Limits, fn func(path string, reps []*Report, err error) error) error {
	return filepath.WalkDir(dir, func(path string, d fs.DirEntry, err error) error {
		if err != nil {
			return fn(path, nil, err)
		}
		if d.IsDir() || !d.Type().IsRegular() {
			return nil
		}
		if !slices.Contains(reportFileExts, strings.ToLower(filepath.Ext(path))) {
			return nil
		}
		reps, rerr := readFileBare(path, lim)
		return fn(path, reps, rerr)
	})
}

// readFileBare is ReadFile without the path in the error, for callers that
// report the path themselves.
func readFileBare(path string, lim Limits) ([]*Report, error) {
	lim = lim.withDefaults()
	f, err := os.Open(path)
	if err != nil {
		return nil, err
	}
	defer f.Close()
	// A mail may be a third larger than its report (base64).
	data, err := readCapped(f, lim.MaxBytes*2, "file")
	if err != nil {
		return nil, err
	}
	return DecodeAny(data, lim)
}
