package auth

import (
	"strings"
	"testing"

	"mxaudit/model"
)

func TestVerdict(t *testing.T) {
	tests := []struct {
		name    string
		auth    *model.Auth
		want    model.AuthVerdict
		reasons []string // each must appear in some reason
	}{
		{name: "nil", auth: nil, want: model.AuthNone, reasons: []string{"not checked"}},
		{name: "pass", auth: &model.Auth{DMARC: model.DMARCResult{Result: model.ResultPass, Reason: "DMARC passes for example.com"}},
			want: model.AuthPass, reasons: []string{"DMARC passes for example.com."}},
		{name: "fail with reject", auth: &model.Auth{DMARC: model.DMARCResult{Result: model.ResultFail, FromDomain: "example.com",
			Disposition: model.DispositionReject, Reason: "DMARC fails for example.com"}},
			want: model.AuthFail, reasons: []string{"The owner of example.com asks receivers to reject", "DMARC fails"}},
		{name: "temperror is its own verdict, not a failure (RFC 9989 §5.3.6)", auth: &model.Auth{DMARC: model.DMARCResult{Result: model.ResultTempError}},
			want: model.AuthTempError, reasons: []string{"scan again later"}},
		{name: "permerror fails", auth: &model.Auth{DMARC: model.DMARCResult{Result: model.ResultPermError, Reason: "the message has no From header"}},
			want: model.AuthFail, reasons: []string{"The message has no From header."}},
		{name: "none, nothing passed", auth: &model.Auth{DMARC: model.DMARCResult{Result: model.ResultNone}, SPF: model.SPFResult{Result: model.ResultFail}},
			want: model.AuthNone, reasons: []string{"nothing passed"}},
		{name: "no policy, aligned pass", auth: &model.Auth{DMARC: model.DMARCResult{Result: model.ResultNone},
			DKIM: []model.DKIMResult{{Result: model.ResultPass, Domain: "example.com", Aligned: true}}},
			want: model.AuthPass, reasons: []string{"these passed: DKIM d=example.com (aligned)"}},
		{name: "no policy, only unaligned pass", auth: &model.Auth{DMARC: model.DMARCResult{Result: model.ResultNone},
			DKIM: []model.DKIMResult{{Result: model.ResultPass, Domain: "mailer.example.net"}}},
			want: model.AuthNone, reasons: []string{"these passed: DKIM d=mailer.example.net"}},
		{name: "ignored headers are mentioned", auth: &model.Auth{DMARC: model.DMARCResult{Result: model.ResultPass}, IgnoredHeaders: []string{"evil.example"}},
			want: model.AuthPass, reasons: []string{"untrusted hosts: evil.example"}},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			v, reasons := Verdict(tc.auth)
			if v != tc.want {
				t.Fatalf("verdict %s, want %s (%q)", v, tc.want, reasons)
			}
			all := strings.Join(reasons, "\n")
			for _, r := range tc.reasons {
				if !strings.Contains(all, r) {
					t.Errorf("reasons %q lack %q", reasons, r)
				}
			}
		})
	}
}
