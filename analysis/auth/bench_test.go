package auth

import (
	"context"
	"strings"
	"testing"
	"time"

	"mxaudit/analysis/dnszone"
)

// benchmarkCheck measures Check on a signed message with a warm cache: the
// cost per message of a scan once the domain's records are known.
func benchmarkCheck(b *testing.B, ed bool) {
	rk, ek := testKeys()
	zone := dnszone.Zone{
		{Name: "rsa._domainkey.example.com", Type: "TXT", Value: keyRecord(b, rk)},
		{Name: "ed._domainkey.example.com", Type: "TXT", Value: keyRecord(b, ek)},
		{Name: "example.com", Type: "TXT", Value: "v=spf1 ip4:192.0.2.0/24 -all"},
		{Name: "_dmarc.example.com", Type: "TXT", Value: "v=DMARC1; p=reject"},
	}
	c, srv, _ := liveChecker(b, zone)
	var signed string
	if ed {
		signed = sign(b, plainMessage, "example.com", "ed", ek, time.Time{})
	} else {
		signed = sign(b, plainMessage, "example.com", "rsa", rk, time.Time{})
	}
	msg := "Return-Path: <a@example.com>\r\nReceived: from h.example.com (h.example.com [192.0.2.7]) by mx.example.org (Postfix) id 1; Mon, 2 Jan 2026 10:00:01 +0000\r\n" + signed
	if v, _ := Verdict(check(b, c, msg)); v != "pass" {
		b.Fatalf("verdict %s", v)
	}
	warm := srv.Queries()
	b.ReportAllocs()
	b.SetBytes(int64(len(msg)))
	b.ResetTimer()
	for b.Loop() {
		if _, err := c.Check(context.Background(), strings.NewReader(msg)); err != nil {
			b.Fatal(err)
		}
	}
	b.StopTimer()
	if srv.Queries() != warm {
		b.Fatalf("warm cache still queried the server: %d → %d", warm, srv.Queries())
	}
}

func BenchmarkCheckRSA2048WarmCache(b *testing.B) { benchmarkCheck(b, false) }

func BenchmarkCheckEd25519WarmCache(b *testing.B) { benchmarkCheck(b, true) }
