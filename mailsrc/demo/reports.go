package demo

import (
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"time"

	"mxaudit/analysis/dnszone"
)

// ReportDomain is the domain the demo's DMARC aggregate reports are
// about: example.co.jp publishes rua=mailto:dmarc@example.co.jp, so the
// reports are what its DMARC mailbox received for the week before the
// demo's Monday. Its spoofing also reaches the demo quarantine.
const ReportDomain = "example.co.jp"

// ReportBegin and ReportEnd bound the week the demo reports cover: seven
// daily reports from each reporter, midnight to midnight UTC.
var (
	ReportBegin = time.Date(2026, 11, 16, 0, 0, 0, 0, time.UTC)
	ReportEnd   = ReportBegin.AddDate(0, 0, ReportDays)
)

// ReportDays is the number of days the demo reports cover.
const ReportDays = 7

// Demo reporters: the receivers that send example.co.jp reports.
const (
	ReporterA = "mail.receiver.example"
	ReporterB = "dmarc.reporter.example"
)

// ReportSource is one sending source of the demo reports and what a
// readiness analysis must find for it: the generator's ground truth.
// Counts are over the whole week and all reporters.
type ReportSource struct {
	IP         string
	ReverseDNS string // the PTR name the demo zone publishes; "" for none
	Reporters  []string
	// Messages, DMARCPass, SPFAligned and DKIMAligned count messages.
	Messages, DMARCPass, SPFAligned, DKIMAligned int64
	// EnvelopeFrom, DKIMDomain are what its messages carry ("" for no
	// signature); DKIMPass whether that signature verified.
	EnvelopeFrom, DKIMDomain string
	DKIMPass                 bool
	// Decision is the readiness decision: "ready", "fix SPF", "fix DKIM"
	// or "spoofing".
	Decision string
	// Scenario says who the source is.
	Scenario string
}

// ReportSources are the demo reports' sources, most messages first.
// Per-day, per-reporter counts are these divided by 7 (and by the number
// of reporters).
var ReportSources = []ReportSource{
	{IP: "198.51.100.10", ReverseDNS: "mx-out1.example.co.jp", Reporters: []string{ReporterA, ReporterB},
		Messages: 6300, DMARCPass: 6300, SPFAligned: 6300, DKIMAligned: 6300,
		EnvelopeFrom: "example.co.jp", DKIMDomain: "example.co.jp", DKIMPass: true,
		Decision: "ready", Scenario: "the company's own outbound relay"},
	{IP: "198.51.100.11", ReverseDNS: "mx-out2.example.co.jp", Reporters: []string{ReporterA, ReporterB},
		Messages: 2100, DMARCPass: 2100, SPFAligned: 2100, DKIMAligned: 2100,
		EnvelopeFrom: "example.co.jp", DKIMDomain: "example.co.jp", DKIMPass: true,
		Decision: "ready", Scenario: "the second outbound relay"},
	{IP: "198.51.100.140", ReverseDNS: "news.mailer.example.net", Reporters: []string{ReporterA, ReporterB},
		Messages: 1400, EnvelopeFrom: "bounce.mailer.example.net", DKIMDomain: "mailer.example.net", DKIMPass: true,
		Decision: "fix DKIM", Scenario: "the newsletter service: its own bounce domain and d=, nothing aligned"},
	{IP: "203.0.113.40", ReverseDNS: "crm.saas.example", Reporters: []string{ReporterA, ReporterB},
		Messages: 350, DMARCPass: 210, DKIMAligned: 210, EnvelopeFrom: "example.co.jp", DKIMDomain: "example.co.jp", DKIMPass: true,
		Decision: "fix SPF", Scenario: "the CRM: sends as example.co.jp from a range the SPF record lacks, signs 60%"},
	{IP: "203.0.113.250", Reporters: []string{ReporterB},
		Messages: 126, EnvelopeFrom: "example.co.jp",
		Decision: "spoofing", Scenario: "a phisher forging example.co.jp (also in the demo quarantine)"},
}

// ReportPTRs are the PTR records of the demo report sources, to add to
// Zone() where reverse names are wanted.
func ReportPTRs() dnszone.Zone {
	var z dnszone.Zone
	for _, s := range ReportSources {
		if s.ReverseDNS == "" {
			continue
		}
		o := strings.Split(s.IP, ".")
		z = append(z, dnszone.Record{Name: o[3] + "." + o[2] + "." + o[1] + "." + o[0] + ".in-addr.arpa", Type: "PTR", Value: s.ReverseDNS})
	}
	return z
}

// ReportFile is one generated aggregate report.
type ReportFile struct {
	// Name follows RFC 9990 §4.4.2: receiver!domain!begin!end.xml.
	Name string
	XML  []byte
}

// AggregateReports returns the demo's RFC 9990 aggregate reports for
// ReportDomain: one per reporter and day, p=quarantine without t=y.
func AggregateReports() []ReportFile {
	var out []ReportFile
	for _, org := range []string{ReporterA, ReporterB} {
		for d := range ReportDays {
			begin := ReportBegin.AddDate(0, 0, d)
			end := begin.Add(24*time.Hour - time.Second)
			var recs strings.Builder
			for _, s := range ReportSources {
				if div := reportDivisor(s, org); div > 0 {
					writeReportRecord(&recs, s, div)
				}
			}
			xml := fmt.Sprintf(reportTemplate, org, org, begin.Unix(), d+1, begin.Unix(), end.Unix(), ReportDomain, recs.String())
			name := fmt.Sprintf("%s!%s!%d!%d.xml", org, ReportDomain, begin.Unix(), end.Unix())
			out = append(out, ReportFile{Name: name, XML: []byte(xml)})
		}
	}
	return out
}

// WriteReports writes AggregateReports into dir as .xml files.
func WriteReports(dir string) error {
	if err := os.MkdirAll(dir, 0o755); err != nil {
		return err
	}
	for _, r := range AggregateReports() {
		if err := os.WriteFile(filepath.Join(dir, r.Name), r.XML, 0o644); err != nil {
			return err
		}
	}
	return nil
}

// reportDivisor is what s's weekly counts are divided by for one
// reporter's daily report (days times the reporters that saw it), 0 when
// that reporter never saw s.
func reportDivisor(s ReportSource, org string) int64 {
	for _, r := range s.Reporters {
		if r == org {
			return int64(ReportDays * len(s.Reporters))
		}
	}
	return 0
}

// writeReportRecord writes the records of one source for one reporter
// and day: the source's counts divided by div, split into a passing and a
// failing record where both occur.
func writeReportRecord(b *strings.Builder, s ReportSource, div int64) {
	pass, total := s.DMARCPass/div, s.Messages/div
	spf, dkim := s.SPFAligned/div, s.DKIMAligned/div
	// Within a record every message fares alike: aligned passes first,
	// then the rest.
	type row struct {
		n                   int64
		spfAligned, dkimAln bool
	}
	var rows []row
	if pass > 0 {
		rows = append(rows, row{pass, spf > 0, dkim > 0})
	}
	if total > pass {
		rows = append(rows, row{total - pass, false, false})
	}
	for _, r := range rows {
		disp, spfEval, dkimEval := "none", word(r.spfAligned), word(r.dkimAln)
		if !r.spfAligned && !r.dkimAln {
			disp = "quarantine"
		}
		spfRaw := "fail"
		if r.spfAligned || !strings.HasSuffix(s.EnvelopeFrom, ReportDomain) {
			spfRaw = "pass" // an aligned pass, or a third party's own bounce domain
		}
		if s.IP == "203.0.113.40" {
			spfRaw = "softfail"
		}
		fmt.Fprintf(b, recordTemplate, s.IP, r.n, disp, dkimEval, spfEval, ReportDomain, s.EnvelopeFrom)
		b.WriteString("    <auth_results>\n")
		if s.DKIMDomain != "" && (r.dkimAln || s.DKIMDomain != ReportDomain) {
			fmt.Fprintf(b, "      <dkim><domain>%s</domain><selector>s1</selector><result>%s</result></dkim>\n", s.DKIMDomain, word(s.DKIMPass))
		}
		fmt.Fprintf(b, "      <spf><domain>%s</domain><scope>mfrom</scope><result>%s</result></spf>\n", s.EnvelopeFrom, spfRaw)
		b.WriteString("    </auth_results>\n  </record>\n")
	}
}

func word(ok bool) string {
	if ok {
		return "pass"
	}
	return "fail"
}

const reportTemplate = `<?xml version="1.0" encoding="UTF-8"?>
<feedback xmlns="urn:ietf:params:xml:ns:dmarc-2.0">
  <version>1.0</version>
  <report_metadata>
    <org_name>%s</org_name>
    <email>dmarc-noreply@%s</email>
    <report_id>%d.%d</report_id>
    <date_range><begin>%d</begin><end>%d</end></date_range>
    <generator>mxaudit demo</generator>
  </report_metadata>
  <policy_published>
    <domain>%s</domain>
    <adkim>r</adkim><aspf>r</aspf>
    <p>quarantine</p><sp>reject</sp><np>reject</np>
    <testing>n</testing>
    <discovery_method>treewalk</discovery_method>
  </policy_published>
%s</feedback>
`

const recordTemplate = `  <record>
    <row>
      <source_ip>%s</source_ip>
      <count>%d</count>
      <policy_evaluated><disposition>%s</disposition><dkim>%s</dkim><spf>%s</spf></policy_evaluated>
    </row>
    <identifiers><header_from>%s</header_from><envelope_from>%s</envelope_from></identifiers>
`
