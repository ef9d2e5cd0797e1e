package dmarcreport

import (
	"errors"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"mxaudit/mailsrc/demo/corpus"
)

// corpusWant is one row of the corpus SOURCE.md tables.
type corpusWant struct {
	file     string
	org      string
	reportID string
	domain   string
	p        string
	records  int
	messages int64
}

var corpusReports = []corpusWant{
	{"parsedmarc/aggregate/!example.com!1538204542!1538463818.xml", "", "example.com:1538463741", "example.com", "none", 1, 1},
	{"parsedmarc/aggregate/!large-example.com!1711897200!1711983600.xml", "", "example.com:1711897200", "example.com", "none", 2286, 2286},
	{"parsedmarc/aggregate/addisonfoods.com!example.com!1536105600!1536191999.xml", "addisonfoods.com", "3ceb5548498640beaeb47327e202b0b9", "example.com", "none", 1, 1},
	{"parsedmarc/aggregate/empty_reason.xml", "example.org", "20240125141224705995", "example.com", "quarantine", 1, 2},
	{"parsedmarc/aggregate/estadocuenta1.infonacot.gob.mx!example.com!1536853302!1536939702!2940.xml.zip", "XYZ Corporation", "2940", "example.com", "none", 1, 1},
	{"parsedmarc/aggregate/example.net!example.com!1529366400!1529452799.xml", "example.net", "b043f0e264cf4ea995e93765242f6dfb", "example.com", "none", 1, 1},
	{"parsedmarc/aggregate/fastmail.com!example.com!1516060800!1516147199!102675056.xml.gz", "FastMail Pty Ltd", "102675056", "indemed.com", "none", 1, 1},
	{"parsedmarc/aggregate/google.com_report_borschow.com_949348866075514174.eml", "google.com", "949348866075514174", "borschow.com", "reject", 1, 1},
	{"parsedmarc/aggregate/ikea.com!example.de!1538690400!1538776800.xml", "ikea.com", "aggr_report_2018_10_05_5bc7e9b4f3e8a", "example.de", "none", 1, 1},
	{"parsedmarc/aggregate/invalid_utf_8.xml", "", "example.com:1538463741", "example.com", "none", 1, 1},
	{"parsedmarc/aggregate/invalid_xml.xml", "veeam.com", "sonexushealth.com:1530233361", "example.com", "none", 1, 1},
	{"parsedmarc/aggregate/mimecast-weird-gzip.eml", "Mimecast", "157a5fe30ec76f4bc0d8bccfc96c118a167a1280fee7c7465af5115e73082e5e", "ab.id.au", "reject", 1, 1},
	{"parsedmarc/aggregate/old_draft_from_wiki.xml", "acme.com", "9391651994964116463", "example.com", "none", 1, 2},
	{"parsedmarc/aggregate/protection.outlook.com!example.com!1711756800!1711843200.xml", "Outlook.com", "cfeafefe4129445e8c81018bd9177197", "example.com", "none", 1, 1},
	{"parsedmarc/aggregate/rfc9990-example.net!example.com!1700000000!1700086399.xml", "example.net", "dmarcbis-test-report-001", "example.com", "reject", 2, 7},
	{"parsedmarc/aggregate/rfc9990-sample.xml", "Sample Reporter", "3v98abbp8ya9n3va8yr8oa3ya", "example.com", "quarantine", 1, 123},
	{"parsedmarc/aggregate/twilight.eml", "google.com", "1627703331531660819", "twlnet.com", "reject", 1, 1},
	{"parsedmarc/aggregate/usssa.com!example.com!1538784000!1538870399.xml", "usssa.com", "8953b4d4a4ee4218b6ac0e2cb2667ee1", "example.com", "none", 2, 2},
	{"parsedmarc/aggregate/veeam.com!example.com!1530133200!1530219600.xml", "veeam.com", "sonexushealth.com:1530233361", "example.com", "none", 1, 1},
	{"parsedmarc/aggregate_invalid/report_with_upper_cased_pass.xml", "example.com", "aggr_report_example.com_20191202_1638", "example.com", "reject", 1, 1},
	{"parsedmarc/extract_report/nice-input.xml", "google.com", "11038226378739404135", "example.com", "none", 20, 3047},
	{"parsedmarc/extract_report/nice-input.xml.gz", "google.com", "11038226378739404135", "example.com", "none", 20, 3047},
	{"parsedmarc/extract_report/nice-input.xml.zip", "google.com", "11038226378739404135", "example.com", "none", 20, 3047},
	{"parsedmarc/extract_report/changed-input.xml", "fred.com", "11038226378739404135", "example.com", "none", 20, 3047},
	{"stalwart-mail-auth/001.xml", "Sample Reporter", "3v98abbp8ya9n3va8yr8oa3ya", "example.com", "quarantine", 1, 123},
	{"stalwart-mail-auth/002.xml", "google.com", "2122885654478337555", "example.org", "none", 1, 2},
	{"stalwart-mail-auth/003.xml", "Fastmail Pty Ltd", "758848224", "stalw.art", "none", 4, 9},
	{"stalwart-mail-auth/004.xml", "Sample Reporter", "3v98abbp8ya9n3va8yr8oa3ya", "example.com", "quarantine", 1, 123},
	{"stalwart-mail-auth/005.xml", "Legacy Reporter", "legacy-1", "example.com", "reject", 1, 1},
	{"stalwart-mail-auth/100.eml", "google.com", "5264580628977113351", "stalw.art", "none", 1, 1},
	{"stalwart-mail-auth/101.eml", `"backschues.NET`, "stalw.art.1667948400.1668034800", "stalw.art", "none", 1, 1},
	{"stalwart-mail-auth/102.eml", "Mail.Ru", "28551467700969547611667865600", "stalw.art", "none", 1, 1},
	{"stalwart-mail-auth/103.eml", "Outlook.com", "725cbfbe133940149987cfc528387235", "stalw.art", "none", 1, 1},
	{"stalwart-mail-auth/104.eml", "AMAZON-SES", "6b06c366-0631-4ca0-8337-f5aecf137918", "stalw.art", "none", 1, 1},
	{"dmarc-report-converter/test.xml", "Test Inc.", "1.id.0", "test.net", "none", 2, 7},
	{"dmarc-report-converter/test.xml.gz", "Test Inc.", "1.id.0", "test.net", "none", 2, 7},
	{"dmarc-report-converter/test.xml.gz.gz", "Test Inc.", "1.id.0", "test.net", "none", 2, 7},
	{"dmarc-report-converter/test.xml.zip", "Test Inc.", "1.id.0", "test.net", "none", 2, 7},
	{"dmarc-report-converter/test2.xml", "Test Inc.", "1.id.0", "test.net", "none", 2, 12},
	{"dmarc-report-converter/test_empty.xml", "Test Inc.", "1.id.0", "test.net", "none", 1, 0},
}

func TestCorpusReports(t *testing.T) {
	dir := corpus.Dir(t, "dmarc-reports")
	for _, w := range corpusReports {
		t.Run(filepath.Base(w.file), func(t *testing.T) {
			reps, err := ReadFile(filepath.Join(dir, w.file), Limits{})
			if err != nil {
				t.Fatalf("ReadFile: %v", err)
			}
			if len(reps) != 1 {
				t.Fatalf("got %d reports, want 1", len(reps))
			}
			r := reps[0]
			if r.Metadata.OrgName != w.org || r.Metadata.ReportID != w.reportID {
				t.Errorf("org %q id %q, want %q %q", r.Metadata.OrgName, r.Metadata.ReportID, w.org, w.reportID)
			}
			if r.PolicyPublished.Domain != w.domain || r.PolicyPublished.P != w.p {
				t.Errorf("policy %s/%s, want %s/%s", r.PolicyPublished.Domain, r.PolicyPublished.P, w.domain, w.p)
			}
			if len(r.Records) != w.records || r.Messages() != w.messages {
				t.Errorf("%d records, %d messages; want %d, %d", len(r.Records), r.Messages(), w.records, w.messages)
			}
		})
	}
}

// TestCorpusSummary sums the whole corpus: reports that repeat a
// reporter's report_id (nice-input in three containers, the 001/004
// samples) are counted once.
func TestCorpusSummary(t *testing.T) {
	dir := corpus.Dir(t, "dmarc-reports")
	z := NewSummarizer()
	var sum int64
	for _, w := range corpusReports {
		reps, err := ReadFile(filepath.Join(dir, w.file), Limits{})
		if err != nil {
			t.Fatalf("%s: %v", w.file, err)
		}
		for _, r := range reps {
			if z.Add(r) {
				sum += r.Messages()
			}
		}
	}
	s := z.Summary()
	// Duplicates: nice-input .gz/.zip (2), 004 = 001 (1), test.xml in
	// three more containers plus test2/test_empty (5), veeam = invalid_xml
	// (1), invalid_utf_8 = !example.com (1), rfc9990-sample = 001 (1).
	if s.Duplicates != 11 || s.Reports != len(corpusReports)-11 {
		t.Errorf("reports %d, duplicates %d; want %d, 11", s.Reports, s.Duplicates, len(corpusReports)-11)
	}
	if s.Messages != sum {
		t.Errorf("summary counts %d messages, the distinct reports hold %d", s.Messages, sum)
	}
	var fromDomains int64
	for _, d := range s.Domains {
		fromDomains += d.Messages
	}
	if fromDomains != s.Messages {
		t.Errorf("domains add up to %d messages, total %d", fromDomains, s.Messages)
	}
}

func TestCorpusMalformed(t *testing.T) {
	dir := corpus.Dir(t, "dmarc-reports")
	tests := []struct {
		file string
		want error
		text string
	}{
		{"parsedmarc/empty.xml", ErrNotReport, "empty"},
		{"parsedmarc/failure/dmarc_ruf_report_linkedin.eml", ErrNotReport, "no report attachment"},
		{"stalwart-mail-auth/001.json", ErrNotReport, "neither XML"},
	}
	for _, tt := range tests {
		t.Run(filepath.Base(tt.file), func(t *testing.T) {
			_, err := ReadFile(filepath.Join(dir, tt.file), Limits{})
			if !errors.Is(err, tt.want) || !strings.Contains(err.Error(), tt.text) {
				t.Fatalf("err = %v, want %v containing %q", err, tt.want, tt.text)
			}
		})
	}
}

// TestCorpusUpperCase checks RFC 7489 App. C / RFC 9990 casing: "Pass" and
// "None" in the XML become "pass" and "none".
func TestCorpusUpperCase(t *testing.T) {
	dir := corpus.Dir(t, "dmarc-reports")
	reps, err := ReadFile(filepath.Join(dir, "parsedmarc/aggregate_invalid/report_with_upper_cased_pass.xml"), Limits{})
	if err != nil {
		t.Fatal(err)
	}
	rec := reps[0].Records[0]
	if rec.PolicyEvaluated.Disposition != "none" || !rec.Alignment.DMARC {
		t.Errorf("policy_evaluated %+v alignment %+v", rec.PolicyEvaluated, rec.Alignment)
	}
}

func TestCorpusDirectory(t *testing.T) {
	dir := corpus.Dir(t, "dmarc-reports")
	reps, errs := ReadDir(filepath.Join(dir, "dmarc-report-converter"), Limits{})
	if len(errs) != 0 {
		t.Fatalf("errors: %v", errs)
	}
	if len(reps) != 6 {
		t.Fatalf("%d reports, want 6", len(reps))
	}
	if _, err := os.Stat(dir); err != nil {
		t.Fatal(err)
	}
}
