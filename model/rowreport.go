package model

import "strings"

// MayCarryReport reports, from what the scan found, whether m is worth
// reading whole to look for a DMARC aggregate report: its subject
// follows RFC 7489 §7.2.1.1, or it has an attachment whose name or
// declared type is one reporters use. It is here, and
// analysis/dmarcreport.MayCarryReport calls it, so that a row (NewRow)
// can carry its answer (RowMayCarryReport) and the report view need not
// read every full message to choose the ones to read.
func MayCarryReport(m *Message) bool {
	if HasReportSubject(m.Subject) {
		return true
	}
	for i := range m.Attachments {
		a := &m.Attachments[i]
		ext := ""
		if i := strings.LastIndexByte(a.Filename, '.'); i >= 0 {
			ext = strings.ToLower(a.Filename[i:])
		}
		// application/octet-stream is a type reporters use (Amazon SES)
		// but so is nearly every attachment: it is read only when the
		// name says report.
		if IsReportPartExt(ext) || (IsReportPartType(a.ContentType) && a.ContentType != "application/octet-stream") {
			return true
		}
	}
	return false
}

// reportTypes are the content types reporters declare for the report
// part. application/octet-stream is among them because Amazon SES sends
// that; whatever the type, the magic bytes decide.
var reportTypes = map[string]bool{
	"application/zip":              true,
	"application/x-zip-compressed": true,
	"application/x-zip":            true,
	"application/gzip":             true,
	"application/x-gzip":           true,
	"application/xml":              true,
	"text/xml":                     true,
	"application/octet-stream":     true,
}

// reportExts are the file name endings that mark a report part whatever
// its declared type.
var reportExts = map[string]bool{".xml": true, ".gz": true, ".zip": true}

// IsReportPartType reports whether a part's declared content type (lower
// case) is one reporters use for the report.
func IsReportPartType(contentType string) bool { return reportTypes[contentType] }

// IsReportPartExt reports whether a file name ending (".gz", lower case)
// marks a report part whatever its declared type.
func IsReportPartExt(ext string) bool { return reportExts[ext] }

// HasReportSubject reports whether subject looks like RFC 7489's
// "Report Domain: … Submitter: … Report-ID: …" (§7.2.1.1).
func HasReportSubject(subject string) bool {
	s := strings.ToLower(strings.TrimSpace(subject))
	return strings.HasPrefix(s, "report domain:") || strings.Contains(s, "report-id:")
}
