package dmarcreport

import (
	"context"
	"slices"
	"strings"
	"testing"

	"mxaudit/analysis/auth"
	"mxaudit/mailsrc/demo"
)

// demoReports parses the demo's generated RFC 9990 reports.
func demoReports(t *testing.T) []*Report {
	t.Helper()
	var out []*Report
	for _, f := range demo.AggregateReports() {
		reps, err := DecodeAny(f.XML, Limits{})
		if err != nil {
			t.Fatalf("%s: %v", f.Name, err)
		}
		out = append(out, reps...)
	}
	return out
}

// TestReadinessDemo checks every source of the demo reports against the
// generator's ground truth (demo.ReportSources), the reverse names from
// the demo's PTR records, and the domain-level numbers: 1,400 + 140
// failing messages from two legitimate sources over 7 days is 220 a day;
// 126 from the spoofer is 18 a day.
func TestReadinessDemo(t *testing.T) {
	reps := demoReports(t)
	reps = append(reps, reps[0]) // a duplicate is counted once
	rd := AssessReadiness("Example.CO.JP.", reps, DefaultThresholds)
	rd.ResolveNames(context.Background(), auth.NewZoneResolver(demo.ReportPTRs()))
	if len(rd.Sources) != len(demo.ReportSources) {
		t.Fatalf("%d sources, want %d", len(rd.Sources), len(demo.ReportSources))
	}
	for i, want := range demo.ReportSources {
		got := rd.Sources[i]
		if got.IP != want.IP || got.ReverseDNS != want.ReverseDNS || !slices.Equal(got.Reporters, slices.Sorted(slices.Values(want.Reporters))) ||
			got.Messages != want.Messages || got.DMARCPass != want.DMARCPass || got.SPFAligned != want.SPFAligned ||
			got.DKIMAligned != want.DKIMAligned || string(got.Decision) != want.Decision {
			t.Errorf("source %d:\n got %+v\nwant %+v", i, got, want)
		}
	}
	if rd.Reports != 14 || rd.Days != demo.ReportDays || rd.Messages != 10276 {
		t.Errorf("reports %d, days %d, messages %d", rd.Reports, rd.Days, rd.Messages)
	}
	if rd.Policy != "quarantine" || rd.Testing || rd.Target != "p=reject" || rd.NextStep != "p=reject; t=y" {
		t.Errorf("policy %q testing %v target %q next %q", rd.Policy, rd.Testing, rd.Target, rd.NextStep)
	}
	if rd.LegitSources != 2 || rd.LegitPerDay != 220 || rd.SpoofingSources != 1 || rd.SpoofingPerDay != 18 {
		t.Errorf("legit %d (%g/day), spoofing %d (%g/day)", rd.LegitSources, rd.LegitPerDay, rd.SpoofingSources, rd.SpoofingPerDay)
	}
	sum := rd.Summary()
	for _, w := range []string{
		"would affect 220 messages/day from 2 legitimate sources",
		"198.51.100.140 (news.mailer.example.net) fix DKIM; 203.0.113.40 (crm.saas.example) fix SPF",
		"18 messages/day from 1 spoofing source would be stopped",
		"2026-11-16 to 2026-11-22 (7 days, 10276 messages)",
		"ready at 98% DMARC pass",
	} {
		if !strings.Contains(sum, w) {
			t.Errorf("summary lacks %q:\n%s", w, sum)
		}
	}
	if a := rd.Sources[3].Advice; a != "add ip4:203.0.113.40 to the SPF record of example.co.jp" {
		t.Errorf("fix SPF advice %q", a)
	}
	rd.JoinQuarantine(map[string]int{"203.0.113.250": 1, "198.51.100.140": 1, "203.0.113.77": 2})
	if rd.Sources[4].Quarantined != 1 || rd.Sources[2].Quarantined != 1 || len(rd.LocalOnly) != 1 || rd.LocalOnly[0].Messages != 2 {
		t.Errorf("join: %+v / %+v", rd.Sources, rd.LocalOnly)
	}
}

func TestNextStep(t *testing.T) {
	tests := []struct {
		p              string
		testing        bool
		target, nextTo string
	}{
		{"none", false, "p=quarantine", "p=quarantine; t=y"},
		{"", false, "p=quarantine", "p=quarantine; t=y"},
		{"quarantine", true, "p=quarantine", "p=quarantine (drop t=y)"},
		{"quarantine", false, "p=reject", "p=reject; t=y"},
		{"reject", true, "p=reject", "p=reject (drop t=y)"},
		{"reject", false, "", "none: p=reject is the last step"},
	}
	for _, tt := range tests {
		target, step := nextStep(tt.p, tt.testing)
		if target != tt.target || step != tt.nextTo {
			t.Errorf("nextStep(%q, %v) = %q, %q; want %q, %q", tt.p, tt.testing, target, step, tt.target, tt.nextTo)
		}
	}
}

func TestDecide(t *testing.T) {
	th := Thresholds{ReadyRatio: 0.9, SpoofingRatio: 0.05}
	tests := []struct {
		name string
		s    SourceReadiness
		want Decision
	}{
		{"ready at the threshold", SourceReadiness{PassCounts: PassCounts{DMARCPassRatio: 0.9}}, DecisionReady},
		{"spoofing under its threshold", SourceReadiness{PassCounts: PassCounts{DMARCPassRatio: 0.04}, Messages: 10, orgEnvelope: 10}, DecisionSpoofing},
		{"a valid signature is not spoofing", SourceReadiness{DKIMDomains: []string{"esp.example"}, Messages: 10}, DecisionFixDKIM},
		{"own envelope sender: fix SPF", SourceReadiness{PassCounts: PassCounts{DMARCPassRatio: 0.5}, Messages: 10, orgEnvelope: 6, EnvelopeFrom: []string{"example.com"}}, DecisionFixSPF},
		{"third-party envelope: fix DKIM", SourceReadiness{PassCounts: PassCounts{DMARCPassRatio: 0.5}, Messages: 10, orgEnvelope: 5}, DecisionFixDKIM},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if got, _ := decide(&tt.s, "example.com", th); got != tt.want {
				t.Errorf("decide = %s, want %s", got, tt.want)
			}
		})
	}
}
