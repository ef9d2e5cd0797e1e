package auth

import (
	"context"
	"errors"
	"net"
	"slices"
	"strings"
	"testing"
	"time"

	"mxaudit/analysis/auth/authtest"
	"mxaudit/analysis/dnszone"
)

var resolverZone = dnszone.Zone{
	{Name: "short.example", Type: "TXT", Value: "v=spf1 -all"},
	{Name: "long.example", Type: "TXT", Value: strings.Repeat("a", 300) + strings.Repeat("b", 300)},
	{Name: "quote.example", Type: "TXT", Value: `say "hi" \ bye; ok`},
	{Name: "multi.example", Type: "TXT", Value: "one"},
	{Name: "multi.example", Type: "TXT", Value: "two"},
	{Name: "big.example", Type: "TXT", Value: strings.Repeat("x", 400)},
	{Name: "big.example", Type: "TXT", Value: strings.Repeat("y", 400)},
	{Name: "big.example", Type: "TXT", Value: strings.Repeat("z", 400)},
	{Name: "big.example", Type: "TXT", Value: strings.Repeat("w", 400)},
	{Name: "host.example", Type: "A", Value: "192.0.2.10"},
	{Name: "host.example", Type: "AAAA", Value: "2001:db8::10"},
	{Name: "mail.example", Type: "MX", Value: "20 mx2.example"},
	{Name: "mail.example", Type: "MX", Value: "10 mx1.example"},
	{Name: "10.2.0.192.in-addr.arpa", Type: "PTR", Value: "host.example"},
}

// lookupCase is one question and the answer every resolver must give.
type lookupCase struct {
	name     string
	lookup   func(context.Context, Resolver) (any, error)
	want     any
	notFound bool
}

func lookupCases() []lookupCase {
	txt := func(n string) func(context.Context, Resolver) (any, error) {
		return func(ctx context.Context, r Resolver) (any, error) {
			v, err := r.LookupTXT(ctx, n)
			slices.Sort(v)
			return v, err
		}
	}
	return []lookupCase{
		{name: "short TXT", lookup: txt("short.example"), want: []string{"v=spf1 -all"}},
		{name: "TXT over 255 bytes joined", lookup: txt("long.example"), want: []string{strings.Repeat("a", 300) + strings.Repeat("b", 300)}},
		{name: "TXT with quote and backslash", lookup: txt("quote.example"), want: []string{`say "hi" \ bye; ok`}},
		{name: "two TXT records", lookup: txt("multi.example"), want: []string{"one", "two"}},
		{name: "TXT bigger than UDP", lookup: txt("big.example"), want: []string{
			strings.Repeat("w", 400), strings.Repeat("x", 400), strings.Repeat("y", 400), strings.Repeat("z", 400)}},
		{name: "case-insensitive name", lookup: txt("SHORT.Example."), want: []string{"v=spf1 -all"}},
		{name: "NXDOMAIN", lookup: txt("absent.example"), notFound: true},
		{name: "no TXT at existing name", lookup: txt("host.example"), notFound: true},
		{name: "A and AAAA", lookup: func(ctx context.Context, r Resolver) (any, error) {
			v, err := r.LookupIPAddr(ctx, "host.example")
			var s []string
			for _, a := range v {
				s = append(s, a.IP.String())
			}
			slices.Sort(s)
			return s, err
		}, want: []string{"192.0.2.10", "2001:db8::10"}},
		{name: "MX by preference", lookup: func(ctx context.Context, r Resolver) (any, error) {
			v, err := r.LookupMX(ctx, "mail.example")
			var s []string
			for _, m := range v {
				s = append(s, m.Host)
			}
			return s, err
		}, want: []string{"mx1.example.", "mx2.example."}},
		{name: "PTR", lookup: func(ctx context.Context, r Resolver) (any, error) {
			return r.LookupAddr(ctx, "192.0.2.10")
		}, want: []string{"host.example."}},
		{name: "PTR absent", lookup: func(ctx context.Context, r Resolver) (any, error) {
			return r.LookupAddr(ctx, "192.0.2.99")
		}, notFound: true},
	}
}

func TestResolversAgree(t *testing.T) {
	srv := authtest.StartDNS(t, resolverZone)
	resolvers := map[string]Resolver{
		"dns":     NewDNSResolver(srv.Addr(), time.Second),
		"zone":    NewZoneResolver(resolverZone),
		"caching": NewCachingResolver(NewDNSResolver(srv.Addr(), time.Second)),
	}
	for rname, r := range resolvers {
		for _, tc := range lookupCases() {
			t.Run(rname+"/"+tc.name, func(t *testing.T) {
				got, err := tc.lookup(context.Background(), r)
				if tc.notFound {
					var de *net.DNSError
					if !errors.As(err, &de) || !de.IsNotFound || IsTemporary(err) {
						t.Fatalf("want a not-found *net.DNSError, got %v (%T)", err, err)
					}
					return
				}
				if err != nil {
					t.Fatalf("lookup: %v", err)
				}
				if !slices.Equal(got.([]string), tc.want.([]string)) {
					t.Fatalf("got %q, want %q", got, tc.want)
				}
			})
		}
	}
}

func TestDNSResolverTCPFallback(t *testing.T) {
	srv := authtest.StartDNS(t, resolverZone)
	r := NewDNSResolver(srv.Addr(), time.Second)
	if _, err := r.LookupTXT(context.Background(), "big.example"); err != nil {
		t.Fatal(err)
	}
	// One truncated UDP answer, then the same question over TCP.
	if got := srv.QueriesFor("big.example"); got != 2 {
		t.Fatalf("queries for big.example = %d, want 2 (UDP truncated + TCP)", got)
	}
	srv.ResetCounts()
	if _, err := r.LookupTXT(context.Background(), "long.example"); err != nil {
		t.Fatal(err)
	}
	if got := srv.QueriesFor("long.example"); got != 1 {
		t.Fatalf("queries for long.example = %d, want 1 (fits in UDP)", got)
	}
}

func TestDNSResolverFailures(t *testing.T) {
	srv := authtest.StartDNS(t, resolverZone)
	srv.Drop("dropped.example")
	srv.ServFail("broken.example")
	// The bounds are generous (a loaded CI machine is slow) but far from
	// what a hang or a missed deadline would take: the point is that the
	// lookup ends, not how fast.
	tests := []struct {
		name         string
		query        string
		queryTimeout time.Duration
		ctxTimeout   time.Duration
		wantTimeout  bool
		maxElapsed   time.Duration
	}{
		{name: "dropped query times out", query: "dropped.example", queryTimeout: 200 * time.Millisecond, wantTimeout: true, maxElapsed: 3 * time.Second},
		{name: "SERVFAIL is temporary", query: "broken.example", queryTimeout: 200 * time.Millisecond, maxElapsed: 3 * time.Second},
		{name: "context deadline wins over query timeout", query: "dropped.example", queryTimeout: 20 * time.Second, ctxTimeout: 50 * time.Millisecond, wantTimeout: true, maxElapsed: 5 * time.Second},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			ctx := context.Background()
			if tc.ctxTimeout > 0 {
				var cancel context.CancelFunc
				ctx, cancel = context.WithTimeout(ctx, tc.ctxTimeout)
				defer cancel()
			}
			r := NewDNSResolver(srv.Addr(), tc.queryTimeout)
			start := time.Now()
			_, err := r.LookupTXT(ctx, tc.query)
			elapsed := time.Since(start)
			var de *net.DNSError
			if !errors.As(err, &de) {
				t.Fatalf("want *net.DNSError, got %v (%T)", err, err)
			}
			if !IsTemporary(err) || IsNotFound(err) {
				t.Fatalf("want a temporary error, got %+v", de)
			}
			if de.IsTimeout != tc.wantTimeout {
				t.Fatalf("IsTimeout = %v, want %v (%v)", de.IsTimeout, tc.wantTimeout, err)
			}
			if elapsed > tc.maxElapsed {
				t.Fatalf("took %v, want under %v", elapsed, tc.maxElapsed)
			}
		})
	}
}

func TestDNSResolverRejectsInvalidNames(t *testing.T) {
	srv := authtest.StartDNS(t, resolverZone)
	r := NewDNSResolver(srv.Addr(), time.Second)
	for _, name := range []string{"bad name.example", strings.Repeat("a", 64) + ".example", "a..b"} {
		_, err := r.LookupTXT(context.Background(), name)
		if !IsNotFound(err) {
			t.Errorf("LookupTXT(%q) = %v, want not found", name, err)
		}
	}
	if srv.Queries() != 0 {
		t.Errorf("invalid names reached the server: %d queries", srv.Queries())
	}
}

func TestNewDNSResolverDefaults(t *testing.T) {
	if withDefaultPort("192.0.2.1", "53") != "192.0.2.1:53" || withDefaultPort("[::1]:5353", "53") != "[::1]:5353" ||
		withDefaultPort("::1", "53") != "[::1]:53" {
		t.Fatal("withDefaultPort")
	}
	if NewDNSResolver("", 0) == nil {
		t.Fatal("system resolver is nil")
	}
}
