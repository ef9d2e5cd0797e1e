package cli

import (
	"encoding/json"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"mxaudit/analysis/auth/authtest"
	"mxaudit/analysis/dnszone"
	"mxaudit/model"
)

// TestTrustedNetworksFlag scans a message the gateway received from an
// internal relay at 10.0.0.5: without --trusted-networks that hop is the
// entry hop (SPF is checked for 10.0.0.5 and fails); with 10.0.0.0/8 the
// relay is internal and the hop below it, from the bank's server, is the
// entry. The JSON carries the RFC 9989 discovery fields.
func TestTrustedNetworksFlag(t *testing.T) {
	dir := t.TempDir()
	msg := "Return-Path: <ceo@bank.example>\r\n" +
		"Received: from relay.example.org (relay.example.org [10.0.0.5]) by mx.test (Postfix) id A; Mon, 2 Jan 2026 10:00:02 +0000\r\n" +
		"Received: from mail.bank.example (mail.bank.example [198.51.100.7]) by relay.example.org (Postfix) id B; Mon, 2 Jan 2026 10:00:01 +0000\r\n" +
		"From: ceo@bank.example\r\nTo: b@example.org\r\nSubject: s\r\nDate: Mon, 2 Jan 2026 10:00:00 +0000\r\n\r\nbody\r\n"
	if err := os.WriteFile(filepath.Join(dir, "m1.eml"), []byte(msg), 0o600); err != nil {
		t.Fatal(err)
	}
	srv := authtest.StartDNS(t, dnszone.Zone{
		{Name: "bank.example", Type: "TXT", Value: "v=spf1 ip4:198.51.100.0/24 -all"},
		{Name: "_dmarc.bank.example", Type: "TXT", Value: "v=DMARC1; p=reject"},
	})
	base := []string{"--json", "--no-cache", "--trusted-hosts", "mx.test,relay.example.org", "--dns", srv.Addr(), "--dns-timeout", "500ms"}
	tests := []struct {
		name    string
		extra   []string
		verdict model.AuthVerdict
		ip      string
	}{
		{"no trusted networks", nil, model.AuthFail, "10.0.0.5"},
		{"relay network trusted", []string{"--trusted-networks", "10.0.0.0/8,192.168.0.0/16"}, model.AuthPass, "198.51.100.7"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			args := append(append(append([]string{}, base...), tc.extra...), dir)
			code, out, errOut := runSubcommand(t, runScan, args...)
			if code != ExitOK {
				t.Fatalf("exit %d: %s", code, errOut)
			}
			var m model.Message
			if err := json.Unmarshal([]byte(strings.TrimSpace(out)), &m); err != nil {
				t.Fatalf("%v\n%s", err, out)
			}
			if m.Verdict.Auth != tc.verdict || m.Auth.SPF.IP != tc.ip {
				t.Errorf("verdict %s, SPF for %s; want %s, %s", m.Verdict.Auth, m.Auth.SPF.IP, tc.verdict, tc.ip)
			}
			if !strings.Contains(out, `"discovery":"tree-walk"`) || !strings.Contains(out, `"policy_domain":"bank.example"`) {
				t.Errorf("JSON lacks the discovery fields:\n%s", out)
			}
		})
	}
	if code, _, errOut := runSubcommand(t, runScan, "--trusted-networks", "10.0.0.0/33", dir); code != ExitUsage || !strings.Contains(errOut, "10.0.0.0/33") {
		t.Errorf("invalid network: exit %d, %q", code, errOut)
	}
}
