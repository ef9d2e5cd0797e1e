package auth

import (
	"crypto"
	"strings"
	"testing"
	"time"

	"mxaudit/analysis/dnszone"
	"mxaudit/model"
)

const plainMessage = "From: Alice <alice@example.com>\r\n" +
	"To: bob@example.org\r\n" +
	"Subject: Quarterly report\r\n" +
	"Date: Mon, 2 Jan 2026 10:00:00 +0000\r\n" +
	"\r\n" +
	"Please find the figures below.\r\n"

func TestDKIMVerification(t *testing.T) {
	rk, ek := testKeys()
	zone := dnszone.Zone{
		{Name: "rsa._domainkey.example.com", Type: "TXT", Value: keyRecord(t, rk)},
		{Name: "ed._domainkey.example.com", Type: "TXT", Value: keyRecord(t, ek)},
		{Name: "revoked._domainkey.example.com", Type: "TXT", Value: "v=DKIM1; k=rsa; p="},
		{Name: "slow._domainkey.example.com", Type: "TXT", Value: keyRecord(t, rk)},
		{Name: "_dmarc.example.com", Type: "TXT", Value: "v=DMARC1; p=reject"},
	}
	tests := []struct {
		name       string
		signer     crypto.Signer
		selector   string
		expires    time.Time
		tamper     func(string) string
		wantResult model.Result
		wantReason string
		wantAlgo   string
	}{
		{name: "RSA-2048 pass", signer: rk, selector: "rsa", wantResult: model.ResultPass, wantAlgo: "rsa-sha256"},
		{name: "Ed25519 pass", signer: ek, selector: "ed", wantResult: model.ResultPass, wantAlgo: "ed25519-sha256"},
		{name: "body modified", signer: rk, selector: "rsa",
			tamper:     func(m string) string { return strings.Replace(m, "figures", "FIGURES", 1) },
			wantResult: model.ResultFail, wantReason: "body hash does not match (message modified in transit)"},
		{name: "signed header modified", signer: ek, selector: "ed",
			tamper:     func(m string) string { return strings.Replace(m, "Quarterly report", "Invoice overdue", 1) },
			wantResult: model.ResultFail, wantReason: "signature verification failed"},
		{name: "unsigned header added still passes", signer: rk, selector: "rsa",
			tamper:     func(m string) string { return "X-Spam: no\r\n" + m },
			wantResult: model.ResultPass},
		{name: "key revoked", signer: rk, selector: "revoked",
			wantResult: model.ResultPermError, wantReason: "key revoked (empty p=) at revoked._domainkey.example.com"},
		{name: "wrong selector", signer: rk, selector: "s1",
			wantResult: model.ResultPermError, wantReason: "no key at s1._domainkey.example.com"},
		{name: "expired", signer: rk, selector: "rsa", expires: time.Date(2026, 1, 2, 0, 0, 0, 0, time.UTC).Add(-time.Hour),
			wantResult: model.ResultPermError, wantReason: "signature expired 2026-01-01"},
		{name: "key lookup times out", signer: rk, selector: "slow",
			wantResult: model.ResultTempError, wantReason: "key lookup at slow._domainkey.example.com failed"},
		{name: "key of another algorithm", signer: ek, selector: "rsa",
			wantResult: model.ResultPermError, wantReason: "does not allow ed25519-sha256"},
	}
	c, srv, _ := liveChecker(t, zone)
	srv.Drop("slow._domainkey.example.com")
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			msg := sign(t, plainMessage, "example.com", tc.selector, tc.signer, tc.expires)
			if tc.tamper != nil {
				msg = tc.tamper(msg)
			}
			a := check(t, c, msg)
			if len(a.DKIM) != 1 {
				t.Fatalf("got %d DKIM results, want 1", len(a.DKIM))
			}
			d := a.DKIM[0]
			if d.Result != tc.wantResult || !strings.Contains(d.Reason, tc.wantReason) {
				t.Fatalf("got %s %q, want %s containing %q", d.Result, d.Reason, tc.wantResult, tc.wantReason)
			}
			if d.Domain != "example.com" || d.Selector != tc.selector || d.Source != model.SourceLive {
				t.Fatalf("identity: %+v", d)
			}
			if tc.wantAlgo != "" && d.Algorithm != tc.wantAlgo {
				t.Fatalf("algorithm %q, want %q", d.Algorithm, tc.wantAlgo)
			}
			wantDMARC := model.ResultFail
			switch tc.wantResult {
			case model.ResultPass:
				wantDMARC = model.ResultPass
			case model.ResultTempError:
				wantDMARC = model.ResultTempError
			}
			if a.DMARC.Result != wantDMARC || !d.Aligned {
				t.Fatalf("DMARC %s (aligned %v), want %s: %s", a.DMARC.Result, d.Aligned, wantDMARC, a.DMARC.Reason)
			}
		})
	}
}

func TestDKIMExpiryUsesInjectedClock(t *testing.T) {
	rk, _ := testKeys()
	zone := dnszone.Zone{{Name: "rsa._domainkey.example.com", Type: "TXT", Value: keyRecord(t, rk)}}
	_, srv, cache := liveChecker(t, zone)
	_ = srv
	expires := time.Now().Add(24 * time.Hour)
	msg := sign(t, plainMessage, "example.com", "rsa", rk, expires)
	later := NewChecker(Config{Resolver: cache, Now: func() time.Time { return expires.Add(time.Hour) }})
	if d := check(t, later, msg).DKIM[0]; d.Result != model.ResultPermError || !strings.HasPrefix(d.Reason, "signature expired ") {
		t.Fatalf("with a clock past x=: %s %q", d.Result, d.Reason)
	}
	now := NewChecker(Config{Resolver: cache})
	if d := check(t, now, msg).DKIM[0]; d.Result != model.ResultPass {
		t.Fatalf("before x=: %s %q", d.Result, d.Reason)
	}
}

func TestDKIMSeveralSignatures(t *testing.T) {
	rk, ek := testKeys()
	zone := dnszone.Zone{
		{Name: "rsa._domainkey.example.com", Type: "TXT", Value: keyRecord(t, rk)},
		{Name: "ed._domainkey.mailer.example.net", Type: "TXT", Value: keyRecord(t, ek)},
		{Name: "_dmarc.example.com", Type: "TXT", Value: "v=DMARC1; p=quarantine"},
	}
	c, _, _ := liveChecker(t, zone)
	msg := sign(t, plainMessage, "example.com", "rsa", rk, time.Time{})
	msg = sign(t, msg, "mailer.example.net", "ed", ek, time.Time{})
	a := check(t, c, msg)
	if len(a.DKIM) != 2 {
		t.Fatalf("got %d results", len(a.DKIM))
	}
	// The last signature added is the top-most field.
	if a.DKIM[0].Domain != "mailer.example.net" || a.DKIM[0].Result != model.ResultPass || a.DKIM[0].Aligned {
		t.Fatalf("first: %+v", a.DKIM[0])
	}
	if a.DKIM[1].Domain != "example.com" || a.DKIM[1].Result != model.ResultPass || !a.DKIM[1].Aligned {
		t.Fatalf("second: %+v", a.DKIM[1])
	}
	if a.DMARC.Result != model.ResultPass {
		t.Fatalf("DMARC %s", a.DMARC.Result)
	}
}

func TestDKIMBodyNotProvided(t *testing.T) {
	rk, _ := testKeys()
	msg := sign(t, plainMessage, "example.com", "rsa", rk, time.Time{})
	headerOnly := msg[:strings.Index(msg, "\r\n\r\n")+2] // the header section without its closing empty line
	c := NewChecker(Config{TrustedHosts: []string{"mx.example.org"}, Resolver: NewZoneResolver(nil)})
	a := check(t, c, headerOnly)
	if len(a.DKIM) != 1 || a.DKIM[0].Result != model.ResultNeutral || !strings.Contains(a.DKIM[0].Reason, "body was not provided") {
		t.Fatalf("without A-R: %+v", a.DKIM)
	}
	withAR := "Authentication-Results: mx.example.org; dkim=pass header.d=example.com header.s=rsa header.a=rsa-sha256\r\n" +
		"Received: from out.example.com (out.example.com [192.0.2.7]) by mx.example.org (Postfix) id 1; Mon, 2 Jan 2026 10:00:01 +0000\r\n" + headerOnly
	a = check(t, c, withAR)
	if len(a.DKIM) != 1 || a.DKIM[0].Result != model.ResultPass || a.DKIM[0].Source != model.SourceHeader ||
		a.DKIM[0].Selector != "rsa" || a.DKIM[0].Domain != "example.com" {
		t.Fatalf("with A-R: %+v", a.DKIM)
	}
}
