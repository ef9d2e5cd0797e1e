package authtest

import (
	"strings"
	"testing"
	"time"

	"github.com/miekg/dns"

	"mxaudit/analysis/dnszone"
)

func TestServer(t *testing.T) {
	long := strings.Repeat("k", 600)
	s := StartDNS(t, dnszone.Zone{
		{Name: "key.example", Type: "TXT", Value: long},
		{Name: "host.example", Type: "A", Value: "192.0.2.1"},
		{Name: "mx.example", Type: "MX", Value: "5 host.example"},
	})
	s.Drop("gone.example")
	s.ServFail("fail.example")
	c := &dns.Client{Net: "udp", Timeout: 300 * time.Millisecond}
	ask := func(name string, qtype uint16) (*dns.Msg, error) {
		m := new(dns.Msg)
		m.SetQuestion(dns.Fqdn(name), qtype)
		m.SetEdns0(4096, false)
		r, _, err := c.Exchange(m, s.Addr())
		return r, err
	}

	r, err := ask("KEY.example", dns.TypeTXT)
	if err != nil || r.Rcode != dns.RcodeSuccess || len(r.Answer) != 1 {
		t.Fatalf("TXT: %v %v", err, r)
	}
	txt := r.Answer[0].(*dns.TXT).Txt
	if len(txt) != 3 || len(txt[0]) != 255 || len(txt[1]) != 255 || strings.Join(txt, "") != long {
		t.Fatalf("TXT strings: %d, lengths %d", len(txt), len(txt[0]))
	}
	if r, err := ask("host.example", dns.TypeTXT); err != nil || r.Rcode != dns.RcodeSuccess || len(r.Answer) != 0 {
		t.Fatalf("NODATA: %v %v", err, r)
	}
	if r, err := ask("mx.example", dns.TypeMX); err != nil || len(r.Answer) != 1 || r.Answer[0].(*dns.MX).Preference != 5 {
		t.Fatalf("MX: %v %v", err, r)
	}
	if r, err := ask("nowhere.example", dns.TypeA); err != nil || r.Rcode != dns.RcodeNameError {
		t.Fatalf("NXDOMAIN: %v %v", err, r)
	}
	if r, err := ask("fail.example", dns.TypeA); err != nil || r.Rcode != dns.RcodeServerFailure {
		t.Fatalf("SERVFAIL: %v %v", err, r)
	}
	if _, err := ask("gone.example", dns.TypeA); err == nil {
		t.Fatal("dropped query got an answer")
	}
	if s.Queries() != 6 || s.QueriesFor("key.example") != 1 || s.QueriesFor("gone.example") != 1 {
		t.Fatalf("counts: total %d key %d gone %d", s.Queries(), s.QueriesFor("key.example"), s.QueriesFor("gone.example"))
	}
	s.ResetCounts()
	if s.Queries() != 0 || s.QueriesFor("key.example") != 0 {
		t.Fatal("ResetCounts")
	}
}

// TestServerDelay checks that a delayed server still answers, and that a
// client that gives up sooner than the delay times out.
func TestServerDelay(t *testing.T) {
	s := StartDNS(t, dnszone.Zone{{Name: "host.example", Type: "A", Value: "192.0.2.1"}})
	s.SetDelay(300 * time.Millisecond)
	tests := []struct {
		timeout time.Duration
		answers bool
	}{{30 * time.Millisecond, false}, {5 * time.Second, true}}
	for _, tt := range tests {
		m := new(dns.Msg)
		m.SetQuestion("host.example.", dns.TypeA)
		r, _, err := (&dns.Client{Net: "udp", Timeout: tt.timeout}).Exchange(m, s.Addr())
		if got := err == nil && r != nil && len(r.Answer) == 1; got != tt.answers {
			t.Errorf("timeout %v: answer %v, err %v", tt.timeout, r, err)
		}
	}
}
