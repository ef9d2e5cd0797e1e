package domaincheck

import (
	"context"
	"errors"
	"slices"
	"strings"
	"testing"

	"mxaudit/analysis/dnszone"
)

// TestCheckDMARCTreeWalk checks the walk mxaudit check shows, from the
// RFC 9989 §4.10 rules: the names asked, the organizational domain and
// the policy domain.
func TestCheckDMARCTreeWalk(t *testing.T) {
	zone := dnszone.Zone{
		txt("_dmarc.walk.example", "v=DMARC1; p=reject; rua=mailto:d@walk.example"),
		txt("_dmarc.own.walk.example", "v=DMARC1; p=quarantine; rua=mailto:d@walk.example"),
		txt("walk.example", "v=spf1 -all"),
	}
	r, _ := resolver(t, zone)
	tests := []struct {
		domain, org, policy string
		walk                []string
	}{
		{"a.b.walk.example", "walk.example", "walk.example",
			[]string{"_dmarc.a.b.walk.example none", "_dmarc.b.walk.example none", "_dmarc.walk.example found", "_dmarc.example none"}},
		{"own.walk.example", "walk.example", "own.walk.example",
			[]string{"_dmarc.own.walk.example found", "_dmarc.walk.example found", "_dmarc.example none"}},
		{"1.2.3.4.5.6.7.8.9.walk.example", "walk.example", "walk.example",
			[]string{"_dmarc.1.2.3.4.5.6.7.8.9.walk.example none", "_dmarc.5.6.7.8.9.walk.example none", "_dmarc.6.7.8.9.walk.example none",
				"_dmarc.7.8.9.walk.example none", "_dmarc.8.9.walk.example none", "_dmarc.9.walk.example none",
				"_dmarc.walk.example found", "_dmarc.example none"}},
	}
	for _, tt := range tests {
		t.Run(tt.domain, func(t *testing.T) {
			rep, err := CheckDMARC(context.Background(), r, tt.domain)
			if err != nil {
				t.Fatal(err)
			}
			var walk []string
			for _, l := range rep.Walk {
				walk = append(walk, l.Name+" "+l.Status)
			}
			if rep.Discovery != "tree-walk" || rep.OrgDomain != tt.org || rep.PolicyDomain != tt.policy || !slices.Equal(walk, tt.walk) {
				t.Errorf("discovery %q org %q policy %q walk\n%q\nwant org %q policy %q walk\n%q",
					rep.Discovery, rep.OrgDomain, rep.PolicyDomain, walk, tt.org, tt.policy, tt.walk)
			}
		})
	}
}

// TestCheckDMARCWalkFailure: a DNS failure before any record was found is
// an error, never "no record"; after the domain's own record it is a
// warning, and that record is shown.
func TestCheckDMARCWalkFailure(t *testing.T) {
	zone := dnszone.Zone{
		txt("_dmarc.own.walk.example", "v=DMARC1; p=quarantine; rua=mailto:d@own.walk.example"),
		txt("_dmarc.walk.example", "v=DMARC1; p=reject"),
		txt("own.walk.example", "v=spf1 -all"),
		txt("sub.walk.example", "v=spf1 -all"),
	}
	r, srv := resolver(t, zone)
	srv.Drop("_dmarc.walk.example")

	rep, err := CheckDMARC(context.Background(), r, "own.walk.example")
	if err != nil || rep.Record == "" || !slices.Contains(codes(rep.Findings), "dmarc-walk-incomplete") {
		t.Errorf("record at the domain, parent dropped: err %v, record %q, findings %v", err, rep.Record, rep.Findings)
	}
	if _, err := CheckDMARC(context.Background(), r, "sub.walk.example"); err == nil || !strings.Contains(err.Error(), "_dmarc.walk.example did not answer") {
		t.Errorf("no own record, parent dropped: err %v", err)
	}
	if _, err := Check(context.Background(), r, "sub.walk.example", nil); !errors.Is(err, ErrUnavailable) {
		t.Errorf("Check: err %v, want ErrUnavailable", err)
	}
}
