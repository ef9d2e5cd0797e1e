package dmarcreport

import (
	"context"
	"fmt"
	"testing"
	"time"

	"mxaudit/analysis/auth"
	"mxaudit/analysis/auth/authtest"
)

// BenchmarkParseXML parses a 500-record report.
func BenchmarkParseXML(b *testing.B) {
	var recs []string
	for j := range 500 {
		recs = append(recs, fmt.Sprintf("198.51.100.%d,%d,pass,fail,example.com", j%256, j))
	}
	data := report("bench.example", "1", "example.com", recs...)
	b.SetBytes(int64(len(data)))
	b.ReportAllocs()
	for b.Loop() {
		if _, err := ParseXML(data, Limits{}); err != nil {
			b.Fatal(err)
		}
	}
}

// BenchmarkLookupNames asks 1,000 addresses of a loopback server that
// answers every PTR query empty after 20 ms, through a fresh caching
// resolver each time: what the reverse names of a large summary cost.
func BenchmarkLookupNames(b *testing.B) {
	srv := authtest.StartDNS(b, nil)
	srv.SetDelay(20 * time.Millisecond)
	var ips []string
	for i := range 1000 {
		ips = append(ips, fmt.Sprintf("198.18.%d.%d", i/250, 1+i%250))
	}
	for b.Loop() {
		r := auth.NewCachingResolver(auth.NewDNSResolver(srv.Addr(), 5*time.Second))
		LookupNames(context.Background(), ips, r)
	}
}
