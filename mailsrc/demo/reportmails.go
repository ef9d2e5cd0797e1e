package demo

import (
	"archive/zip"
	"bytes"
	"compress/gzip"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"strings"
	"time"
)

// Report mails in bulk, for measuring `mxaudit reports` at scale and under
// attack: ordinary aggregate report mails from many reporters about many
// domains, and report mails whose attachment is a decompression bomb.
// Everything is deterministic in the index i.

// Bulk report mail parameters: how many reported domains and reporters
// the mails are spread over, the records per report, and the pool of
// failing sources (spoofers that hit every domain now and then).
const (
	bulkReportDomains    = 50
	bulkReporters        = 12
	bulkReportRecords    = 8
	bulkFailingSources   = 2000
	bulkFailingPerReport = 3
)

// BombKind is the container a bomb report mail carries.
type BombKind int

// The bombs: a gzip stream (.xml.gz) or a ZIP archive (.zip) whose one
// member inflates far beyond what it weighs.
const (
	GzipBomb BombKind = iota
	ZipBomb
)

// ReportMail returns the i-th bulk aggregate report mail: one gzipped
// RFC 7489 report about one of 50 domains from one of 12 reporters, with
// eight records of which three fail DMARC from sources of the TEST-NET
// and benchmarking ranges (no PTR record anywhere).
func ReportMail(i int) Sample {
	domain := fmt.Sprintf("example%02d.com", i%bulkReportDomains)
	org := fmt.Sprintf("reporter%02d.example", i%bulkReporters)
	begin := ReportBegin.Add(time.Duration(i) * time.Hour)
	xml := reportHead(org, fmt.Sprintf("bulk-%d", i), domain, begin)
	var b strings.Builder
	b.WriteString(xml)
	for j := range bulkReportRecords {
		if j < bulkFailingPerReport {
			// A spoofer: spread over 198.18.0.0/15 so that each domain
			// ranks many failing sources.
			n := (i*7 + j*131) % bulkFailingSources
			writeBulkRecord(&b, fmt.Sprintf("198.18.%d.%d", n/250, 1+n%250), 1+(i+j)%5, domain, false)
			continue
		}
		writeBulkRecord(&b, fmt.Sprintf("192.0.2.%d", 1+j), 10+(i+j)%40, domain, true)
	}
	b.WriteString("</feedback>\n")
	name := fmt.Sprintf("%s!%s!%d!%d.xml.gz", org, domain, begin.Unix(), begin.Add(24*time.Hour-time.Second).Unix())
	return reportMailSample(i, org, domain, name, "application/gzip", gzipBytes([]byte(b.String())))
}

// ReportBombMail returns a report mail, with the index i among the bulk
// names, whose attachment inflates to at least inflated bytes: a report
// head followed by the same failing record over and over, so that a
// reader that does not stop at its byte cap builds records without end.
func ReportBombMail(kind BombKind, i int, inflated int64) Sample {
	domain := fmt.Sprintf("example%02d.com", i%bulkReportDomains)
	org := "bomb.example"
	begin := ReportBegin.Add(time.Duration(i) * time.Hour)
	payload := bombReader(reportHead(org, fmt.Sprintf("bomb-%d", i), domain, begin), domain, inflated)
	base := fmt.Sprintf("%s!%s!%d!%d.xml", org, domain, begin.Unix(), begin.Add(24*time.Hour-time.Second).Unix())
	if kind == ZipBomb {
		return reportMailSample(i, org, domain, strings.TrimSuffix(base, ".xml")+".zip", "application/zip", zipStream(base, payload))
	}
	return reportMailSample(i, org, domain, base+".gz", "application/gzip", gzipStream(payload))
}

// WriteReportMaildir writes n bulk report mails and, among them (every
// n/bombs-th, alternately gzip and ZIP), bombs bomb mails inflating to
// inflated bytes each, into the Maildir dir.
func WriteReportMaildir(dir string, n, bombs int, inflated int64) error {
	for _, sub := range []string{"cur", "new", "tmp"} {
		if err := os.MkdirAll(filepath.Join(dir, sub), 0o700); err != nil {
			return err
		}
	}
	every := 0
	if bombs > 0 {
		every = max(1, (n+bombs)/bombs)
	}
	var bomb []Sample // generated once per kind: a bomb takes a moment to deflate
	for i, made := 0, 0; i < n+bombs; i++ {
		var s Sample
		if made < bombs && (every == 0 || i%every == every-1 || n+bombs-i <= bombs-made) {
			kind := BombKind(made % 2)
			if len(bomb) <= int(kind) {
				bomb = append(bomb, ReportBombMail(kind, i, inflated))
			}
			s = bomb[kind]
			s.Name = bulkReportName(i)
			made++
		} else {
			s = ReportMail(i - made)
			s.Name = bulkReportName(i)
		}
		if err := writeFile(filepath.Join(dir, "cur", s.Name+":2,S"), s.Raw, arrival(s.Name)); err != nil {
			return err
		}
	}
	return nil
}

func bulkReportName(i int) string {
	return fmt.Sprintf("%d.M%dP1.reports", ReportBegin.Unix()+int64(i)*60, i)
}

// reportHead is the XML of a report up to its first record.
func reportHead(org, id, domain string, begin time.Time) string {
	return fmt.Sprintf(`<?xml version="1.0" encoding="UTF-8"?>
<feedback>
  <report_metadata>
    <org_name>%s</org_name>
    <email>noreply-dmarc@%s</email>
    <report_id>%s</report_id>
    <date_range><begin>%d</begin><end>%d</end></date_range>
  </report_metadata>
  <policy_published><domain>%s</domain><adkim>r</adkim><aspf>r</aspf><p>none</p><sp>none</sp><pct>100</pct></policy_published>
`, org, org, id, begin.Unix(), begin.Add(24*time.Hour-time.Second).Unix(), domain)
}

// writeBulkRecord writes one record of count messages from ip, aligned
// and passing or failing both.
func writeBulkRecord(b *strings.Builder, ip string, count int, domain string, pass bool) {
	res, disp, env := "fail", "none", "spoof.example.net"
	if pass {
		res, env = "pass", domain
	}
	fmt.Fprintf(b, `  <record>
    <row><source_ip>%s</source_ip><count>%d</count><policy_evaluated><disposition>%s</disposition><dkim>%s</dkim><spf>%s</spf></policy_evaluated></row>
    <identifiers><header_from>%s</header_from><envelope_from>%s</envelope_from></identifiers>
    <auth_results><spf><domain>%s</domain><scope>mfrom</scope><result>%s</result></spf></auth_results>
  </record>
`, ip, count, disp, res, res, domain, env, env, res)
}

// bombReader yields head, then failing records until at least inflated
// bytes have gone by, and never the closing tag.
func bombReader(head, domain string, inflated int64) io.Reader {
	var rec strings.Builder
	writeBulkRecord(&rec, "198.51.100.66", 1, domain, false)
	one := rec.String()
	n := max(0, (inflated-int64(len(head)))/int64(len(one))+1)
	return io.MultiReader(strings.NewReader(head), &repeatReader{s: one, left: n})
}

// repeatReader reads s left times.
type repeatReader struct {
	s    string
	left int64
	off  int
}

func (r *repeatReader) Read(p []byte) (int, error) {
	n := 0
	for n < len(p) && r.left > 0 {
		c := copy(p[n:], r.s[r.off:])
		n += c
		r.off += c
		if r.off == len(r.s) {
			r.off = 0
			r.left--
		}
	}
	if n == 0 {
		return 0, io.EOF
	}
	return n, nil
}

func gzipBytes(data []byte) []byte { return gzipStream(bytes.NewReader(data)) }

// gzipStream deflates r at the best compression, as a bomb maker would.
func gzipStream(r io.Reader) []byte {
	var b bytes.Buffer
	w, _ := gzip.NewWriterLevel(&b, gzip.BestCompression)
	if _, err := io.Copy(w, r); err != nil {
		panic(err) // writing to memory cannot fail
	}
	if err := w.Close(); err != nil {
		panic(err)
	}
	return b.Bytes()
}

// zipStream stores r as the one member name of a ZIP archive.
func zipStream(name string, r io.Reader) []byte {
	var b bytes.Buffer
	zw := zip.NewWriter(&b)
	w, err := zw.Create(name)
	if err == nil {
		_, err = io.Copy(w, r)
	}
	if err == nil {
		err = zw.Close()
	}
	if err != nil {
		panic(err) // writing to memory cannot fail
	}
	return b.Bytes()
}

// reportMailSample wraps a report attachment in the mail a reporter sends
// (RFC 7489 §7.2.1.1 subject, the report base64-encoded).
func reportMailSample(i int, org, domain, file, ctype string, attachment []byte) Sample {
	var b strings.Builder
	boundary := fmt.Sprintf("=_report_%d", i)
	date := ReportBegin.Add(time.Duration(i) * time.Minute).Format(time.RFC1123Z)
	fmt.Fprintf(&b, "From: DMARC Aggregate Report <noreply-dmarc@%s>\r\n", org)
	fmt.Fprintf(&b, "To: dmarc@%s\r\n", domain)
	fmt.Fprintf(&b, "Subject: Report Domain: %s Submitter: %s Report-ID: <%d@%s>\r\n", domain, org, i, org)
	fmt.Fprintf(&b, "Date: %s\r\nMessage-ID: <report-%d@%s>\r\nMIME-Version: 1.0\r\n", date, i, org)
	fmt.Fprintf(&b, "Content-Type: multipart/mixed; boundary=\"%s\"\r\n\r\n", boundary)
	fmt.Fprintf(&b, "--%s\r\nContent-Type: text/plain; charset=us-ascii\r\n\r\nThis is an aggregate report from %s.\r\n\r\n", boundary, org)
	fmt.Fprintf(&b, "--%s\r\nContent-Type: %s; name=\"%s\"\r\nContent-Disposition: attachment; filename=\"%s\"\r\nContent-Transfer-Encoding: base64\r\n\r\n",
		boundary, ctype, file, file)
	b.Write(base64Lines(attachment))
	fmt.Fprintf(&b, "--%s--\r\n", boundary)
	return Sample{Name: bulkReportName(i), Raw: []byte(b.String())}
}
