package auth

import (
	"net/netip"
	"strings"
	"testing"
	"time"

	"mxaudit/analysis/auth/authtest"
	"mxaudit/analysis/dnszone"
	"mxaudit/model"
)

func TestParseNetworks(t *testing.T) {
	got, err := ParseNetworks([]string{" 10.0.0.0/8", "", "192.168.1.7", "2001:db8::/32", "10.1.2.3/16"})
	if err != nil {
		t.Fatal(err)
	}
	want := []string{"10.0.0.0/8", "192.168.1.7/32", "2001:db8::/32", "10.1.0.0/16"}
	for i, p := range got {
		if p.String() != want[i] {
			t.Errorf("network %d = %s, want %s", i, p, want[i])
		}
	}
	for _, bad := range []string{"10.0.0.0/33", "mx.example.org", "10.0.0/8"} {
		if _, err := ParseNetworks([]string{bad}); err == nil || !strings.Contains(err.Error(), bad) {
			t.Errorf("%q: error %v", bad, err)
		}
	}
}

// TestPrivateEntryHopForgery is the attack of issue 13: a client connects
// to the gateway from a private address (a NAT, a compromised internal
// host) and writes below the gateway's Received field a Received field of
// its own, claiming the bank's real outbound server, and an
// Authentication-Results field in the gateway's name saying DMARC passed.
// Only hops from trusted_networks (and loopback) are internal relays, so
// by default the gateway's own hop from 10.1.2.3 is the entry hop: SPF is
// checked against 10.1.2.3, the forged fields below it are ignored, and
// the p=reject policy applies.
func TestPrivateEntryHopForgery(t *testing.T) {
	zone := dnszone.Zone{
		{Name: "bank.example", Type: "TXT", Value: "v=spf1 ip4:198.51.100.0/24 -all"},
		{Name: "_dmarc.bank.example", Type: "TXT", Value: "v=DMARC1; p=reject"},
		{Name: "mx.example.org", Type: "A", Value: "192.0.2.1"},
	}
	const body = "From: ceo@bank.example\r\nTo: b@example.org\r\nSubject: wire\r\nDate: Mon, 2 Jan 2026 10:00:00 +0000\r\n\r\npay\r\n"
	forged := "Return-Path: <ceo@bank.example>\r\n" +
		"Received: from evil (unknown [10.1.2.3]) by mx.example.org (Postfix) id A; Mon, 2 Jan 2026 10:00:02 +0000\r\n" +
		"Authentication-Results: mx.example.org; spf=pass smtp.mailfrom=bank.example; dmarc=pass header.from=bank.example\r\n" +
		"Received: from mail.bank.example (mail.bank.example [198.51.100.7]) by mx.example.org (Postfix) id B; Mon, 2 Jan 2026 10:00:01 +0000\r\n" +
		body
	// The legitimate case trusted_networks exists for: the bank's server
	// delivers to an internal relay, which passes the message on to the
	// gateway from 10.0.0.5. The relay's name does not resolve in public
	// DNS (internal names rarely do), so only trusted_networks can say
	// that 10.0.0.5 is ours.
	relayed := "Return-Path: <ceo@bank.example>\r\n" +
		"Received: from relay.example.org (relay.example.org [10.0.0.5]) by mx.example.org (Postfix) id A; Mon, 2 Jan 2026 10:00:02 +0000\r\n" +
		"Received: from mail.bank.example (mail.bank.example [198.51.100.7]) by relay.example.org (Postfix) id B; Mon, 2 Jan 2026 10:00:01 +0000\r\n" +
		body
	tests := []struct {
		name     string
		networks []string
		offline  bool
		msg      string
		want     model.Result
		wantIP   string
	}{
		{"forgery, no trusted networks", nil, false, forged, model.ResultFail, "10.1.2.3"},
		{"forgery, another trusted network", []string{"192.168.0.0/16"}, false, forged, model.ResultFail, "10.1.2.3"},
		{"forgery, offline: forged Authentication-Results ignored", nil, true, forged, model.ResultNone, "10.1.2.3"},
		{"internal relay, not trusted: its address is the client", nil, false, relayed, model.ResultFail, "10.0.0.5"},
		{"internal relay in trusted networks", []string{"10.0.0.0/8"}, false, relayed, model.ResultPass, "198.51.100.7"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			srv := authtest.StartDNS(t, zone)
			nets, err := ParseNetworks(tc.networks)
			if err != nil {
				t.Fatal(err)
			}
			cfg := Config{TrustedHosts: []string{"mx.example.org", "relay.example.org"}, TrustedNetworks: nets,
				Offline: tc.offline, Resolver: NewCachingResolver(NewDNSResolver(srv.Addr(), 300*time.Millisecond))}
			if tc.offline {
				cfg.Resolver = failingResolver{t}
			}
			a := check(t, NewChecker(cfg), tc.msg)
			if a.DMARC.Result != tc.want {
				t.Fatalf("DMARC %s, want %s: %s", a.DMARC.Result, tc.want, a.DMARC.Reason)
			}
			if a.SPF.IP != tc.wantIP {
				t.Errorf("SPF checked for %q, want %q", a.SPF.IP, tc.wantIP)
			}
			if tc.want == model.ResultFail && a.DMARC.Disposition != model.DispositionReject {
				t.Errorf("disposition %s, want reject", a.DMARC.Disposition)
			}
			if tc.msg == forged && !strings.Contains(strings.Join(a.IgnoredHeaders, " "), "below the entry hop") {
				t.Errorf("ignored %q: the forged Authentication-Results is not reported", a.IgnoredHeaders)
			}
		})
	}
}

func TestInNetworks(t *testing.T) {
	nets := []netip.Prefix{netip.MustParsePrefix("10.0.0.0/8"), netip.MustParsePrefix("2001:db8::/32")}
	for ip, want := range map[string]bool{"10.9.9.9": true, "::ffff:10.1.1.1": true, "11.0.0.1": false, "2001:db8::5": true, "192.168.1.1": false} {
		if got := inNetworks(nets, netParseIP(ip)); got != want {
			t.Errorf("%s: %v, want %v", ip, got, want)
		}
	}
}

func netParseIP(s string) []byte { return netip.MustParseAddr(s).AsSlice() }
