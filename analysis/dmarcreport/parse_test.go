package dmarcreport

import (
	"archive/zip"
	"bytes"
	"compress/gzip"
	"context"
	"errors"
	"fmt"
	"strings"
	"testing"

	"mxaudit/analysis/auth"
	"mxaudit/analysis/dnszone"
	"mxaudit/model"
)

// report builds a report XML with the given records, each "ip,count,dkim,spf,header_from".
func report(org, id, domain string, records ...string) []byte {
	var b strings.Builder
	fmt.Fprintf(&b, `<?xml version="1.0" encoding="UTF-8"?>
<feedback xmlns="urn:ietf:params:xml:ns:dmarc-2.0">
 <report_metadata><org_name>%s</org_name><email>r@%s</email><report_id>%s</report_id>
  <date_range><begin>1700000000</begin><end>1700086399</end></date_range></report_metadata>
 <policy_published><domain>%s</domain><p>quarantine</p><pct>100</pct></policy_published>
`, org, org, id, domain)
	for _, r := range records {
		f := strings.Split(r, ",")
		disp := "none"
		if f[2] != "pass" && f[3] != "pass" {
			disp = "quarantine"
		}
		fmt.Fprintf(&b, ` <record><row><source_ip>%s</source_ip><count>%s</count>
  <policy_evaluated><disposition>%s</disposition><dkim>%s</dkim><spf>%s</spf></policy_evaluated></row>
  <identifiers><header_from>%s</header_from><envelope_from>bounce.%s</envelope_from></identifiers>
  <auth_results><dkim><domain>%s</domain><selector>s1</selector><result>%s</result></dkim>
   <spf><domain>bounce.%s</domain><scope>mfrom</scope><result>%s</result></spf></auth_results></record>
`, f[0], f[1], disp, f[2], f[3], f[4], f[4], f[4], f[2], f[4], f[3])
	}
	b.WriteString("</feedback>\n")
	return []byte(b.String())
}

func gz(t testing.TB, data []byte) []byte {
	t.Helper()
	var b bytes.Buffer
	w := gzip.NewWriter(&b)
	if _, err := w.Write(data); err != nil {
		t.Fatal(err)
	}
	if err := w.Close(); err != nil {
		t.Fatal(err)
	}
	return b.Bytes()
}

func zipped(t testing.TB, name string, data []byte) []byte {
	t.Helper()
	var b bytes.Buffer
	w := zip.NewWriter(&b)
	f, err := w.Create(name)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := f.Write(data); err != nil {
		t.Fatal(err)
	}
	if err := w.Close(); err != nil {
		t.Fatal(err)
	}
	return b.Bytes()
}

func TestDecodeContainers(t *testing.T) {
	xml := report("rep.example", "r1", "example.com", "192.0.2.1,5,pass,fail,example.com")
	tests := []struct {
		name string
		data []byte
	}{
		{"xml", xml},
		{"gzip", gz(t, xml)},
		{"gzip with trailing CRLF", append(gz(t, xml), '\r', '\n')},
		{"double gzip", gz(t, gz(t, xml))},
		{"zip", zipped(t, "r.xml", xml)},
		{"gzip in zip", zipped(t, "r.xml.gz", gz(t, xml))},
		{"BOM", append([]byte("\xef\xbb\xbf"), xml...)},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			reps, err := Decode(tt.data, Limits{})
			if err != nil {
				t.Fatal(err)
			}
			if len(reps) != 1 || reps[0].Messages() != 5 || reps[0].Metadata.ReportID != "r1" {
				t.Fatalf("got %+v", reps)
			}
		})
	}
}

func TestDecodeRefuses(t *testing.T) {
	big := report("rep.example", "big", "example.com", "192.0.2.1,1,pass,pass,example.com")
	padded := bytes.Replace(big, []byte("<feedback"), append(bytes.Repeat([]byte(" "), 2<<20), []byte("<feedback")...), 1)
	deep := "<feedback>" + strings.Repeat("<x>", 100) + strings.Repeat("</x>", 100) + "</feedback>"
	var many strings.Builder
	many.WriteString("<feedback>")
	for range 20 {
		many.WriteString("<record><row><count>1</count></row></record>")
	}
	many.WriteString("</feedback>")
	lim := Limits{MaxBytes: 1 << 20, MaxRecords: 10}
	tests := []struct {
		name string
		data []byte
		want error
		text string
	}{
		{"gzip bomb", gz(t, padded), ErrTooLarge, "decompressed"},
		{"zip bomb", zipped(t, "r.xml", padded), ErrTooLarge, "decompressed"},
		{"deep", []byte(deep), ErrTooLarge, "nested deeper"},
		{"records", []byte(many.String()), ErrTooLarge, "more than 10 records"},
		{"gzip nesting", gz(t, gz(t, gz(t, gz(t, gz(t, big))))), ErrTooLarge, "nested deeper"},
		{"other xml", []byte("<html><body/></html>"), ErrNotReport, "root element is <html>"},
		{"text", []byte("hello"), ErrNotReport, "neither"},
		{"empty", nil, ErrNotReport, "empty"},
		{"truncated", big[:len(big)/2], nil, "malformed XML"},
		{"bad count", []byte("<feedback><record><row><count>-3</count></row></record></feedback>"), nil, "count"},
		{"bad date", []byte("<feedback><report_metadata><date_range><begin>yesterday</begin></date_range></report_metadata></feedback>"), nil, "Unix time"},
		{"broken gzip", []byte{0x1f, 0x8b, 8, 0, 0, 0}, nil, "gzip"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			_, err := Decode(tt.data, lim)
			if err == nil {
				t.Fatal("no error")
			}
			if tt.want != nil && !errors.Is(err, tt.want) {
				t.Errorf("err = %v, want %v", err, tt.want)
			}
			if !strings.Contains(err.Error(), tt.text) {
				t.Errorf("err = %v, want it to mention %q", err, tt.text)
			}
		})
	}
}

// TestXMLEntities checks that a billion-laughs document costs nothing:
// encoding/xml does not expand custom entities, so it fails at once.
func TestXMLEntities(t *testing.T) {
	doc := `<?xml version="1.0"?><!DOCTYPE lolz [<!ENTITY lol "lol"><!ENTITY lol2 "&lol;&lol;&lol;&lol;">]>
<feedback><report_metadata><org_name>&lol2;</org_name></report_metadata></feedback>`
	if _, err := Decode([]byte(doc), Limits{}); err == nil || !strings.Contains(err.Error(), "entity") {
		t.Fatalf("err = %v, want an entity error", err)
	}
}

func TestFromMessage(t *testing.T) {
	xml := report("rep.example", "m1", "example.com", "192.0.2.7,3,fail,fail,example.com")
	var b bytes.Buffer
	b.WriteString("From: r@rep.example\r\nSubject: Report Domain: example.com\r\nMIME-Version: 1.0\r\n" +
		"Content-Type: multipart/mixed; boundary=b\r\n\r\n--b\r\nContent-Type: text/plain\r\n\r\nhello\r\n" +
		"--b\r\nContent-Type: application/pdf\r\nContent-Transfer-Encoding: base64\r\n\r\nJVBERi0=\r\n" +
		"--b\r\nContent-Type: application/gzip; name=r.xml.gz\r\nContent-Transfer-Encoding: base64\r\n\r\n")
	enc := gz(t, xml)
	b.WriteString(base64Lines(enc))
	b.WriteString("\r\n--b--\r\n")
	reps, err := FromMessage(&b, Limits{})
	if err != nil {
		t.Fatal(err)
	}
	if len(reps) != 1 || reps[0].Messages() != 3 {
		t.Fatalf("got %d reports", len(reps))
	}
	_, err = FromMessage(strings.NewReader("Subject: hi\r\n\r\nno report\r\n"), Limits{})
	if !errors.Is(err, ErrNotReport) {
		t.Errorf("plain mail: err = %v", err)
	}
}

func TestSummarizer(t *testing.T) {
	r1, _ := ParseXML(report("Google.com", "a", "example.com",
		"192.0.2.1,10,pass,pass,example.com",
		"192.0.2.2,4,fail,fail,example.com",
		"192.0.2.3,1,fail,pass,example.com"), Limits{})
	r1dup, _ := ParseXML(report("google.com", "a", "example.com", "192.0.2.2,99,fail,fail,example.com"), Limits{})
	r2, _ := ParseXML(report("Yahoo", "b", "example.com",
		"::ffff:192.0.2.2,2,fail,fail,spoof.example.com",
		"192.0.2.4,1,pass,fail,example.com"), Limits{})
	z := NewSummarizer()
	for _, r := range []*Report{r1, r1dup, r2} {
		z.Add(r)
	}
	s := z.Summary()
	if s.Reports != 2 || s.Duplicates != 1 || s.Messages != 18 || len(s.Domains) != 1 {
		t.Fatalf("summary %+v", s)
	}
	d := s.Domains[0]
	if d.DMARCPass != 12 || d.SPFAligned != 11 || d.DKIMAligned != 11 {
		t.Errorf("pass %d spf %d dkim %d; want 12 11 11", d.DMARCPass, d.SPFAligned, d.DKIMAligned)
	}
	if d.DMARCPassRatio != 12.0/18 || d.Dispositions["quarantine"] != 6 || d.Dispositions["none"] != 12 {
		t.Errorf("ratio %v dispositions %v", d.DMARCPassRatio, d.Dispositions)
	}
	if len(d.Reporters) != 2 || d.Reporters[0].OrgName != "Google.com" || d.Reporters[0].Messages != 15 {
		t.Errorf("reporters %+v", d.Reporters)
	}
	if len(d.FailingSources) != 1 {
		t.Fatalf("failing %+v", d.FailingSources)
	}
	f := d.FailingSources[0]
	if f.IP != "192.0.2.2" || f.Messages != 6 || len(f.HeaderFrom) != 2 {
		t.Errorf("failing source %+v", f)
	}

	zone := dnszone.Zone{{Name: "2.2.0.192.in-addr.arpa", Type: "PTR", Value: "mail.spoof.example."}}
	ResolveNames(context.Background(), &s, auth.NewZoneResolver(zone))
	if got := s.Domains[0].FailingSources[0].ReverseDNS; got != "mail.spoof.example" {
		t.Errorf("reverse DNS %q", got)
	}

	tests := []struct {
		name string
		m    model.Message
		want bool
	}{
		{"same IP", model.Message{FromDomain: "other.example", Auth: &model.Auth{SPF: model.SPFResult{IP: "192.0.2.2"}}}, true},
		{"mapped IP", model.Message{Auth: &model.Auth{SPF: model.SPFResult{IP: "::ffff:192.0.2.2"}}}, true},
		{"From domain", model.Message{FromDomain: "spoof.example.com"}, true},
		{"neither", model.Message{FromDomain: "other.example", Auth: &model.Auth{SPF: model.SPFResult{IP: "192.0.2.9"}}}, false},
	}
	for _, tt := range tests {
		if got := f.Matches(&tt.m); got != tt.want {
			t.Errorf("%s: Matches = %v", tt.name, got)
		}
	}
}

func TestTopSourcesCap(t *testing.T) {
	var recs []string
	for i := range 30 {
		recs = append(recs, fmt.Sprintf("198.51.100.%d,%d,fail,fail,example.com", i, i+1))
	}
	r, err := ParseXML(report("x", "1", "example.com", recs...), Limits{})
	if err != nil {
		t.Fatal(err)
	}
	d := Summarize([]*Report{r}).Domains[0]
	if len(d.FailingSources) != TopSources || d.FailingSourcesTotal != 30 {
		t.Fatalf("%d sources of %d", len(d.FailingSources), d.FailingSourcesTotal)
	}
	if d.FailingSources[0].IP != "198.51.100.29" || d.FailingSources[0].Messages != 30 {
		t.Errorf("top source %+v", d.FailingSources[0])
	}
}

// TestFromMessageNotReports checks that the ZIP and gzip attachments of
// ordinary quarantined mail are "not a report", not errors, unless the
// mail says it is a report.
func TestFromMessageNotReports(t *testing.T) {
	mail := func(subject, name string, body []byte) *bytes.Buffer {
		var b bytes.Buffer
		b.WriteString("Subject: " + subject + "\r\nMIME-Version: 1.0\r\nContent-Type: application/zip; name=" + name +
			"\r\nContent-Transfer-Encoding: base64\r\n\r\n" + base64Lines(body) + "\r\n")
		return &b
	}
	var enc bytes.Buffer
	w := zip.NewWriter(&enc)
	f, _ := w.CreateHeader(&zip.FileHeader{Name: "invoice.xml", Flags: 0x1})
	f.Write([]byte("ciphertext"))
	w.Close()
	broken := []byte("PK\x03\x04 broken")
	tests := []struct {
		name, subject, file string
		body                []byte
		notReport           bool
	}{
		{"encrypted zip", "Invoice", "invoice.zip", enc.Bytes(), true},
		{"broken zip", "Photos", "photos.zip", broken, true},
		{"broken report by subject", "Report Domain: example.com Submitter: x Report-ID: 1", "r.zip", broken, false},
		{"broken report by name", "hello", "google.com!example.com!1!2.zip", broken, false},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			_, err := FromMessage(mail(tt.subject, tt.file, tt.body), Limits{})
			if err == nil {
				t.Fatal("no error")
			}
			if errors.Is(err, ErrNotReport) != tt.notReport {
				t.Errorf("err = %v; not-a-report %v, want %v", err, errors.Is(err, ErrNotReport), tt.notReport)
			}
		})
	}
}
