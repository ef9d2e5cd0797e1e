//go:debug rsa1024min=0

package domaincheck

import (
	"context"
	"crypto/ed25519"
	"crypto/rand"
	"crypto/rsa"
	"crypto/x509"
	"encoding/base64"
	"errors"
	"slices"
	"strings"
	"testing"
	"time"

	"mxaudit/analysis/auth"
	"mxaudit/analysis/auth/authtest"
	"mxaudit/analysis/dnszone"
)

func txt(name, value string) dnszone.Record {
	return dnszone.Record{Name: name, Type: "TXT", Value: value}
}
func a(name, ip string) dnszone.Record { return dnszone.Record{Name: name, Type: "A", Value: ip} }
func mx(name, host string) dnszone.Record {
	return dnszone.Record{Name: name, Type: "MX", Value: "10 " + host}
}

// treeZone publishes good.example with a three-level include tree:
// good.example → spf1.good.example → spf2.good.example → spf3.good.example.
var treeZone = dnszone.Zone{
	txt("good.example", "v=spf1 mx include:spf1.good.example -all"),
	mx("good.example", "mx.good.example"),
	a("mx.good.example", "192.0.2.25"),
	txt("spf1.good.example", "v=spf1 ip4:192.0.2.0/24 a:mx.good.example include:spf2.good.example ~all"),
	txt("spf2.good.example", "v=spf1 include:spf3.good.example ip6:2001:db8::/32 -all"),
	txt("spf3.good.example", "v=spf1 ip4:198.51.100.0/24 -all"),
	txt("_dmarc.good.example", "v=DMARC1; p=reject; rua=mailto:dmarc@good.example,mailto:rua@reports.example; ruf=mailto:ruf@other.example"),
	txt("good.example._report._dmarc.reports.example", "v=DMARC1"),
}

func resolver(t testing.TB, zone dnszone.Zone) (auth.Resolver, *authtest.Server) {
	t.Helper()
	srv := authtest.StartDNS(t, zone)
	return auth.NewDNSResolver(srv.Addr(), 300*time.Millisecond), srv
}

func codes(fs []Finding) []string {
	var out []string
	for _, f := range fs {
		out = append(out, f.Code)
	}
	return out
}

func TestCheckTree(t *testing.T) {
	r, _ := resolver(t, treeZone)
	rep, err := Check(context.Background(), r, "Good.Example.", nil)
	if err != nil {
		t.Fatal(err)
	}
	// mx, include:spf1 | a, include:spf2 | include:spf3 = 5.
	if rep.SPF.Lookups != 5 || rep.SPF.VoidLookups != 0 {
		t.Errorf("lookups %d void %d; want 5, 0", rep.SPF.Lookups, rep.SPF.VoidLookups)
	}
	root := rep.SPF.Tree
	if root.Lookups != 2 || root.BranchLookups != 5 || len(root.Children) != 1 {
		t.Fatalf("root %+v", root)
	}
	l1 := root.Children[0]
	if l1.Domain != "spf1.good.example" || l1.BranchLookups != 3 || l1.Children[0].Children[0].Domain != "spf3.good.example" {
		t.Errorf("branch %+v", l1)
	}
	got := codes(rep.Findings())
	want := []string{"dmarc-dest-unauthorised"} // ruf to other.example, not authorised
	if !slices.Equal(got, want) {
		t.Errorf("findings %v (%v), want %v", got, rep.Findings(), want)
	}
	if rep.Count(SeverityError) != 0 {
		t.Errorf("errors in a good domain: %v", rep.Findings())
	}
}

func TestCheckSPFFindings(t *testing.T) {
	var over []string
	zone := dnszone.Zone{}
	for i := range 11 {
		name := "i" + string(rune('a'+i)) + ".big.example"
		over = append(over, "include:"+name)
		zone = append(zone, txt(name, "v=spf1 ip4:192.0.2.1 -all"))
	}
	long := "v=spf1 " + strings.Repeat("ip4:192.0.2.1 ", 20) + "-all"
	zone = append(zone,
		txt("big.example", "v=spf1 "+strings.Join(over, " ")+" -all"),
		txt("plus.example", "v=spf1 +all"),
		txt("neutral.example", "v=spf1 ptr ?all"),
		txt("dup.example", "v=spf1 -all"), txt("dup.example", "v=spf1 ~all"),
		txt("long.example", long),
		txt("void.example", "v=spf1 a:nx1.void.example a:nx2.void.example mx:nx3.void.example -all"),
		txt("missing.example", "v=spf1 include:nothing.example -all"),
		txt("loop.example", "v=spf1 include:loop2.example -all"),
		txt("loop2.example", "v=spf1 include:loop.example -all"),
		txt("syntax.example", "v=spf1 ip4:300.1.1.1 foo:bar -all"),
		txt("noall.example", "v=spf1 ip4:192.0.2.1"),
		txt("redirect.example", "v=spf1 redirect=plus.example"),
		txt("none.example", "some other text"),
	)
	r, _ := resolver(t, zone)
	tests := []struct {
		domain  string
		lookups int
		want    []string
	}{
		{"big.example", 11, []string{"spf-long", "spf-lookup-limit"}},
		{"plus.example", 0, []string{"spf-plus-all"}},
		{"neutral.example", 1, []string{"spf-neutral-all", "spf-ptr"}},
		{"dup.example", 0, []string{"spf-multiple"}},
		{"long.example", 0, []string{"spf-long"}},
		{"void.example", 3, []string{"spf-void", "spf-void", "spf-void", "spf-void-limit"}},
		{"missing.example", 1, []string{"spf-include-missing"}},
		{"loop.example", 2, []string{"spf-loop"}},
		{"syntax.example", 0, []string{"spf-syntax", "spf-syntax"}},
		{"noall.example", 0, []string{"spf-no-all"}},
		{"redirect.example", 1, []string{"spf-plus-all"}},
		{"none.example", 0, []string{"spf-none"}},
	}
	for _, tt := range tests {
		t.Run(tt.domain, func(t *testing.T) {
			rep, err := CheckSPF(context.Background(), r, tt.domain)
			if err != nil {
				t.Fatal(err)
			}
			if rep.Lookups != tt.lookups {
				t.Errorf("lookups %d, want %d", rep.Lookups, tt.lookups)
			}
			got := codes(rep.Findings)
			slices.Sort(got)
			if !slices.Equal(got, tt.want) {
				t.Errorf("findings %v, want %v\n%v", got, tt.want, rep.Findings)
			}
		})
	}
}

func TestCheckDMARCFindings(t *testing.T) {
	zone := dnszone.Zone{
		txt("_dmarc.none.example", "v=DMARC1; p=none; rua=mailto:d@none.example"),
		txt("_dmarc.pct.example", "v=DMARC1; p=quarantine; pct=20; rua=mailto:d@pct.example"),
		txt("_dmarc.ext.example", "v=DMARC1; p=reject; rua=mailto:a@vendor.example!10m,mailto:b@ok.example"),
		txt("ext.example._report._dmarc.ok.example", "v=DMARC1;"),
		txt("_dmarc.bad.example", "v=DMARC1; p=maybe; pct=150; adkim=x; rua=http://x.example; foo"),
		txt("_dmarc.org.example", "v=DMARC1; p=reject; sp=none; rua=mailto:d@org.example"),
		txt("_dmarc.two.example", "v=DMARC1; p=reject"), txt("_dmarc.two.example", "v=DMARC1; p=none"),
		// RFC 9989 tags.
		txt("_dmarc.old.example", "v=DMARC1; p=reject; rf=afrf; ri=3600; rua=mailto:d@old.example"),
		txt("_dmarc.test.example", "v=DMARC1; p=reject; t=y; rua=mailto:d@test.example"),
		txt("_dmarc.psd", "v=DMARC1; p=reject; psd=y; rua=mailto:d@psd"),
		txt("_dmarc.psdn.example", "v=DMARC1; p=reject; psd=n; rua=mailto:d@psdn.example"),
		txt("_dmarc.np.example", "v=DMARC1; p=reject; sp=quarantine; np=reject; rua=mailto:d@np.example"),
	}
	r, _ := resolver(t, zone)
	tests := []struct {
		domain string
		want   []string
	}{
		{"none.example", []string{"dmarc-p-none"}},
		// RFC 9989 removed pct=: a warning, never sampled (Appendix A.6).
		{"pct.example", []string{"dmarc-obsolete-pct", "dmarc-p-quarantine"}},
		{"ext.example", []string{"dmarc-dest-unauthorised"}},
		{"bad.example", []string{"dmarc-no-rua", "dmarc-obsolete-pct", "dmarc-syntax", "dmarc-syntax", "dmarc-syntax", "dmarc-syntax"}},
		// The walk finds org.example's record, the one with the fewest
		// labels: it applies and org.example is the organizational domain.
		{"sub.org.example", []string{"dmarc-inherited", "dmarc-org-domain", "dmarc-sp-none"}},
		// RFC 9989 §4.10 step 2: several records are all discarded, and
		// the walk finds nothing above: no record applies.
		{"two.example", []string{"dmarc-multiple"}},
		{"old.example", []string{"dmarc-obsolete-rf", "dmarc-obsolete-ri"}},
		{"test.example", []string{"dmarc-testing"}},
		// psd=y at the single-label start: §4.10.2 rule 2 excludes the
		// start, so psd is its own organizational domain.
		{"psd", []string{"dmarc-psd"}},
		// Below a psd=y record: the registrant is its own organization.
		{"shop.psd", []string{"dmarc-inherited", "dmarc-psd"}},
		{"psdn.example", []string{"dmarc-psd"}},
		{"mail.psdn.example", []string{"dmarc-inherited", "dmarc-org-domain", "dmarc-psd"}},
		{"np.example", []string{"dmarc-np"}},
		{"absent.example", []string{"dmarc-none"}},
	}
	for _, tt := range tests {
		t.Run(tt.domain, func(t *testing.T) {
			rep, err := CheckDMARC(context.Background(), r, tt.domain)
			if err != nil {
				t.Fatal(err)
			}
			got := codes(rep.Findings)
			slices.Sort(got)
			if !slices.Equal(got, tt.want) {
				t.Errorf("findings %v, want %v\n%v", got, tt.want, rep.Findings)
			}
		})
	}
}

func rsaKey(t *testing.T, bits int) string {
	t.Helper()
	k, err := rsa.GenerateKey(rand.Reader, bits)
	if err != nil {
		t.Fatal(err)
	}
	der, err := x509.MarshalPKIXPublicKey(&k.PublicKey)
	if err != nil {
		t.Fatal(err)
	}
	return base64.StdEncoding.EncodeToString(der)
}

func TestCheckDKIM(t *testing.T) {
	pub, _, _ := ed25519.GenerateKey(rand.Reader)
	zone := dnszone.Zone{
		txt("s2048._domainkey.d.example", "v=DKIM1; k=rsa; p="+rsaKey(t, 2048)),
		txt("s1024._domainkey.d.example", "v=DKIM1; p="+rsaKey(t, 1024)),
		txt("s512._domainkey.d.example", "v=DKIM1; t=y; p="+rsaKey(t, 512)),
		txt("ed._domainkey.d.example", "v=DKIM1; k=ed25519; p="+base64.StdEncoding.EncodeToString(pub)),
		txt("gone._domainkey.d.example", "v=DKIM1; p="),
		txt("junk._domainkey.d.example", "v=DKIM1; p=!!!"),
	}
	r, _ := resolver(t, zone)
	tests := []struct {
		sel  string
		bits int
		want []string
	}{
		{"s2048", 2048, nil},
		{"s1024", 1024, []string{"dkim-short"}},
		{"s512", 512, []string{"dkim-testing", "dkim-weak"}},
		{"ed", 256, nil},
		{"gone", 0, []string{"dkim-revoked"}},
		{"junk", 0, []string{"dkim-key"}},
		{"absent", 0, []string{"dkim-missing"}},
	}
	for _, tt := range tests {
		t.Run(tt.sel, func(t *testing.T) {
			k := CheckDKIM(context.Background(), r, "d.example", tt.sel)
			got := codes(k.Findings)
			slices.Sort(got)
			if k.Bits != tt.bits || !slices.Equal(got, tt.want) {
				t.Errorf("bits %d findings %v; want %d %v", k.Bits, got, tt.bits, tt.want)
			}
		})
	}
}

func TestCheckUnavailable(t *testing.T) {
	r, srv := resolver(t, treeZone)
	srv.Drop("good.example")
	_, err := Check(context.Background(), r, "good.example", nil)
	if !errors.Is(err, ErrUnavailable) {
		t.Fatalf("err = %v, want ErrUnavailable", err)
	}
	if _, err := Check(context.Background(), r, "not a domain", nil); err == nil {
		t.Error("no error for a bad domain name")
	}
}
