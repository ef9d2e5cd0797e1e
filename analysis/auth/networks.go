package auth

import (
	"fmt"
	"net"
	"net/netip"
	"strings"
)

// ParseNetworks parses trusted networks written as CIDR prefixes
// ("10.0.0.0/8", "2001:db8::/32") or single addresses (a /32 or /128).
// Empty entries are skipped; the error names the first invalid one.
func ParseNetworks(list []string) ([]netip.Prefix, error) {
	var out []netip.Prefix
	for _, s := range list {
		s = strings.TrimSpace(s)
		if s == "" {
			continue
		}
		if !strings.Contains(s, "/") {
			a, err := netip.ParseAddr(s)
			if err != nil {
				return nil, fmt.Errorf("trusted network %q: not an address or CIDR prefix", s)
			}
			out = append(out, netip.PrefixFrom(a.Unmap(), a.Unmap().BitLen()))
			continue
		}
		p, err := netip.ParsePrefix(s)
		if err != nil {
			return nil, fmt.Errorf("trusted network %q: %v", s, err)
		}
		out = append(out, p.Masked())
	}
	return out, nil
}

// inNetworks reports whether ip lies in one of nets.
func inNetworks(nets []netip.Prefix, ip net.IP) bool {
	if len(nets) == 0 {
		return false
	}
	a, ok := netip.AddrFromSlice(ip)
	if !ok {
		return false
	}
	a = a.Unmap()
	for _, p := range nets {
		if p.Contains(a) {
			return true
		}
	}
	return false
}
