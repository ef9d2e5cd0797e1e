package demo

import (
	"strings"
	"testing"
)

func TestZone(t *testing.T) {
	z := Zone()
	for i := 1; i < len(z); i++ {
		if z[i-1].Name > z[i].Name {
			t.Fatalf("zone not sorted at %s", z[i].Name)
		}
	}
	for _, r := range z {
		if r.Name != strings.ToLower(r.Name) || strings.HasSuffix(r.Name, ".") {
			t.Errorf("record name %q is not lower case without a trailing dot", r.Name)
		}
	}
	// every signature the demo makes has its key record, except the
	// deliberately unknown selector
	for _, s := range Samples(Options{}) {
		for _, d := range s.Want.Auth.DKIM {
			keys := z.Lookup(d.Selector+"._domainkey."+d.Domain, "TXT")
			if (len(keys) == 1) == (d.Selector == "missing") {
				t.Errorf("%s: %d key records for %s._domainkey.%s", s.Name, len(keys), d.Selector, d.Domain)
			}
		}
	}
	tests := []struct{ name, typ, want string }{
		{"partner.example.co.jp", "TXT", "v=spf1 ip4:203.0.113.0/27 -all"},
		{"_dmarc.example.co.jp", "TXT", "v=DMARC1; p=quarantine; sp=reject"},
		{"old2023._domainkey.example.co.jp", "TXT", "v=DKIM1; k=rsa; p="},
		{"ed1._domainkey.example.co.jp", "TXT", "v=DKIM1; k=ed25519; p="},
		{"example.com", "MX", "10 mail.example.com"},
		{"mail.example.com", "A", "198.51.100.77"},
		{"_dmarc.logistics.example", "TXT", "pct=50"},
		{"aoba-denki.example", "TXT", "v=spf1 ip4:192.0.2.128/29 -all"},
	}
	for _, tt := range tests {
		got := z.Lookup(tt.name, tt.typ)
		if len(got) != 1 || !strings.Contains(got[0], tt.want) {
			t.Errorf("%s %s = %q, want one containing %q", tt.name, tt.typ, got, tt.want)
		}
	}
	if len(z.Lookup("_dmarc.example.net", "TXT")) != 0 {
		t.Error("example.net must publish no DMARC record")
	}
}
