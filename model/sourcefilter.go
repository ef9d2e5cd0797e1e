package model

import (
	"net/netip"
	"slices"
	"strings"
)

// SourceFilter selects the messages that came from one sending source a
// DMARC aggregate report named as failing: the SPF client address is the
// source's IP, or the From domain is one of the header_from domains its
// failing messages carried. The report view builds it from a
// dmarcreport.FailingSource; it lives here so that the filter stays pure.
type SourceFilter struct {
	// IP is the source's address in canonical form ("203.0.113.7").
	IP string
	// FromDomains are the lower-cased header_from domains.
	FromDomains []string
}

// Matches reports whether m came from the source.
func (s *SourceFilter) Matches(m *Message) bool {
	if m.Auth != nil && m.Auth.SPF.IP != "" && s.IP != "" {
		if a, err := netip.ParseAddr(m.Auth.SPF.IP); err == nil && a.Unmap().String() == s.IP {
			return true
		}
	}
	from := strings.ToLower(m.FromDomain)
	return from != "" && slices.Contains(s.FromDomains, from)
}

// String names the source for the header line: its IP, or its From
// domains when the report gave no IP.
func (s *SourceFilter) String() string {
	if s.IP != "" {
		return "source " + s.IP
	}
	return "source " + strings.Join(s.FromDomains, ",")
}
