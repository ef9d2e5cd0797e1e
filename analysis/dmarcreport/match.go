package dmarcreport

import (
	"net/netip"
	"slices"
	"strings"

	"mxaudit/model"
)

// Matches reports whether the quarantined message m came from this failing
// source: its SPF client address is the source's IP, or its From domain is
// one of the header_from domains the source's failing messages carried.
// It is how a report view jumps to the quarantined messages of a source.
func (f *FailingSource) Matches(m *model.Message) bool {
	if m.Auth != nil && m.Auth.SPF.IP != "" && f.IP != "" {
		if a, err := netip.ParseAddr(m.Auth.SPF.IP); err == nil && a.Unmap().String() == f.IP {
			return true
		}
	}
	from := strings.ToLower(m.FromDomain)
	return from != "" && slices.Contains(f.HeaderFrom, from)
}
