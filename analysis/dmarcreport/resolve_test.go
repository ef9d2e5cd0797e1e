package dmarcreport

import (
	"context"
	"fmt"
	"maps"
	"sync/atomic"
	"testing"
	"time"

	"mxaudit/analysis/auth"
	"mxaudit/analysis/auth/authtest"
	"mxaudit/analysis/dnszone"
)

// TestLookupNames asks a loopback DNS server through the caching resolver
// the core uses: names where there is a PTR record, none where there is
// not, nothing asked for strings that are no address, each address asked
// once, and nothing at all asked again the second time (empty answers are
// remembered too).
func TestLookupNames(t *testing.T) {
	srv := authtest.StartDNS(t, dnszone.Zone{
		{Name: "10.100.51.198.in-addr.arpa", Type: "PTR", Value: "mx1.example.net."},
		{Name: "1.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.8.b.d.0.1.0.0.2.ip6.arpa", Type: "PTR", Value: "v6.example.net"},
	})
	r := auth.NewCachingResolver(auth.NewDNSResolver(srv.Addr(), 5*time.Second))
	tests := []struct {
		name    string
		ips     []string
		want    map[string]string
		queries int
	}{
		{"named", []string{"198.51.100.10"}, map[string]string{"198.51.100.10": "mx1.example.net"}, 1},
		{"ipv6", []string{"2001:db8::1"}, map[string]string{"2001:db8::1": "v6.example.net"}, 1},
		{"no name", []string{"203.0.113.9"}, map[string]string{}, 1},
		{"not an address", []string{"mail.example.com", "", "1.2.3"}, map[string]string{}, 0},
		{"twice in one call", []string{"192.0.2.7", "192.0.2.7"}, map[string]string{}, 1},
		{"cached: named and empty", []string{"198.51.100.10", "203.0.113.9"}, map[string]string{"198.51.100.10": "mx1.example.net"}, 0},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			srv.ResetCounts()
			got := LookupNames(context.Background(), tt.ips, r)
			if !maps.Equal(got, tt.want) || srv.Queries() != tt.queries {
				t.Errorf("names %v after %d queries; want %v after %d", got, srv.Queries(), tt.want, tt.queries)
			}
		})
	}
	if got := LookupNames(context.Background(), []string{"198.51.100.10"}, nil); len(got) != 0 {
		t.Errorf("offline: %v", got)
	}
}

// inFlight counts the lookups under way through a real resolver.
type inFlight struct {
	auth.Resolver
	now, most atomic.Int32
}

func (f *inFlight) LookupAddr(ctx context.Context, addr string) ([]string, error) {
	n := f.now.Add(1)
	for {
		m := f.most.Load()
		if n <= m || f.most.CompareAndSwap(m, n) {
			break
		}
	}
	defer f.now.Add(-1)
	return f.Resolver.LookupAddr(ctx, addr)
}

// TestLookupNamesBounded asks 100 addresses of a server that takes 20 ms
// per answer: lookups overlap, never more than resolveWorkers at once,
// and every address gets its (empty) answer.
func TestLookupNamesBounded(t *testing.T) {
	srv := authtest.StartDNS(t, nil)
	srv.SetDelay(20 * time.Millisecond)
	f := &inFlight{Resolver: auth.NewDNSResolver(srv.Addr(), 5*time.Second)}
	var ips []string
	for i := range 100 {
		ips = append(ips, fmt.Sprintf("198.18.0.%d", i+1))
	}
	if got := LookupNames(context.Background(), ips, f); len(got) != 0 {
		t.Errorf("names %v from an empty zone", got)
	}
	if most := f.most.Load(); most < 2 || most > resolveWorkers {
		t.Errorf("%d lookups at once, want 2 to %d", most, resolveWorkers)
	}
	if srv.Queries() != 100 {
		t.Errorf("%d queries for 100 addresses", srv.Queries())
	}
}
