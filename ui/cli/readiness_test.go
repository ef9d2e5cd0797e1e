package cli

import (
	"encoding/json"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"

	"mxaudit/analysis/auth/authtest"
	"mxaudit/analysis/dmarcreport"
	"mxaudit/mailsrc/demo"
	"mxaudit/model"
)

// TestReadinessDemo runs "mxaudit readiness example.co.jp --reports DIR
// --quarantine MAILDIR --json" on the demo's reports and quarantine, with
// the demo zone and its PTR records served by a loopback DNS server. The
// sources must be the generator's (demo.ReportSources), and the join must
// count, per client address, the demo samples from example.co.jp or a
// subdomain whose expected DMARC verdict is a failure.
func TestReadinessDemo(t *testing.T) {
	tmp := t.TempDir()
	reports, quarantine := filepath.Join(tmp, "reports"), filepath.Join(tmp, "quarantine")
	samples := demo.Samples(demo.Options{})
	if err := demo.WriteMaildir(quarantine, samples); err != nil {
		t.Fatal(err)
	}
	if err := demo.WriteReports(reports); err != nil {
		t.Fatal(err)
	}
	dns := authtest.StartDNS(t, append(demo.Zone(), demo.ReportPTRs()...))
	code, out, errOut := runSubcommand(t, runReadiness, "--json", "--no-cache", "--trusted-hosts", demoTrustedHost,
		"--dns", dns.Addr(), "--dns-timeout", "2s", "--reports", reports, "--quarantine", quarantine, demo.ReportDomain)
	if code != ExitOK {
		t.Fatalf("exit %d: %s", code, errOut)
	}
	var rd struct {
		dmarcreport.Readiness
		Answer string `json:"answer"`
	}
	if err := json.Unmarshal([]byte(out), &rd); err != nil {
		t.Fatalf("%v\n%s", err, out)
	}
	wantFailing := map[string]int{}
	for _, s := range samples {
		d := s.Want.FromDomain
		if (d == demo.ReportDomain || strings.HasSuffix(d, "."+demo.ReportDomain)) && s.Want.Auth.Verdict == model.AuthFail {
			wantFailing[s.Want.Auth.ClientIP]++
		}
	}
	if len(wantFailing) == 0 {
		t.Fatal("the demo has no failing mail claiming the report domain")
	}
	if len(rd.Sources) != len(demo.ReportSources) {
		t.Fatalf("%d sources, want %d", len(rd.Sources), len(demo.ReportSources))
	}
	named := map[string]bool{}
	for i, want := range demo.ReportSources {
		got := rd.Sources[i]
		named[want.IP] = true
		if got.IP != want.IP || got.ReverseDNS != want.ReverseDNS || !slices.Equal(got.Reporters, slices.Sorted(slices.Values(want.Reporters))) ||
			got.Messages != want.Messages || got.DMARCPass != want.DMARCPass || string(got.Decision) != want.Decision ||
			got.Quarantined != wantFailing[want.IP] {
			t.Errorf("source %d:\n got %+v\nwant %+v, %d in the quarantine", i, got, want, wantFailing[want.IP])
		}
	}
	local := 0
	for ip, n := range wantFailing {
		if !named[ip] {
			local++
			if !slices.Contains(rd.LocalOnly, dmarcreport.LocalSource{IP: ip, Messages: n}) {
				t.Errorf("local-only %s (%d) missing from %+v", ip, n, rd.LocalOnly)
			}
		}
	}
	if len(rd.LocalOnly) != local {
		t.Errorf("local-only %+v, want %d entries", rd.LocalOnly, local)
	}
	if !strings.Contains(rd.Answer, "would affect 220 messages/day from 2 legitimate sources") {
		t.Errorf("answer %q", rd.Answer)
	}
}

// TestReadinessThresholds checks that [readiness] thresholds from the
// configuration change the decisions and are stated, and that bad ones
// are refused.
func TestReadinessThresholds(t *testing.T) {
	reports := filepath.Join(t.TempDir(), "reports")
	if err := demo.WriteReports(reports); err != nil {
		t.Fatal(err)
	}
	tests := []struct {
		name, config string
		code         int
		want         string
	}{
		{"defaults", "", ExitOK, "ready at 98% DMARC pass"},
		{"a lenient ready ratio makes the CRM ready", "[readiness]\nready_ratio = 0.6\n", ExitOK, "from 1 legitimate source: 198.51.100.140 fix DKIM."},
		{"spoofing ratio above ready ratio", "[readiness]\nready_ratio = 0.5\nspoofing_ratio = 0.7\n", ExitUsage, "want 0 <= spoofing_ratio < ready_ratio <= 1"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			cfg := filepath.Join(t.TempDir(), "config.toml")
			if err := os.WriteFile(cfg, []byte(tt.config), 0o600); err != nil {
				t.Fatal(err)
			}
			code, out, errOut := runSubcommand(t, runReadiness, "--offline", "--config", cfg, "--reports", reports, demo.ReportDomain)
			if code != tt.code || !strings.Contains(out+errOut, tt.want) {
				t.Errorf("exit %d, want %d with %q:\n%s%s", code, tt.code, tt.want, out, errOut)
			}
		})
	}
	if code, _, _ := runSubcommand(t, runReadiness, "--offline", demo.ReportDomain); code != ExitUsage {
		t.Errorf("without --reports: exit %d", code)
	}
	if code, _, errOut := runSubcommand(t, runReadiness, "--offline", "--reports", reports, "other.example"); code != ExitFailed ||
		!strings.Contains(errOut, "no aggregate report about other.example") {
		t.Errorf("other domain: exit %d: %s", code, errOut)
	}
}
