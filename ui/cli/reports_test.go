package cli

import (
	"encoding/csv"
	"encoding/json"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/charmbracelet/x/exp/golden"

	"mxaudit/analysis/auth/authtest"
	"mxaudit/analysis/dmarcreport"
	"mxaudit/analysis/dnszone"
	"mxaudit/mailsrc/demo"
	"mxaudit/mailsrc/demo/corpus"
	"mxaudit/ui/termtext"
)

// TestReportsCorpusFolder reads the whole dmarc-reports corpus as a folder
// of files: 40 aggregate reports of which 11 repeat a reporter's
// report_id, and 30 files that are no reports (failure reports, JSON,
// SOURCE.md, the empty file).
func TestReportsCorpusFolder(t *testing.T) {
	dir := corpus.Dir(t, "dmarc-reports")
	code, out, errOut := runSubcommand(t, runReports, "--offline", "--json", dir)
	if code != ExitOK {
		t.Fatalf("exit %d: %s", code, errOut)
	}
	var doc struct {
		Summary dmarcreport.Summary   `json:"summary"`
		Reports []*dmarcreport.Report `json:"reports"`
	}
	if err := json.Unmarshal([]byte(out), &doc); err != nil {
		t.Fatal(err)
	}
	s := doc.Summary
	if s.Reports != 29 || s.Duplicates != 11 || len(doc.Reports) != 29 {
		t.Errorf("reports %d (listed %d), duplicates %d; want 29, 11", s.Reports, len(doc.Reports), s.Duplicates)
	}
	var msgs int64
	for _, r := range doc.Reports {
		msgs += r.Messages()
	}
	if s.Messages != msgs || s.Messages != 8552 {
		t.Errorf("summary %d messages, reports %d; want 8552", s.Messages, msgs)
	}
	if errOut != "" {
		t.Errorf("warnings on a corpus of valid reports:\n%s", errOut)
	}
}

// TestReportsMaildir finds the report mails among the messages of a
// Maildir: the corpus's six aggregate report mails and one failure report.
func TestReportsMaildir(t *testing.T) {
	dir := corpus.Dir(t, "dmarc-reports")
	md := t.TempDir()
	for _, sub := range []string{"cur", "new", "tmp"} {
		os.Mkdir(filepath.Join(md, sub), 0o700)
	}
	files := []string{
		"parsedmarc/aggregate/google.com_report_borschow.com_949348866075514174.eml",
		"parsedmarc/aggregate/mimecast-weird-gzip.eml",
		"parsedmarc/aggregate/twilight.eml",
		"stalwart-mail-auth/100.eml", "stalwart-mail-auth/101.eml", "stalwart-mail-auth/104.eml",
		"parsedmarc/failure/dmarc_ruf_report_linkedin.eml",
	}
	for i, f := range files {
		data, err := os.ReadFile(filepath.Join(dir, f))
		if err != nil {
			t.Fatal(err)
		}
		name := filepath.Join(md, "cur", strings.Repeat("1", 10)+"."+string(rune('a'+i))+".host:2,S")
		if err := os.WriteFile(name, data, 0o600); err != nil {
			t.Fatal(err)
		}
	}
	code, out, errOut := runSubcommand(t, runReports, "--offline", md)
	if code != ExitOK {
		t.Fatalf("exit %d: %s", code, errOut)
	}
	if !strings.HasPrefix(out, "6 reports, 6 messages; 1 item held no report\n") {
		t.Errorf("output:\n%s\nstderr:\n%s", out, errOut)
	}
	for _, domain := range []string{"borschow.com", "ab.id.au", "twlnet.com", "stalw.art"} {
		if !strings.Contains(out, "\n"+domain+"  ") {
			t.Errorf("no section for %s:\n%s", domain, out)
		}
	}
}

// TestReportsCSVAndNames prints one report as CSV, with the failing
// source's reverse DNS name looked up on the loopback server.
func TestReportsCSVAndNames(t *testing.T) {
	dir := corpus.Dir(t, "dmarc-reports")
	file := filepath.Join(dir, "parsedmarc/aggregate/rfc9990-example.net!example.com!1700000000!1700086399.xml")
	srv := authtest.StartDNS(t, dnszone.Zone{{Name: "10.113.0.203.in-addr.arpa", Type: "PTR", Value: "spoofer.example.net"}})

	code, out, errOut := runSubcommand(t, runReports, "--csv", "--dns", srv.Addr(), file)
	if code != ExitOK {
		t.Fatalf("exit %d: %s", code, errOut)
	}
	rows, err := csv.NewReader(strings.NewReader(out)).ReadAll()
	if err != nil {
		t.Fatal(err)
	}
	if len(rows) != 3 || len(rows[0]) != len(reportsCSVHeader) {
		t.Fatalf("%d rows:\n%s", len(rows), out)
	}
	if rows[2][13] != "203.0.113.10" || rows[2][15] != "2" || rows[2][19] != "reject" || rows[2][20] != "other sender not authorized" {
		t.Errorf("second record row: %q", rows[2])
	}

	code, out, _ = runSubcommand(t, runReports, "--dns", srv.Addr(), file)
	if code != ExitOK || !strings.Contains(out, "203.0.113.10        2  spoofer.example.net / example.com / spoofed.example.") {
		t.Errorf("exit %d, text output:\n%s", code, out)
	}
}

func TestReportsErrors(t *testing.T) {
	dir := corpus.Dir(t, "dmarc-reports")
	tests := []struct {
		name string
		args []string
		code int
		text string
	}{
		{"no source", []string{"--offline"}, ExitUsage, "usage"},
		{"both formats", []string{"--json", "--csv", dir}, ExitUsage, "exclude"},
		{"missing", []string{"--offline", filepath.Join(t.TempDir(), "nope.xml")}, ExitFailed, "no such file"},
		{"empty file", []string{"--offline", filepath.Join(dir, "parsedmarc/empty.xml")}, ExitFailed, "no DMARC aggregate report"},
		{"failure report only", []string{"--offline", filepath.Join(dir, "parsedmarc/failure/dmarc_ruf_report_linkedin.eml")}, ExitFailed, "no DMARC aggregate report"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			code, _, errOut := runSubcommand(t, runReports, tt.args...)
			if code != tt.code || !strings.Contains(errOut, tt.text) {
				t.Errorf("exit %d, stderr %q; want %d and %q", code, errOut, tt.code, tt.text)
			}
		})
	}
}

// TestReportsRender is the golden text output of two reports at 80 and
// 160 columns.
func TestReportsRender(t *testing.T) {
	dir := corpus.Dir(t, "dmarc-reports")
	var reps []*dmarcreport.Report
	for _, f := range []string{"dmarc-report-converter/test.xml", "stalwart-mail-auth/003.xml", "parsedmarc/aggregate/rfc9990-example.net!example.com!1700000000!1700086399.xml"} {
		r, err := dmarcreport.ReadFile(filepath.Join(dir, f), dmarcreport.Limits{})
		if err != nil {
			t.Fatal(err)
		}
		reps = append(reps, r...)
	}
	sum := dmarcreport.Summarize(reps)
	for _, width := range []int{80, 160} {
		t.Run(map[int]string{80: "80", 160: "160"}[width], func(t *testing.T) {
			out := renderReports(sum, 2, width)
			for i, line := range strings.Split(out, "\n") {
				if w := termtext.Width(line); w > width {
					t.Errorf("line %d is %d columns: %q", i+1, w, line)
				}
			}
			golden.RequireEqual(t, out)
		})
	}
}

// TestReportsOrdinaryQuarantine runs "reports" on a generated quarantine
// with no report in it (encrypted ZIPs, risky files, plain mail): it must
// say so once, without a warning per attachment.
func TestReportsOrdinaryQuarantine(t *testing.T) {
	md := filepath.Join(t.TempDir(), "q")
	w, err := demo.NewStoreWriter(demo.FormatMaildir, md)
	if err != nil {
		t.Fatal(err)
	}
	if err := demo.Bulk(300, 1, w.Write); err != nil {
		t.Fatal(err)
	}
	if err := w.Close(); err != nil {
		t.Fatal(err)
	}
	code, out, errOut := runSubcommand(t, runReports, "--offline", md)
	if code != ExitFailed || strings.Count(errOut, "\n") != 1 || !strings.Contains(errOut, "no DMARC aggregate report found") {
		t.Errorf("exit %d\nstdout:\n%s\nstderr:\n%s", code, out, errOut)
	}
	if !strings.Contains(out, "0 reports, 0 messages; 300 items held no report") {
		t.Errorf("stdout:\n%s", out)
	}
}

// TestReportsBombs reads a Maildir of 30 report mails among which 4 are
// gzip and ZIP bombs inflating past the 64 MiB cap: every bomb gets its
// own error naming its mail, and every other report is read. (Peak memory
// is measured in the notes, not asserted here: see TestFiguresReports.)
func TestReportsBombs(t *testing.T) {
	md := filepath.Join(t.TempDir(), "reports")
	if err := demo.WriteReportMaildir(md, 30, 4, 80<<20); err != nil {
		t.Fatal(err)
	}
	code, out, errOut := runSubcommand(t, runReports, "--offline", md)
	if code != ExitOK || !strings.HasPrefix(out, "30 reports, ") {
		t.Fatalf("exit %d\nstdout:\n%s\nstderr:\n%s", code, out, errOut)
	}
	lines := strings.Split(strings.TrimSpace(errOut), "\n")
	if len(lines) != 4 {
		t.Fatalf("%d warnings, want one per bomb:\n%s", len(lines), errOut)
	}
	for _, l := range lines {
		if !strings.HasPrefix(l, "mxaudit: ") || !strings.Contains(l, ".reports: part ") || !strings.HasSuffix(l, "report larger than 64 MiB decompressed") {
			t.Errorf("warning %q", l)
		}
	}
}
