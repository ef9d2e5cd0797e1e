package auth

import (
	"fmt"
	"strings"
	"testing"

	"mxaudit/analysis/dnszone"
	"mxaudit/model"
)

// spfZone publishes one domain per SPF outcome.
func spfZone() dnszone.Zone {
	z := dnszone.Zone{
		{Name: "pass.example", Type: "TXT", Value: "v=spf1 ip4:192.0.2.0/24 -all"},
		{Name: "fail.example", Type: "TXT", Value: "v=spf1 ip4:198.51.100.0/24 -all"},
		{Name: "soft.example", Type: "TXT", Value: "v=spf1 ip4:198.51.100.0/24 ~all"},
		{Name: "neutral.example", Type: "TXT", Value: "v=spf1 ?all"},
		{Name: "mx.example", Type: "TXT", Value: "v=spf1 mx -all"},
		{Name: "mx.example", Type: "MX", Value: "10 out.mx.example"},
		{Name: "out.mx.example", Type: "A", Value: "192.0.2.7"},
		{Name: "void.example", Type: "TXT", Value: "v=spf1 a:v1.void.example a:v2.void.example a:v3.void.example ip4:192.0.2.0/24 -all"},
		{Name: "twice.example", Type: "TXT", Value: "v=spf1 -all"},
		{Name: "twice.example", Type: "TXT", Value: "v=spf1 +all"},
		{Name: "slow.example", Type: "TXT", Value: "v=spf1 +all"},
		{Name: "helo.example.net", Type: "TXT", Value: "v=spf1 ip4:192.0.2.7 -all"},
		{Name: "nospf.example", Type: "A", Value: "192.0.2.7"},
	}
	// l0 → l1 → … → l11: l0 needs 11 include lookups, l1 needs 10.
	for i := range 11 {
		z = append(z, dnszone.Record{Name: fmt.Sprintf("l%d.example", i), Type: "TXT", Value: fmt.Sprintf("v=spf1 include:l%d.example -all", i+1)})
	}
	z = append(z, dnszone.Record{Name: "l11.example", Type: "TXT", Value: "v=spf1 ip4:192.0.2.0/24 -all"})
	return z
}

// spfMessage is a message received by mx.example.org from ip, with the
// envelope sender and From at domain.
func spfMessage(ip, sender, from string) string {
	return crlf(fmt.Sprintf(`Return-Path: <%s>
Received: from helo.example.net (out.example.net [%s])
	by mx.example.org (Postfix) with ESMTPS id 4Xyz; Mon, 2 Jan 2026 10:00:01 +0000
From: <%s>
Subject: hi

body
`, sender, ip, from))
}

func TestSPFLive(t *testing.T) {
	c, srv, _ := liveChecker(t, spfZone())
	srv.Drop("slow.example")
	tests := []struct {
		name       string
		msg        string
		want       model.Result
		wantDomain string
		wantReason string
	}{
		{name: "pass", msg: spfMessage("192.0.2.7", "a@pass.example", "a@pass.example"), want: model.ResultPass, wantDomain: "pass.example"},
		{name: "IPv6 client not listed fails", msg: spfMessage("IPv6:2001:db8::7", "a@fail.example", "a@fail.example"), want: model.ResultFail, wantReason: "2001:db8::7 is not permitted"},
		{name: "fail", msg: spfMessage("192.0.2.7", "a@fail.example", "a@fail.example"), want: model.ResultFail, wantReason: "not permitted to send for fail.example"},
		{name: "softfail", msg: spfMessage("192.0.2.7", "a@soft.example", "a@soft.example"), want: model.ResultSoftFail},
		{name: "neutral", msg: spfMessage("192.0.2.7", "a@neutral.example", "a@neutral.example"), want: model.ResultNeutral},
		{name: "no record", msg: spfMessage("192.0.2.7", "a@nospf.example", "a@nospf.example"), want: model.ResultNone, wantReason: "publishes no SPF record"},
		{name: "mx mechanism", msg: spfMessage("192.0.2.7", "a@mx.example", "a@mx.example"), want: model.ResultPass},
		{name: "10 includes pass", msg: spfMessage("192.0.2.7", "a@l1.example", "a@l1.example"), want: model.ResultPass},
		{name: "11 includes permerror", msg: spfMessage("192.0.2.7", "a@l0.example", "a@l0.example"), want: model.ResultPermError, wantReason: "more than 10 DNS lookups"},
		{name: "3 void lookups permerror", msg: spfMessage("192.0.2.7", "a@void.example", "a@void.example"), want: model.ResultPermError, wantReason: "more than 2 lookups"},
		{name: "two records permerror", msg: spfMessage("192.0.2.7", "a@twice.example", "a@twice.example"), want: model.ResultPermError, wantReason: "several SPF records"},
		{name: "timeout temperror", msg: spfMessage("192.0.2.7", "a@slow.example", "a@slow.example"), want: model.ResultTempError, wantReason: "try again later"},
		{name: "null sender checks HELO", msg: spfMessage("192.0.2.7", "", "a@pass.example"), want: model.ResultPass, wantDomain: "helo.example.net"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			s := check(t, c, tc.msg).SPF
			if s.Result != tc.want || s.Source != model.SourceLive || !strings.Contains(s.Reason, tc.wantReason) {
				t.Fatalf("got %+v, want %s with reason containing %q", s, tc.want, tc.wantReason)
			}
			if tc.wantDomain != "" && s.Domain != tc.wantDomain {
				t.Fatalf("domain %q, want %q", s.Domain, tc.wantDomain)
			}
			if s.Helo != "helo.example.net" {
				t.Fatalf("helo %q", s.Helo)
			}
		})
	}
}

func TestSPFFallbackToHeaders(t *testing.T) {
	c, srv, _ := liveChecker(t, spfZone())
	const received = "Received: from helo.example.net (out.example.net [192.0.2.7]) by mx.example.org (Postfix) id 1; Mon, 2 Jan 2026 10:00:01 +0000\r\n"
	const untrustedReceived = "Received: from x (x [203.0.113.9]) by relay.elsewhere.example (Postfix) id 2; Mon, 2 Jan 2026 09:59:00 +0000\r\n"
	tests := []struct {
		name       string
		header     string
		want       model.Result
		wantSource model.AuthSource
		wantDomain string
		wantReason string
	}{
		{name: "no Return-Path: trusted A-R",
			header: "Authentication-Results: mx.example.org; spf=pass smtp.mailfrom=bounce@pass.example\r\n" + received,
			want:   model.ResultPass, wantSource: model.SourceHeader, wantDomain: "pass.example"},
		// Without the gateway's Received nothing shows where the message
		// entered, so a field naming our host may be the sender's own.
		{name: "no trusted Received: A-R naming our host is not used",
			header: "Return-Path: <a@fail.example>\r\nAuthentication-Results: MX.example.org; spf=softfail (sender not listed) smtp.mailfrom=fail.example\r\n" + untrustedReceived,
			want:   "", wantReason: "no Received header from a trusted host"},
		{name: "untrusted A-R is not used",
			header: "Authentication-Results: evil.example; spf=pass smtp.mailfrom=pass.example\r\n" + untrustedReceived,
			want:   "", wantReason: "no Received header from a trusted host"},
		{name: "Received-SPF above the gateway's Received",
			header: "Received-SPF: Pass (mailfrom) identity=mailfrom; client-ip=192.0.2.7; helo=helo.example.net; envelope-from=\"x@pass.example\"; receiver=mx.example.org\r\n" +
				strings.Replace(received, "[192.0.2.7]", "[unparsable]", 1),
			want: model.ResultPass, wantSource: model.SourceHeader, wantDomain: "pass.example"},
		{name: "Received-SPF below the gateway's Received is forged",
			header: strings.Replace(received, "[192.0.2.7]", "[unparsable]", 1) +
				"Received-SPF: pass (forged) client-ip=192.0.2.7; envelope-from=x@pass.example\r\n",
			want: "", wantReason: "trusted Received header names none"},
		{name: "no Return-Path and nothing else",
			header: received, want: "", wantReason: "envelope sender unknown"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			srv.ResetCounts()
			a := check(t, c, tc.header+"From: a@pass.example\r\nSubject: x\r\n\r\nbody\r\n")
			s := a.SPF
			if s.Result != tc.want || s.Source != tc.wantSource || !strings.Contains(s.Reason, tc.wantReason) {
				t.Fatalf("got %+v, want %s from %q, reason containing %q", s, tc.want, tc.wantSource, tc.wantReason)
			}
			if tc.wantDomain != "" && s.Domain != tc.wantDomain {
				t.Fatalf("domain %q, want %q", s.Domain, tc.wantDomain)
			}
			for _, name := range []string{"pass.example", "fail.example"} {
				if n := srv.QueriesFor(name); n != 0 && tc.wantSource == model.SourceHeader {
					t.Fatalf("SPF from headers still queried %s %d times", name, n)
				}
			}
		})
	}
}
