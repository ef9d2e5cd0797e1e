package auth

import (
	"slices"
	"strings"
	"testing"

	"mxaudit/analysis/dnszone"
	"mxaudit/model"
)

// TestWalkNames checks the names of RFC 9989 §4.10's example: a name of
// eight labels or more jumps to its last seven after the first query, so a
// walk never asks more than eight questions.
func TestWalkNames(t *testing.T) {
	tests := []struct {
		domain string
		want   []string
	}{
		{"a.b.c.d.e.f.g.h.i.j.mail.example.com", []string{
			"a.b.c.d.e.f.g.h.i.j.mail.example.com", "g.h.i.j.mail.example.com", "h.i.j.mail.example.com",
			"i.j.mail.example.com", "j.mail.example.com", "mail.example.com", "example.com", "com"}},
		{"a.mail.example.com", []string{"a.mail.example.com", "mail.example.com", "example.com", "com"}},
		{"bank", []string{"bank"}},
		// Exactly eight labels: the parent has seven either way.
		{"1.2.3.4.5.6.7.example", []string{"1.2.3.4.5.6.7.example", "2.3.4.5.6.7.example", "3.4.5.6.7.example",
			"4.5.6.7.example", "5.6.7.example", "6.7.example", "7.example", "example"}},
	}
	for _, tc := range tests {
		if got := walkNames(tc.domain); !slices.Equal(got, tc.want) {
			t.Errorf("walkNames(%s) = %q, want %q", tc.domain, got, tc.want)
		}
		if n := len(walkNames(tc.domain)); n > MaxWalkQueries {
			t.Errorf("%s: %d names, more than %d", tc.domain, n, MaxWalkQueries)
		}
	}
}

// treeWalkZone publishes the records of the RFC 9989 test cases. The
// expected results in TestTreeWalkDMARC are derived from the RFC's text
// (§4.10, §4.10.1, §4.10.2, §4.7 and Appendix A.4), not from the code.
func treeWalkZone(t *testing.T) dnszone.Zone {
	rk, _ := testKeys()
	key := keyRecord(t, rk)
	z := dnszone.Zone{
		// A subdomain with its own record, the parent without one.
		{Name: "_dmarc.sub.org2.example", Type: "TXT", Value: "v=DMARC1; p=reject"},
		// A parent-only record.
		{Name: "_dmarc.org3.example", Type: "TXT", Value: "v=DMARC1; p=reject; sp=quarantine"},
		{Name: "mail.org3.example", Type: "A", Value: "192.0.2.30"},
		// A public suffix operator's record on a single-label name, and a
		// registrant below it with its own record (Appendix B.4.3).
		{Name: "_dmarc.bank", Type: "TXT", Value: "v=DMARC1; p=none; sp=quarantine; np=reject; psd=y"},
		{Name: "_dmarc.giant.bank", Type: "TXT", Value: "v=DMARC1; p=quarantine"},
		{Name: "shop.bank", Type: "A", Value: "192.0.2.31"},
		// A deep name below a record with two labels.
		{Name: "_dmarc.deep.example", Type: "TXT", Value: "v=DMARC1; p=reject"},
		// np= against NXDOMAIN and NODATA.
		{Name: "_dmarc.np.example", Type: "TXT", Value: "v=DMARC1; p=none; sp=quarantine; np=reject"},
		{Name: "real.np.example", Type: "A", Value: "192.0.2.32"},
		// t=y with each p, and t=n.
		{Name: "_dmarc.tnone.example", Type: "TXT", Value: "v=DMARC1; p=none; t=y"},
		{Name: "_dmarc.tquar.example", Type: "TXT", Value: "v=DMARC1; p=quarantine; t=y"},
		{Name: "_dmarc.trej.example", Type: "TXT", Value: "v=DMARC1; p=reject; t=y"},
		{Name: "_dmarc.tno.example", Type: "TXT", Value: "v=DMARC1; p=reject; t=n"},
		{Name: "_dmarc.tsub.example", Type: "TXT", Value: "v=DMARC1; p=none; sp=reject; t=y"},
		{Name: "tsub.example", Type: "A", Value: "192.0.2.33"},
		{Name: "x.tsub.example", Type: "A", Value: "192.0.2.33"},
		// Obsolete and unknown tags; a record without p=.
		{Name: "_dmarc.old.example", Type: "TXT", Value: "v=DMARC1; p=reject; pct=10; rf=afrf; ri=3600; foo=bar"},
		{Name: "_dmarc.ruaonly.example", Type: "TXT", Value: "v=DMARC1; rua=mailto:d@ruaonly.example"},
		{Name: "_dmarc.nop.example", Type: "TXT", Value: "v=DMARC1; sp=reject"},
		// v= not first: not a DMARC record at all (§4.7).
		{Name: "_dmarc.vlast.example", Type: "TXT", Value: "p=reject; v=DMARC1"},
	}
	for _, d := range []string{"org2.example", "org3.example", "sub.org2.example", "mail.mega.bank", "x.bank",
		"mail.giant.bank", "deep.example", "np.example"} {
		z = append(z, dnszone.Record{Name: "k._domainkey." + d, Type: "TXT", Value: key})
	}
	return z
}

func TestTreeWalkDMARC(t *testing.T) {
	c, srv, _ := liveChecker(t, treeWalkZone(t))
	const bad = "203.0.113.5" // no SPF anywhere permits it
	deep := "a.b.c.d.e.f.g.h.i.j.k.deep.example"
	tests := []struct {
		name, from, dkim string
		want             model.Result
		wantDisposition  model.Disposition
		wantOrg          string
		wantPolicyDomain string
		wantTesting      bool
		wantAligned      bool
		wantReason       string
	}{
		// §4.10.2: sub.org2.example's walk finds only its own record, so
		// it is its own organizational domain; org2.example's walk finds
		// nothing, so org2.example is its own: not aligned.
		{name: "subdomain with own record: parent's DKIM not aligned", from: "a@sub.org2.example", dkim: "org2.example",
			want: model.ResultFail, wantDisposition: model.DispositionReject, wantOrg: "sub.org2.example",
			wantPolicyDomain: "sub.org2.example"},
		// The record with the fewest labels is org3.example for both.
		{name: "parent-only record: parent's DKIM aligned", from: "a@mail.org3.example", dkim: "org3.example",
			want: model.ResultPass, wantDisposition: model.DispositionNone, wantOrg: "org3.example",
			wantPolicyDomain: "org3.example", wantAligned: true},
		{name: "parent-only record: existing subdomain gets sp", from: "a@mail.org3.example",
			want: model.ResultFail, wantDisposition: model.DispositionQuarantine, wantOrg: "org3.example",
			wantPolicyDomain: "org3.example", wantReason: "sp=quarantine of org3.example applies"},
		// psd=y on the single-label start: rule 2 excludes the start, so
		// rule 3 makes "bank" its own organizational domain; x.bank's
		// walk stops at bank's psd=y, one label below is x.bank.
		{name: "psd=y on a single-label name", from: "a@bank", dkim: "x.bank",
			want: model.ResultFail, wantDisposition: model.DispositionNone, wantOrg: "bank", wantPolicyDomain: "bank"},
		// Appendix B.4.3: mail.mega.bank's organizational domain is mega.bank.
		{name: "psd=y: sibling registrant not aligned", from: "a@giant.bank", dkim: "mail.mega.bank",
			want: model.ResultFail, wantDisposition: model.DispositionQuarantine, wantOrg: "giant.bank", wantPolicyDomain: "giant.bank"},
		{name: "psd=y: own subdomain aligned", from: "a@giant.bank", dkim: "mail.giant.bank",
			want: model.ResultPass, wantOrg: "giant.bank", wantAligned: true},
		// No record at the organizational domain: the PSD's applies, np=
		// for a name that does not exist, sp= for one that does.
		{name: "psd=y policy, nonexistent registrant: np", from: "a@nobody.bank",
			want: model.ResultFail, wantDisposition: model.DispositionReject, wantOrg: "nobody.bank", wantPolicyDomain: "bank"},
		{name: "psd=y policy, existing registrant: sp", from: "a@shop.bank",
			want: model.ResultFail, wantDisposition: model.DispositionQuarantine, wantOrg: "shop.bank", wantPolicyDomain: "bank"},
		{name: "eight-plus labels: walk jumps to seven", from: "a@" + deep, dkim: "deep.example",
			want: model.ResultPass, wantOrg: "deep.example", wantPolicyDomain: "deep.example", wantAligned: true},
		{name: "np: NXDOMAIN subdomain", from: "a@ghost.np.example",
			want: model.ResultFail, wantDisposition: model.DispositionReject, wantReason: "ghost.np.example does not exist (NXDOMAIN)"},
		{name: "np: NODATA subdomain exists", from: "a@real.np.example",
			want: model.ResultFail, wantDisposition: model.DispositionQuarantine},
		{name: "np: not for the domain itself", from: "a@np.example",
			want: model.ResultFail, wantDisposition: model.DispositionNone},
		{name: "t=y, p=none stays none", from: "a@tnone.example",
			want: model.ResultFail, wantDisposition: model.DispositionNone, wantTesting: true},
		{name: "t=y, p=quarantine applied as none", from: "a@tquar.example",
			want: model.ResultFail, wantDisposition: model.DispositionNone, wantTesting: true, wantReason: "t=y"},
		{name: "t=y, p=reject applied as quarantine", from: "a@trej.example",
			want: model.ResultFail, wantDisposition: model.DispositionQuarantine, wantTesting: true, wantReason: "one level lower"},
		{name: "t=n, p=reject applied", from: "a@tno.example",
			want: model.ResultFail, wantDisposition: model.DispositionReject},
		{name: "t=y lowers sp too", from: "a@x.tsub.example",
			want: model.ResultFail, wantDisposition: model.DispositionQuarantine, wantTesting: true},
		{name: "obsolete pct is not sampled", from: "a@old.example",
			want: model.ResultFail, wantDisposition: model.DispositionReject, wantReason: "pct=10, rf=afrf, ri=3600 are obsolete"},
		{name: "no p but rua acts as p=none", from: "a@ruaonly.example",
			want: model.ResultFail, wantDisposition: model.DispositionNone, wantReason: "acts as p=none"},
		{name: "no p and no rua: no DMARC processing", from: "a@nop.example",
			want: model.ResultPermError, wantReason: "no p= tag"},
		{name: "v=DMARC1 not first: no record", from: "a@vlast.example",
			want: model.ResultNone},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			a := check(t, c, dmarcMessage(t, bad, "bounce@elsewhere.example", tc.from, tc.dkim))
			d := a.DMARC
			if d.Result != tc.want {
				t.Fatalf("result %s, want %s: %s", d.Result, tc.want, d.Reason)
			}
			if tc.wantDisposition != "" && d.Disposition != tc.wantDisposition {
				t.Errorf("disposition %q, want %q: %s", d.Disposition, tc.wantDisposition, d.Reason)
			}
			if tc.wantOrg != "" && d.OrgDomain != tc.wantOrg {
				t.Errorf("org domain %q, want %q", d.OrgDomain, tc.wantOrg)
			}
			if tc.wantPolicyDomain != "" && d.PolicyDomain != tc.wantPolicyDomain {
				t.Errorf("policy domain %q, want %q", d.PolicyDomain, tc.wantPolicyDomain)
			}
			if d.Testing != tc.wantTesting {
				t.Errorf("testing %v, want %v", d.Testing, tc.wantTesting)
			}
			if tc.dkim != "" && len(a.DKIM) == 1 && a.DKIM[0].Aligned != tc.wantAligned {
				t.Errorf("DKIM d=%s aligned %v, want %v", tc.dkim, a.DKIM[0].Aligned, tc.wantAligned)
			}
			if !strings.Contains(d.Reason, tc.wantReason) {
				t.Errorf("reason %q lacks %q", d.Reason, tc.wantReason)
			}
			if d.Discovery != DiscoveryTreeWalk || len(d.Records) == 0 || len(d.Records) > MaxWalkQueries {
				t.Errorf("discovery %q with %d records", d.Discovery, len(d.Records))
			}
		})
	}
	// The deep name's walk asked exactly the eight names of §4.10.
	if n := srv.QueriesFor("_dmarc." + deep); n != 1 {
		t.Errorf("_dmarc.%s asked %d times", deep, n)
	}
	for _, skipped := range []string{"b.c.d.e.f.g.h.i.j.k.deep.example", "f.g.h.i.j.k.deep.example"} {
		if n := srv.QueriesFor("_dmarc." + skipped); n != 0 {
			t.Errorf("_dmarc.%s asked although the walk skips it", skipped)
		}
	}
}

// TestTreeWalkRecordsConsulted checks the records a result lists for the
// deep name: the eight questions of §4.10, in order.
func TestTreeWalkRecordsConsulted(t *testing.T) {
	c, _, _ := liveChecker(t, treeWalkZone(t))
	a := check(t, c, dmarcMessage(t, "203.0.113.5", "x@elsewhere.example", "a@a.b.c.d.e.f.g.h.i.j.k.deep.example", ""))
	var names []string
	for _, r := range a.DMARC.Records {
		names = append(names, r.Name+"="+r.Status)
	}
	want := []string{"_dmarc.a.b.c.d.e.f.g.h.i.j.k.deep.example=none", "_dmarc.g.h.i.j.k.deep.example=none",
		"_dmarc.h.i.j.k.deep.example=none", "_dmarc.i.j.k.deep.example=none", "_dmarc.j.k.deep.example=none",
		"_dmarc.k.deep.example=none", "_dmarc.deep.example=found", "_dmarc.example=none"}
	if !slices.Equal(names, want) {
		t.Errorf("records\n%q\nwant\n%q", names, want)
	}
}
