package model

import (
	"slices"
	"testing"
)

func TestDMARCPolicySummary(t *testing.T) {
	tests := []struct {
		name string
		d    DMARCResult
		want string
	}{
		{"no record", DMARCResult{Result: ResultNone}, ""},
		{"plain", DMARCResult{Policy: DispositionReject, ADKIM: AlignRelaxed, ASPF: AlignStrict}, "p=reject adkim=r aspf=s"},
		{"RFC 9989 tags and obsolete ones", DMARCResult{Policy: DispositionQuarantine, SubdomainPolicy: DispositionNone,
			NonexistentPolicy: DispositionReject, Testing: true, PSD: "y", ObsoleteTags: []string{"pct=50", "ri=3600"}},
			"p=quarantine sp=none np=reject t=y psd=y pct=50 (obsolete) ri=3600 (obsolete)"},
	}
	for _, tt := range tests {
		if got := tt.d.PolicySummary(); got != tt.want {
			t.Errorf("%s: %q, want %q", tt.name, got, tt.want)
		}
	}
}

func TestDMARCWalkLines(t *testing.T) {
	d := DMARCResult{OrgDomain: "sub.org2.example", PolicyDomain: "sub.org2.example", Records: []DMARCLookup{
		{Name: "_dmarc.sub.org2.example", Status: LookupFound, Record: "v=DMARC1; p=reject"},
		{Name: "_dmarc.org2.example", Status: LookupNone},
		{Name: "_dmarc.example", Status: LookupTempError},
	}}
	want := []string{
		"found     _dmarc.sub.org2.example  v=DMARC1; p=reject",
		"none      _dmarc.org2.example",
		"temperror _dmarc.example",
		"organizational domain sub.org2.example, policy from sub.org2.example (3 of at most 8 queries)",
	}
	if got := d.WalkLines(); !slices.Equal(got, want) {
		t.Errorf("got\n%q\nwant\n%q", got, want)
	}
	if (DMARCResult{}).WalkLines() != nil {
		t.Error("lines for a result without a walk")
	}
}
