package cli

import (
	"bufio"
	"encoding/csv"
	"encoding/json"
	"fmt"
	"io"
	"strconv"
	"strings"
	"time"

	"mxaudit/analysis/dmarcreport"
	"mxaudit/model"
	"mxaudit/ui/termtext"
)

// renderReports draws the summary of DMARC aggregate reports for people:
// per domain the pass ratios as bars, the reporters, and the failing
// sources. Everything from the reports is sanitised.
func renderReports(sum dmarcreport.Summary, skipped, width int) string {
	var b strings.Builder
	b.WriteString(termtext.Count(sum.Reports, "report") + ", " + termtext.Count(int(sum.Messages), "message"))
	if sum.Duplicates > 0 {
		fmt.Fprintf(&b, "; %s counted once", termtext.Count(sum.Duplicates, "duplicate report"))
	}
	if skipped > 0 {
		fmt.Fprintf(&b, "; %s held no report", termtext.Count(skipped, "item"))
	}
	b.WriteString("\n")
	for _, d := range sum.Domains {
		b.WriteString("\n")
		renderDomain(&b, d, width)
	}
	return b.String()
}

func renderDomain(b *strings.Builder, d dmarcreport.DomainSummary, width int) {
	head := fmt.Sprintf("%s  %s – %s  p=%s  %s, %s",
		termtext.Sanitize(d.Domain), reportDate(d.Begin), reportDate(d.End),
		termtext.Sanitize(orDash(d.Policy)), termtext.Count(d.Reports, "report"), termtext.Count(int(d.Messages), "message"))
	if d.Testing {
		head += "  t=y"
	}
	b.WriteString(termtext.Truncate(head, width) + "\n")
	pass := int(d.DMARCPass)
	b.WriteString(barChart{title: "  DMARC result", percent: true, bars: []model.Bar{
		{Label: "pass", Count: pass}, {Label: "fail", Count: int(d.Messages) - pass},
	}}.render(width))
	fmt.Fprintf(b, "  SPF aligned %s, DKIM aligned %s\n", percent(int(d.SPFAligned), int(d.Messages)), percent(int(d.DKIMAligned), int(d.Messages)))
	b.WriteString(termtext.Truncate("  Dispositions applied:"+dispositions(d.Dispositions), width) + "\n")
	b.WriteString("  Reporters\n")
	for _, r := range d.Reporters {
		line := fmt.Sprintf("    %s %13s %9d msg  pass %6s",
			termtext.Fit(termtext.Sanitize(orDash(r.OrgName)), 24), termtext.Count(r.Reports, "report"), r.Messages, percent(int(r.DMARCPass), int(r.Messages)))
		if r.TestingReports > 0 {
			line += fmt.Sprintf(" t=y %d", r.TestingReports)
		}
		b.WriteString(termtext.Truncate(line, width) + "\n")
	}
	if len(d.FailingSources) == 0 {
		b.WriteString("  No failing source.\n")
		return
	}
	fmt.Fprintf(b, "  Failing sources (%d of %d)\n", len(d.FailingSources), d.FailingSourcesTotal)
	const msgW = 8
	ipW := len("SOURCE IP")
	for _, f := range d.FailingSources {
		ipW = max(ipW, min(termtext.Width(termtext.Sanitize(f.IP)), 39))
	}
	rest := max(width-4-ipW-1-msgW-2, 20)
	fmt.Fprintf(b, "    %s %s  %s\n", termtext.Fit("SOURCE IP", ipW), termtext.FitRight("MESSAGES", msgW), "REVERSE DNS / FROM / ENVELOPE / DKIM")
	for _, f := range d.FailingSources {
		who := []string{orDash(f.ReverseDNS), strings.Join(f.HeaderFrom, ","), orDash(strings.Join(f.EnvelopeFrom, ",")), orDash(strings.Join(f.DKIMDomains, ","))}
		if f.TestingMessages > 0 {
			who = append(who, fmt.Sprintf("t=y %d", f.TestingMessages))
		}
		fmt.Fprintf(b, "    %s %s  %s\n", termtext.Fit(termtext.Sanitize(f.IP), ipW),
			termtext.FitRight(strconv.FormatInt(f.Messages, 10), msgW),
			termtext.Truncate(termtext.Sanitize(strings.Join(who, " / ")), rest))
	}
}

func dispositions(m map[string]int64) string {
	var b strings.Builder
	for _, k := range []string{"none", "quarantine", "reject"} {
		fmt.Fprintf(&b, " %s %d", k, m[k])
	}
	for k, v := range m {
		if k != "none" && k != "quarantine" && k != "reject" {
			fmt.Fprintf(&b, " %s %d", termtext.Sanitize(k), v)
		}
	}
	return b.String()
}

func reportDate(t time.Time) string {
	if t.IsZero() {
		return "?"
	}
	return t.UTC().Format("2006-01-02")
}

func orDash(s string) string {
	if s == "" {
		return "-"
	}
	return s
}

// reportsJSON is the --json document: the summary, then the reports in
// parsedmarc's shape.
type reportsJSON struct {
	Summary dmarcreport.Summary   `json:"summary"`
	Reports []*dmarcreport.Report `json:"reports"`
}

func writeReportsJSON(w io.Writer, sum dmarcreport.Summary, reports []*dmarcreport.Report) error {
	if reports == nil {
		reports = []*dmarcreport.Report{}
	}
	enc := json.NewEncoder(jsonSafe{w})
	enc.SetEscapeHTML(false)
	enc.SetIndent("", "  ")
	return enc.Encode(reportsJSON{Summary: sum, Reports: reports})
}

// reportsCSVHeader follows parsedmarc's aggregate CSV columns.
var reportsCSVHeader = []string{
	"org_name", "org_email", "report_id", "begin_date", "end_date", "errors",
	"domain", "adkim", "aspf", "p", "sp", "pct", "fo",
	"source_ip_address", "source_reverse_dns", "count",
	"spf_aligned", "dkim_aligned", "dmarc_aligned", "disposition", "policy_override_reasons",
	"header_from", "envelope_from", "envelope_to",
	"dkim_domains", "dkim_selectors", "dkim_results", "spf_domains", "spf_scopes", "spf_results",
}

// writeReportsCSV prints one row per record. Cells are sanitised and
// guarded against spreadsheet formulas, as the scan CSV is.
func writeReportsCSV(w io.Writer, reports []*dmarcreport.Report) error {
	bw := bufio.NewWriter(w)
	cw := csv.NewWriter(bw)
	if err := cw.Write(reportsCSVHeader); err != nil {
		return err
	}
	for _, r := range reports {
		md, pp := r.Metadata, r.PolicyPublished
		for _, rec := range r.Records {
			var dd, ds, dr, sd, ss, sr, reasons []string
			for _, k := range rec.AuthResults.DKIM {
				dd, ds, dr = append(dd, k.Domain), append(ds, k.Selector), append(dr, k.Result)
			}
			for _, s := range rec.AuthResults.SPF {
				sd, ss, sr = append(sd, s.Domain), append(ss, s.Scope), append(sr, s.Result)
			}
			for _, o := range rec.PolicyEvaluated.Reasons {
				reasons = append(reasons, strings.TrimSpace(o.Type+" "+o.Comment))
			}
			row := []string{
				md.OrgName, md.Email, md.ReportID, csvTime(md.Begin), csvTime(md.End), strings.Join(md.Errors, "; "),
				pp.Domain, pp.ADKIM, pp.ASPF, pp.P, pp.SP, pp.Pct, pp.FO,
				rec.Source.IPAddress, rec.Source.ReverseDNS, strconv.FormatInt(rec.Count, 10),
				strconv.FormatBool(rec.Alignment.SPF), strconv.FormatBool(rec.Alignment.DKIM), strconv.FormatBool(rec.Alignment.DMARC),
				rec.PolicyEvaluated.Disposition, strings.Join(reasons, "; "),
				rec.Identifiers.HeaderFrom, rec.Identifiers.EnvelopeFrom, rec.Identifiers.EnvelopeTo,
				strings.Join(dd, ","), strings.Join(ds, ","), strings.Join(dr, ","),
				strings.Join(sd, ","), strings.Join(ss, ","), strings.Join(sr, ","),
			}
			for i := range row {
				row[i] = csvSafe(termtext.Sanitize(row[i]))
			}
			if err := cw.Write(row); err != nil {
				return err
			}
		}
	}
	cw.Flush()
	if err := cw.Error(); err != nil {
		return err
	}
	return bw.Flush()
}

func csvTime(t time.Time) string {
	if t.IsZero() {
		return ""
	}
	return t.UTC().Format("2006-01-02 15:04:05")
}
