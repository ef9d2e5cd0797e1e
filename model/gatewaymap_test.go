package model

import (
	"regexp"
	"strings"
	"testing"
	"time"
)

func TestExportMap(t *testing.T) {
	enc := activeException(12, ScopeDomain, "partner.example.co.jp", KindEncryptedArchive)
	enc.Expires = time.Date(2027, 3, 1, 0, 0, 0, 0, time.UTC)
	both := activeException(13, ScopeDomain, "partner.example.co.jp", KindDMARCFail)
	addr := activeException(14, ScopeAddress, "o/r#d+x@example.com", KindRiskyType)
	wild := activeException(15, ScopeDomain, "*.sub.example.org", KindEncryptedArchive)
	pending := activeException(16, ScopeDomain, "pending.example.net", KindEncryptedArchive)
	pending.ApprovedBy = ""
	expired := activeException(17, ScopeDomain, "expired.example.net", KindEncryptedArchive)
	expired.Expires = testNow
	p := &Policy{Exceptions: []Exception{wild, enc, both, addr, pending, expired}, Approvers: []string{"sato"}}

	postfix, err := ExportMap(p, GatewayMapOptions{Format: MapPostfix}, testNow)
	if err != nil {
		t.Fatal(err)
	}
	got := string(postfix)
	for _, want := range []string{
		"# exception 12: encrypted-archive; approved by sato; expires 2027-03-01\n# exception 13: dmarc-fail; approved by sato; expires 2026-12-28\npartner.example.co.jp\tOK\n",
		"\n.sub.example.org\tOK\n",
		"\no/r#d+x@example.com\tOK\n",
		"Export again before 2026-12-28",
	} {
		if !strings.Contains(got, want) {
			t.Errorf("postfix map lacks %q:\n%s", want, got)
		}
	}
	for _, absent := range []string{"pending.example.net", "expired.example.net"} {
		if strings.Contains(got, absent) {
			t.Errorf("postfix map holds inactive %s", absent)
		}
	}
	if strings.Count(got, "partner.example.co.jp\t") != 1 {
		t.Error("two exceptions for one sender gave two entries")
	}

	only, err := ExportMap(p, GatewayMapOptions{Format: MapPostfix, Kind: KindEncryptedArchive, Action: "mxaudit_encrypted_ok"}, testNow)
	if err != nil {
		t.Fatal(err)
	}
	if strings.Contains(string(only), "example.com") || !strings.Contains(string(only), "partner.example.co.jp\tmxaudit_encrypted_ok\n") {
		t.Errorf("kind-filtered map:\n%s", only)
	}

	rspamd, err := ExportMap(p, GatewayMapOptions{Format: MapRspamd}, testNow)
	if err != nil {
		t.Fatal(err)
	}
	var patterns []*regexp.Regexp
	for _, line := range strings.Split(string(rspamd), "\n") {
		if line == "" || strings.HasPrefix(line, "#") {
			continue
		}
		if !strings.HasPrefix(line, "/") || !strings.HasSuffix(line, "/i") || strings.Contains(line, "#") {
			t.Fatalf("rspamd line %q is not /re/i without a comment character", line)
		}
		body := strings.ReplaceAll(line[1:len(line)-2], `\/`, "/")
		patterns = append(patterns, regexp.MustCompile("(?i)"+body))
	}
	matches := func(addr string) bool {
		for _, re := range patterns {
			if re.MatchString(addr) {
				return true
			}
		}
		return false
	}
	for addr, want := range map[string]bool{
		"sales@partner.example.co.jp":    true,
		"Sales@PARTNER.example.co.jp":    true,
		"sales@mx.partner.example.co.jp": false,
		"sales@partnerXexample.co.jp":    false,
		"o/r#d+x@example.com":            true,
		"ord+x@example.com":              false,
		"a@mx.sub.example.org":           true,
		"a@sub.example.org":              false,
		"a@pending.example.net":          false,
	} {
		if got := matches(addr); got != want {
			t.Errorf("rspamd map matches %s = %v, want %v", addr, got, want)
		}
	}
	if _, err := ExportMap(p, GatewayMapOptions{Format: "exim"}, testNow); err == nil {
		t.Error("unknown format accepted")
	}
	if _, err := ExportMap(p, GatewayMapOptions{Format: MapPostfix, Action: "OK\nREJECT"}, testNow); err == nil {
		t.Error("an action with a newline was accepted")
	}
}
