package auth

import (
	"context"
	"net"
	"sort"
	"strconv"
	"strings"

	"github.com/miekg/dns"

	"mxaudit/analysis/dnszone"
)

// zoneServerName names the static zone in DNS errors.
const zoneServerName = "static-zone"

// NewZoneResolver returns a Resolver that answers from the records of z and
// never touches the network: names it does not hold are "not found". The
// demo quarantine uses it.
func NewZoneResolver(z dnszone.Zone) Resolver {
	return zoneResolver{zone: z}
}

// zoneResolver answers from a static zone.
type zoneResolver struct {
	zone dnszone.Zone
}

func (z zoneResolver) values(ctx context.Context, name, typ string) ([]string, error) {
	if ctx.Err() != nil {
		return nil, contextError(ctx, name, zoneServerName)
	}
	vals := z.zone.Lookup(name, typ)
	if len(vals) == 0 {
		if z.holds(name) {
			return nil, nodataError(name, zoneServerName)
		}
		return nil, nxdomainError(name, zoneServerName)
	}
	return vals, nil
}

// holds reports whether the zone has a record of any type at name.
func (z zoneResolver) holds(name string) bool {
	name = strings.TrimSuffix(strings.ToLower(name), ".")
	for _, r := range z.zone {
		if r.Name == name {
			return true
		}
	}
	return false
}

// LookupTXT implements Resolver.
func (z zoneResolver) LookupTXT(ctx context.Context, name string) ([]string, error) {
	return z.values(ctx, name, "TXT")
}

// LookupMX implements Resolver.
func (z zoneResolver) LookupMX(ctx context.Context, name string) ([]*net.MX, error) {
	vals, err := z.values(ctx, name, "MX")
	if err != nil {
		return nil, err
	}
	out := make([]*net.MX, 0, len(vals))
	for _, v := range vals {
		mx, ok := parseMXValue(v)
		if !ok {
			return nil, temporaryError(name, zoneServerName, "malformed MX record "+strconv.Quote(v))
		}
		out = append(out, mx)
	}
	sort.SliceStable(out, func(i, j int) bool { return out[i].Pref < out[j].Pref })
	return out, nil
}

// parseMXValue reads an MX record in presentation form: "10 mx.example.com".
func parseMXValue(v string) (*net.MX, bool) {
	f := strings.Fields(v)
	if len(f) != 2 {
		return nil, false
	}
	pref, err := strconv.ParseUint(f[0], 10, 16)
	if err != nil {
		return nil, false
	}
	return &net.MX{Host: dns.Fqdn(f[1]), Pref: uint16(pref)}, true
}

// LookupIPAddr implements Resolver.
func (z zoneResolver) LookupIPAddr(ctx context.Context, host string) ([]net.IPAddr, error) {
	if ctx.Err() != nil {
		return nil, contextError(ctx, host, zoneServerName)
	}
	var out []net.IPAddr
	for _, typ := range []string{"A", "AAAA"} {
		for _, v := range z.zone.Lookup(host, typ) {
			if ip := net.ParseIP(v); ip != nil {
				out = append(out, net.IPAddr{IP: ip})
			}
		}
	}
	if len(out) == 0 {
		return nil, notFoundError(host, zoneServerName)
	}
	return out, nil
}

// LookupAddr implements Resolver.
func (z zoneResolver) LookupAddr(ctx context.Context, addr string) ([]string, error) {
	rev, err := dns.ReverseAddr(addr)
	if err != nil {
		return nil, &net.DNSError{Err: "unrecognized address", Name: addr, IsNotFound: true}
	}
	vals, err := z.values(ctx, rev, "PTR")
	if err != nil {
		return nil, err
	}
	out := make([]string, len(vals))
	for i, v := range vals {
		out[i] = dns.Fqdn(v)
	}
	return out, nil
}
