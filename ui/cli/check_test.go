package cli

import (
	"encoding/json"
	"strings"
	"testing"
	"time"

	"github.com/charmbracelet/x/exp/golden"

	"mxaudit/analysis/auth/authtest"
	"mxaudit/analysis/dnszone"
	"mxaudit/analysis/domaincheck"
)

func txtRecord(name, value string) dnszone.Record {
	return dnszone.Record{Name: name, Type: "TXT", Value: value}
}

// checkZone has a clean domain with a three-level include tree and a
// broken one.
var checkZone = dnszone.Zone{
	txtRecord("good.example", "v=spf1 mx include:spf1.good.example -all"),
	{Name: "good.example", Type: "MX", Value: "10 mx.good.example"},
	{Name: "mx.good.example", Type: "A", Value: "192.0.2.25"},
	txtRecord("spf1.good.example", "v=spf1 ip4:192.0.2.0/24 include:spf2.good.example include:other.example ~all"),
	txtRecord("spf2.good.example", "v=spf1 include:spf3.good.example -all"),
	txtRecord("spf3.good.example", "v=spf1 ip4:198.51.100.0/24 -all"),
	txtRecord("other.example", "v=spf1 ip6:2001:db8::/32 -all"),
	txtRecord("_dmarc.good.example", "v=DMARC1; p=reject; rua=mailto:dmarc@good.example"),
	txtRecord("sel1._domainkey.good.example", "v=DKIM1; k=ed25519; p=11qYAYKxCrfVS/7TyWQHOg7hcvPapiMlrwIaaPcHURo="),

	txtRecord("bad.example", "v=spf1 ptr include:nothing.example +all"),
	txtRecord("_dmarc.bad.example", "v=DMARC1; p=none; pct=50; rua=mailto:r@elsewhere.example"),
}

func TestCheckCommand(t *testing.T) {
	srv := authtest.StartDNS(t, checkZone)
	tests := []struct {
		name string
		args []string
		code int
	}{
		{"good", []string{"--dns", srv.Addr(), "--selector", "sel1", "good.example"}, checkExitClean},
		{"bad", []string{"--dns", srv.Addr(), "bad.example"}, checkExitErrors},
		{"bad key", []string{"--dns", srv.Addr(), "--selector", "nokey", "good.example"}, checkExitErrors},
		{"no domain", []string{"--dns", srv.Addr()}, checkExitCannotCheck},
		{"not a domain", []string{"--dns", srv.Addr(), "x y"}, checkExitCannotCheck},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			code, out, errOut := runSubcommand(t, runCheck, tt.args...)
			if code != tt.code {
				t.Fatalf("exit %d, want %d\n%s%s", code, tt.code, out, errOut)
			}
			if tt.code != checkExitCannotCheck {
				golden.RequireEqual(t, out)
			}
		})
	}
}

func TestCheckCommandUnreachable(t *testing.T) {
	srv := authtest.StartDNS(t, checkZone)
	srv.Drop("good.example")
	code, _, errOut := runSubcommand(t, runCheck, "--dns", srv.Addr(), "--dns-timeout", "200ms", "good.example")
	if code != checkExitCannotCheck || !strings.Contains(errOut, "DNS unavailable") {
		t.Fatalf("exit %d, stderr %q", code, errOut)
	}
}

func TestCheckCommandJSON(t *testing.T) {
	srv := authtest.StartDNS(t, checkZone)
	code, out, _ := runSubcommand(t, runCheck, "--json", "--dns", srv.Addr(), "bad.example")
	if code != checkExitErrors {
		t.Fatalf("exit %d", code)
	}
	var rep domaincheck.Report
	if err := json.Unmarshal([]byte(out), &rep); err != nil {
		t.Fatal(err)
	}
	if rep.SPF.Lookups != 2 || rep.DMARC.Pct != 50 || rep.DMARC.P != "none" || len(rep.DKIM) != 0 {
		t.Errorf("report %+v", rep)
	}
}

// TestCheckLatency measures "check" against the loopback DNS server for a
// domain with a three-level include tree, for the figures.
func TestCheckLatency(t *testing.T) {
	srv := authtest.StartDNS(t, checkZone)
	const runs = 20
	var total time.Duration
	for range runs {
		srv.ResetCounts()
		start := time.Now()
		code, _, _ := runSubcommand(t, runCheck, "--dns", srv.Addr(), "--selector", "sel1", "good.example")
		total += time.Since(start)
		if code != checkExitClean {
			t.Fatalf("exit %d", code)
		}
	}
	t.Logf("check good.example (3-level include tree): %v per run, %d DNS queries per run", total/runs, srv.Queries())
}
