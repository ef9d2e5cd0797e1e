package auth

import (
	"fmt"
	"strings"
	"testing"
	"time"

	"mxaudit/analysis/dnszone"
	"mxaudit/model"
)

func dmarcZone(t *testing.T) dnszone.Zone {
	rk, _ := testKeys()
	key := keyRecord(t, rk)
	z := dnszone.Zone{
		{Name: "_dmarc.example.com", Type: "TXT", Value: "v=DMARC1; p=reject; sp=quarantine; rua=mailto:d@example.com"},
		{Name: "_dmarc.strict.test", Type: "TXT", Value: "v=DMARC1; p=reject; aspf=s; adkim=s"},
		{Name: "_dmarc.none.test", Type: "TXT", Value: "v=DMARC1; p=none"},
		{Name: "_dmarc.quar.test", Type: "TXT", Value: "v=DMARC1; p=quarantine; pct=50"},
		{Name: "_dmarc.sub.own.test", Type: "TXT", Value: "v=DMARC1; p=none"},
		{Name: "_dmarc.own.test", Type: "TXT", Value: "v=DMARC1; p=reject; sp=reject"},
		{Name: "_dmarc.upper.test", Type: "TXT", Value: "v=DMARC1; P=REJECT; ADKIM=S"},
		{Name: "_dmarc.bad.test", Type: "TXT", Value: "v=DMARC1; p=maybe"},
		{Name: "_dmarc.two.test", Type: "TXT", Value: "v=DMARC1; p=reject"},
		{Name: "_dmarc.two.test", Type: "TXT", Value: "v=DMARC1; p=none"},
		{Name: "_dmarc.other.test", Type: "TXT", Value: "v=spf1 -all"},
		{Name: "_dmarc.slow.test", Type: "TXT", Value: "v=DMARC1; p=reject"},
	}
	for _, d := range []string{"example.com", "strict.test", "none.test", "quar.test", "sub.own.test", "own.test",
		"upper.test", "bad.test", "two.test", "other.test", "slow.test", "nodmarc.test", "bounce.mailer.example.net"} {
		z = append(z, dnszone.Record{Name: d, Type: "TXT", Value: "v=spf1 ip4:192.0.2.0/24 -all"})
	}
	for _, d := range []string{"example.com", "alert.strict.test", "strict.test", "mailer.example.net"} {
		z = append(z, dnszone.Record{Name: "k._domainkey." + d, Type: "TXT", Value: key})
	}
	return z
}

// dmarcMessage builds a message from client ip with the envelope sender,
// From and, when dkimDomain is set, a DKIM signature by it.
func dmarcMessage(t *testing.T, ip, sender, from, dkimDomain string) string {
	msg := crlf(fmt.Sprintf("From: %s\nTo: bob@example.org\nSubject: s\nDate: Mon, 2 Jan 2026 10:00:00 +0000\n\nbody\n", from))
	if dkimDomain != "" {
		rk, _ := testKeys()
		msg = sign(t, msg, dkimDomain, "k", rk, time.Time{})
	}
	return crlf(fmt.Sprintf("Return-Path: <%s>\nReceived: from h.example.net (h.example.net [%s]) by mx.example.org (Postfix) id 1; Mon, 2 Jan 2026 10:00:01 +0000\n", sender, ip)) + msg
}

func TestDMARC(t *testing.T) {
	c, srv, _ := liveChecker(t, dmarcZone(t))
	srv.Drop("_dmarc.slow.test")
	const good, bad = "192.0.2.7", "203.0.113.5"
	tests := []struct {
		name            string
		msg             string
		want            model.Result
		wantPolicy      model.Disposition
		wantDisposition model.Disposition
		wantOrg         string
		wantReason      []string
		wantVerdict     model.AuthVerdict
	}{
		{name: "subdomain From, org record, SPF relaxed aligned",
			msg:  dmarcMessage(t, good, "bounce@example.com", "system@alert.example.com", ""),
			want: model.ResultPass, wantPolicy: model.DispositionReject, wantDisposition: model.DispositionNone, wantOrg: "example.com",
			wantReason: []string{"SPF passes for example.com, aligned (relaxed)"}, wantVerdict: model.AuthPass},
		{name: "subdomain From, SPF strict not aligned",
			msg:  dmarcMessage(t, good, "bounce@strict.test", "system@alert.strict.test", ""),
			want: model.ResultFail, wantPolicy: model.DispositionReject, wantDisposition: model.DispositionReject,
			wantReason: []string{"not aligned with alert.strict.test (strict)", "policy p=reject of strict.test"}, wantVerdict: model.AuthFail},
		{name: "DKIM strict: parent domain not aligned",
			msg:  dmarcMessage(t, bad, "bounce@strict.test", "system@alert.strict.test", "strict.test"),
			want: model.ResultFail, wantReason: []string{"DKIM d=strict.test passes but is not aligned with alert.strict.test (strict)"}},
		{name: "DKIM strict: exact domain aligned",
			msg:  dmarcMessage(t, bad, "bounce@strict.test", "system@alert.strict.test", "alert.strict.test"),
			want: model.ResultPass, wantReason: []string{"DKIM d=alert.strict.test passes and is aligned with alert.strict.test (strict)"}},
		{name: "DKIM relaxed: org domain aligned",
			msg:  dmarcMessage(t, bad, "bounce@elsewhere.test", "system@alert.example.com", "example.com"),
			want: model.ResultPass, wantReason: []string{"DKIM d=example.com passes and is aligned with alert.example.com (relaxed)"}},
		{name: "sp applies to a subdomain",
			msg:  dmarcMessage(t, bad, "bounce@example.com", "system@alert.example.com", ""),
			want: model.ResultFail, wantPolicy: model.DispositionReject, wantDisposition: model.DispositionQuarantine,
			wantReason: []string{"policy sp=quarantine of example.com applies to the subdomain alert.example.com"}},
		{name: "sp does not apply to the org domain itself",
			msg:  dmarcMessage(t, bad, "bounce@example.com", "ceo@example.com", ""),
			want: model.ResultFail, wantDisposition: model.DispositionReject, wantReason: []string{"policy p=reject"}},
		{name: "subdomain with its own record uses its p",
			msg:  dmarcMessage(t, bad, "x@sub.own.test", "x@sub.own.test", ""),
			want: model.ResultFail, wantPolicy: model.DispositionNone, wantDisposition: model.DispositionNone, wantOrg: "own.test"},
		{name: "p=none fails with disposition none",
			msg:  dmarcMessage(t, bad, "x@none.test", "x@none.test", ""),
			want: model.ResultFail, wantPolicy: model.DispositionNone, wantDisposition: model.DispositionNone, wantVerdict: model.AuthFail},
		{name: "pct=50 is obsolete: reported, never sampled (RFC 9989 §A.6)",
			msg:  dmarcMessage(t, bad, "x@quar.test", "x@quar.test", ""),
			want: model.ResultFail, wantPolicy: model.DispositionQuarantine, wantDisposition: model.DispositionQuarantine,
			wantReason: []string{"pct=50 is obsolete"}},
		{name: "upper-case record",
			msg:  dmarcMessage(t, bad, "x@upper.test", "x@upper.test", ""),
			want: model.ResultFail, wantPolicy: model.DispositionReject, wantDisposition: model.DispositionReject},
		{name: "no record",
			msg:  dmarcMessage(t, good, "x@nodmarc.test", "x@nodmarc.test", ""),
			want: model.ResultNone, wantReason: []string{"the tree walk asked _dmarc.nodmarc.test, _dmarc.test"}, wantVerdict: model.AuthPass},
		{name: "only a non-DMARC TXT record",
			msg:  dmarcMessage(t, good, "x@other.test", "x@other.test", ""),
			want: model.ResultNone, wantVerdict: model.AuthPass},
		{name: "invalid record",
			msg:  dmarcMessage(t, good, "x@bad.test", "x@bad.test", ""),
			want: model.ResultPermError, wantReason: []string{"the DMARC record at _dmarc.bad.test is invalid"}, wantVerdict: model.AuthFail},
		{name: "two records",
			msg:  dmarcMessage(t, good, "x@two.test", "x@two.test", ""),
			want: model.ResultNone, wantReason: []string{"_dmarc.two.test publishes several DMARC records, which are all discarded"}},
		{name: "DMARC lookup times out",
			msg:  dmarcMessage(t, good, "x@slow.test", "x@slow.test", ""),
			want: model.ResultTempError, wantReason: []string{"try again later"}, wantVerdict: model.AuthTempError},
		{name: "third-party DKIM and SPF, neither aligned",
			msg:  dmarcMessage(t, good, "x@bounce.mailer.example.net", "news@example.com", "mailer.example.net"),
			want: model.ResultFail, wantDisposition: model.DispositionReject,
			wantReason: []string{"DKIM d=mailer.example.net passes but is not aligned with example.com (relaxed); SPF passes for bounce.mailer.example.net, not aligned with example.com (relaxed); policy p=reject"}},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			a := check(t, c, tc.msg)
			d := a.DMARC
			if d.Result != tc.want {
				t.Fatalf("result %s, want %s: %s", d.Result, tc.want, d.Reason)
			}
			if tc.wantPolicy != "" && d.Policy != tc.wantPolicy {
				t.Errorf("policy %q, want %q", d.Policy, tc.wantPolicy)
			}
			if tc.wantDisposition != "" && d.Disposition != tc.wantDisposition {
				t.Errorf("disposition %q, want %q", d.Disposition, tc.wantDisposition)
			}
			if tc.wantOrg != "" && d.OrgDomain != tc.wantOrg {
				t.Errorf("org domain %q, want %q", d.OrgDomain, tc.wantOrg)
			}
			for _, r := range tc.wantReason {
				if !strings.Contains(d.Reason, r) {
					t.Errorf("reason %q lacks %q", d.Reason, r)
				}
			}
			if tc.wantVerdict != "" {
				if v, reasons := Verdict(a); v != tc.wantVerdict || len(reasons) == 0 {
					t.Errorf("verdict %s %q, want %s", v, reasons, tc.wantVerdict)
				}
			}
		})
	}
}

func TestDMARCFromProblems(t *testing.T) {
	c := NewChecker(Config{TrustedHosts: []string{"mx.example.org"}, Resolver: NewZoneResolver(nil)})
	tests := []struct {
		name, header, wantReason string
	}{
		{"several addresses", "From: a@example.com, b@example.net\r\n", "holds 2 addresses"},
		{"no From", "Sender: a@example.com\r\n", "no From header"},
		{"two From fields", "From: a@example.com\r\nFrom: b@example.com\r\n", "2 From headers"},
		{"unparsable", "From: <<<@@@>>>\r\n", "does not parse"},
		{"no domain", "From: undisclosed-recipients:;\r\n", "addresses"},
		{"invalid domain", "From: a@exa mple..com\r\n", "From"},
		// Issue 13: an empty From and a From that is an encoded word are
		// permerror with a reason, never an address.
		{"empty", "From: \r\n", "the From header is empty"},
		{"encoded word instead of an address", "From: =?utf-8?B?Y2VvQGJhbmsuZXhhbXBsZQ==?=\r\n", "encoded word, not an address"},
		{"encoded word as the local part", "From: =?utf-8?q?ceo=40bank.example?=@attacker.example\r\n", "contains an RFC 2047 encoded word"},
		{"encoded word in angle brackets", "From: CEO <=?utf-8?q?ceo=40bank.example?=@attacker.example>\r\n", "contains an RFC 2047 encoded word"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			a := check(t, c, tc.header+"Subject: x\r\n\r\nbody\r\n")
			if a.DMARC.Result != model.ResultPermError || !strings.Contains(a.DMARC.Reason, tc.wantReason) {
				t.Fatalf("got %s %q, want permerror with %q", a.DMARC.Result, a.DMARC.Reason, tc.wantReason)
			}
			if v, _ := Verdict(a); v != model.AuthFail {
				t.Fatalf("verdict %s", v)
			}
		})
	}
}
