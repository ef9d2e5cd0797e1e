package demo

import (
	"bytes"
	"net"
	"strings"
	"testing"

	"blitiri.com.ar/go/spf"
	"github.com/emersion/go-msgauth/dkim"
	"github.com/emersion/go-msgauth/dmarc"

	"mxaudit/model"
)

// dkimResult maps a go-msgauth verification to an RFC 8601 result.
func dkimResult(v *dkim.Verification) model.Result {
	switch {
	case v.Err == nil:
		return model.ResultPass
	case dkim.IsTempFail(v.Err):
		return model.ResultTempError
	case dkim.IsPermFail(v.Err):
		return model.ResultPermError
	}
	return model.ResultFail
}

// checkDKIM verifies s with go-msgauth against Zone() and compares each
// signature's result with the expectation.
func checkDKIM(t *testing.T, s Sample) {
	t.Helper()
	z := newZoneResolver()
	verifs, err := dkim.VerifyWithOptions(bytes.NewReader(s.Raw), &dkim.VerifyOptions{LookupTXT: z.txt})
	if err != nil {
		t.Fatalf("%s: verify: %v", s.Name, err)
	}
	want := s.Want.Auth.DKIM
	if len(verifs) != len(want) {
		t.Fatalf("%s: %d signatures, want %d", s.Name, len(verifs), len(want))
	}
	for i, v := range verifs {
		if got := dkimResult(v); got != want[i].Result || v.Domain != want[i].Domain {
			t.Errorf("%s: signature %d d=%s: %s (%v), want %s d=%s (%s)", s.Name, i, v.Domain, got, v.Err, want[i].Result, want[i].Domain, want[i].Why)
		}
	}
}

func TestDKIMVerifiesAgainstZone(t *testing.T) {
	for _, s := range Samples(Options{}) {
		checkDKIM(t, s)
	}
}

func TestDKIMFailsWhenTampered(t *testing.T) {
	for _, s := range Samples(Options{}) {
		if len(s.Want.Auth.DKIM) == 0 || s.Want.Auth.DKIM[0].Result != model.ResultPass {
			continue
		}
		// a change to the body after signing must break a passing signature
		tampered := append(bytes.Clone(s.Raw), "tampered\r\n"...)
		verifs, err := dkim.VerifyWithOptions(bytes.NewReader(tampered), &dkim.VerifyOptions{LookupTXT: newZoneResolver().txt})
		if err != nil {
			t.Fatal(err)
		}
		if verifs[0].Err == nil {
			t.Errorf("%s: signature still verifies after the body changed", s.Name)
		}
	}
}

func TestSPFMatchesZone(t *testing.T) {
	z := newZoneResolver()
	for _, s := range Samples(Options{}) {
		a := s.Want.Auth
		res, err := spf.CheckHostWithSender(net.ParseIP(a.ClientIP), a.Helo, a.MailFrom, spf.WithResolver(z))
		if model.Result(res) != a.SPF {
			t.Errorf("%s (%s): SPF %s (%v), want %s", s.Name, s.Want.Scenario, res, err, a.SPF)
		}
		// the trusted hop records that client address
		hop := "by " + TrustedMTA
		head, _, _ := bytes.Cut(s.Raw, []byte("\r\n\r\n"))
		i := bytes.Index(head, []byte(hop))
		if i < 0 || !bytes.Contains(head[:i], []byte(strings.TrimPrefix(a.ClientIP, "IPv6:"))) {
			t.Errorf("%s: no trusted Received hop from %s", s.Name, a.ClientIP)
		}
	}
}

func TestDMARCRecordsMatchExpect(t *testing.T) {
	z := newZoneResolver()
	for _, s := range Samples(Options{}) {
		a := s.Want.Auth
		if s.Want.FromDomain == "" {
			continue
		}
		rec, err := dmarc.LookupWithOptions(s.Want.FromDomain, &dmarc.LookupOptions{LookupTXT: z.txt})
		if err == dmarc.ErrNoPolicy {
			rec, err = dmarc.LookupWithOptions(a.OrgDomain, &dmarc.LookupOptions{LookupTXT: z.txt})
		}
		if err == dmarc.ErrNoPolicy {
			if a.Policy != "" {
				t.Errorf("%s: no DMARC record, want p=%s", s.Name, a.Policy)
			}
			continue
		}
		if err != nil {
			t.Fatalf("%s: %v", s.Name, err)
		}
		if model.Disposition(rec.Policy) != a.Policy {
			t.Errorf("%s: p=%s, want %s", s.Name, rec.Policy, a.Policy)
		}
		if rec.Percent != nil && *rec.Percent != a.Pct {
			t.Errorf("%s: pct=%d, want %d", s.Name, *rec.Percent, a.Pct)
		}
	}
}

// TestAuthScenarios pins the curated scenarios' outcomes, so that a change
// to a domain's records cannot silently change what the demo shows.
func TestAuthScenarios(t *testing.T) {
	type want struct {
		spf, dmarc  model.Result
		disposition model.Disposition
		verdict     model.AuthVerdict
	}
	cases := map[string]want{
		"DKIM pass but unaligned (d=mailer.example.net), SPF pass unaligned: DMARC fail, quarantine": {model.ResultPass, model.ResultFail, model.DispositionQuarantine, model.AuthFail},
		"spoofed subdomain: SPF fail, record at the organizational domain, sp=reject":                {model.ResultFail, model.ResultFail, model.DispositionReject, model.AuthFail},
		"DMARC fail with p=quarantine; pct=50":                                                       {model.ResultFail, model.ResultFail, model.DispositionQuarantine, model.AuthFail},
		"subdomain From, SPF for the parent domain: relaxed alignment passes":                        {model.ResultPass, model.ResultPass, model.DispositionNone, model.AuthPass},
		"subdomain From under adkim=s/aspf=s: both pass, neither aligns, DMARC fail":                 {model.ResultPass, model.ResultFail, model.DispositionQuarantine, model.AuthFail},
		"SPF neutral (?all), no DKIM, no DMARC record":                                               {model.ResultNeutral, model.ResultNone, "", model.AuthNone},
		"DKIM selector not in DNS, SPF fail: DMARC reject":                                           {model.ResultFail, model.ResultFail, model.DispositionReject, model.AuthFail},
		"DKIM key revoked; DMARC passes on SPF":                                                      {model.ResultPass, model.ResultPass, model.DispositionNone, model.AuthPass},
		"two From addresses: DMARC cannot pick a domain (permerror)":                                 {model.ResultPass, model.ResultPermError, "", model.AuthFail},
		"no From header (DMARC permerror); null envelope sender, SPF on the HELO name":               {model.ResultNone, model.ResultPermError, "", model.AuthFail},
		"no DMARC record; SPF pass through a: — aligned, so the verdict is pass":                     {model.ResultPass, model.ResultNone, "", model.AuthPass},
		"business e-mail compromise: body changed after signing, SPF softfail":                       {model.ResultSoftFail, model.ResultFail, model.DispositionQuarantine, model.AuthFail},
	}
	seen := 0
	for _, s := range Samples(Options{}) {
		w, ok := cases[s.Want.Scenario]
		if !ok {
			continue
		}
		seen++
		a := s.Want.Auth
		if a.SPF != w.spf || a.DMARC != w.dmarc || a.Disposition != w.disposition || a.Verdict != w.verdict {
			t.Errorf("%s: spf=%s dmarc=%s disposition=%s verdict=%s, want %+v", s.Want.Scenario, a.SPF, a.DMARC, a.Disposition, a.Verdict, w)
		}
	}
	if seen != len(cases) {
		t.Errorf("found %d of %d scenarios", seen, len(cases))
	}
}

func TestAuthenticationResultsHeaders(t *testing.T) {
	for _, s := range Samples(Options{}) {
		head, _, _ := bytes.Cut(s.Raw, []byte("\r\n\r\n"))
		trusted := bytes.Contains(head, []byte("Authentication-Results: "+TrustedMTA+";"))
		if trusted != s.Want.Auth.TrustedHeader {
			t.Errorf("%s: trusted header present %v, want %v", s.Name, trusted, s.Want.Auth.TrustedHeader)
		}
		if trusted && !bytes.Contains(head, []byte("dmarc="+string(s.Want.Auth.DMARC))) {
			t.Errorf("%s: trusted header does not say dmarc=%s", s.Name, s.Want.Auth.DMARC)
		}
		for _, id := range s.Want.Auth.IgnoredHeaders {
			if !bytes.Contains(head, []byte("Authentication-Results: "+id+";\r\n\tspf=pass")) {
				t.Errorf("%s: no forged header from %s", s.Name, id)
			}
		}
	}
}
