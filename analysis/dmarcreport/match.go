package dmarcreport

import (
	"strings"

	"mxaudit/model"
)

// Matches reports whether the quarantined message m came from this failing
// source: its SPF client address is the source's IP, or its From domain is
// one of the header_from domains the source's failing messages carried.
// It is how a report view jumps to the quarantined messages of a source.
func (f *FailingSource) Matches(m *model.Message) bool {
	return f.Filter().Matches(m)
}

// Filter returns the message-list filter that keeps the quarantined
// messages from this source, as Matches decides.
func (f *FailingSource) Filter() *model.SourceFilter {
	from := make([]string, 0, len(f.HeaderFrom))
	for _, d := range f.HeaderFrom {
		from = append(from, strings.ToLower(d))
	}
	return &model.SourceFilter{IP: f.IP, FromDomains: from}
}

// MayCarryReport reports, from what the scan found, whether m is worth
// reading whole to look for an aggregate report: its subject follows
// RFC 7489 §7.2.1.1, or it has an attachment whose name or declared type
// is one reporters use. Most of a quarantine is ruled out without reading
// a byte.
func MayCarryReport(m *model.Message) bool { return model.MayCarryReport(m) }
