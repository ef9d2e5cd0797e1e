package console

import (
	"bytes"
	"compress/gzip"
	"context"
	"encoding/base64"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"

	tea "charm.land/bubbletea/v2"
	"github.com/charmbracelet/x/ansi"
	"github.com/charmbracelet/x/exp/golden"

	"mxaudit/analysis/auth"
	"mxaudit/analysis/dmarcreport"
	"mxaudit/analysis/domaincheck"
	"mxaudit/mailsrc/demo"
	"mxaudit/mailsrc/demo/corpus"
	"mxaudit/model"
	"mxaudit/ui/app"
)

// reportXML is an aggregate report for example.com from one reporter:
// 203.0.113.7 fails with 12 messages, 192.0.2.66 fails with 3, and
// 198.51.100.77 passes with 40.
const reportXML = `<?xml version="1.0" encoding="UTF-8"?>
<feedback>
 <report_metadata><org_name>google.com</org_name><email>noreply-dmarc-support@google.com</email>
  <report_id>1700000000123</report_id><date_range><begin>1700000000</begin><end>1700086399</end></date_range></report_metadata>
 <policy_published><domain>example.com</domain><p>quarantine</p><pct>100</pct></policy_published>
 <record><row><source_ip>203.0.113.7</source_ip><count>12</count>
  <policy_evaluated><disposition>quarantine</disposition><dkim>fail</dkim><spf>fail</spf></policy_evaluated></row>
  <identifiers><header_from>example.com</header_from><envelope_from>bounce.spoof.example</envelope_from></identifiers>
  <auth_results><dkim><domain>spoof.example</domain><result>fail</result></dkim>
   <spf><domain>bounce.spoof.example</domain><result>fail</result></spf></auth_results></record>
 <record><row><source_ip>192.0.2.66</source_ip><count>3</count>
  <policy_evaluated><disposition>quarantine</disposition><dkim>fail</dkim><spf>fail</spf></policy_evaluated></row>
  <identifiers><header_from>example.com</header_from></identifiers>
  <auth_results><spf><domain>example.com</domain><result>softfail</result></spf></auth_results></record>
 <record><row><source_ip>198.51.100.77</source_ip><count>40</count>
  <policy_evaluated><disposition>none</disposition><dkim>pass</dkim><spf>pass</spf></policy_evaluated></row>
  <identifiers><header_from>example.com</header_from></identifiers>
  <auth_results><dkim><domain>example.com</domain><result>pass</result></dkim>
   <spf><domain>example.com</domain><result>pass</result></spf></auth_results></record>
</feedback>
`

const reportFile = "google.com!example.com!1700000000!1700086399.xml.gz"

// reportMail is a report mail as Google sends it: the gzipped report as
// an attachment of a mail whose subject follows RFC 7489.
func reportMail(t *testing.T) []byte {
	t.Helper()
	var gz bytes.Buffer
	w := gzip.NewWriter(&gz)
	if _, err := io.WriteString(w, reportXML); err != nil {
		t.Fatal(err)
	}
	if err := w.Close(); err != nil {
		t.Fatal(err)
	}
	return []byte("From: noreply-dmarc-support@google.com\r\nTo: dmarc@example.com\r\n" +
		"Subject: Report domain: example.com Submitter: google.com Report-ID: 1700000000123\r\n" +
		"MIME-Version: 1.0\r\nContent-Type: multipart/mixed; boundary=b1\r\n\r\n" +
		"--b1\r\nContent-Type: text/plain\r\n\r\nThis is an aggregate report.\r\n--b1\r\n" +
		"Content-Type: application/gzip; name=\"" + reportFile + "\"\r\n" +
		"Content-Disposition: attachment; filename=\"" + reportFile + "\"\r\n" +
		"Content-Transfer-Encoding: base64\r\n\r\n" + base64.StdEncoding.EncodeToString(gz.Bytes()) + "\r\n--b1--\r\n")
}

// reportQuarantine is a quarantine holding the report mail and three
// messages: one from 203.0.113.7 (a From domain the report does not
// name), one From example.com from elsewhere, and one from neither.
func reportQuarantine() []model.Message {
	msg := func(id, fromDomain, ip, subject string) model.Message {
		return model.Message{
			ID: model.MessageID(id), From: "x@" + fromDomain, FromAddr: "x@" + fromDomain, FromDomain: fromDomain,
			Subject: subject, Date: at(28, 9, 0),
			Auth: &model.Auth{Source: model.SourceLive,
				SPF:   model.SPFResult{Result: model.ResultFail, Domain: fromDomain, IP: ip},
				DMARC: model.DMARCResult{Result: model.ResultFail, FromDomain: fromDomain}},
			Verdict: model.Verdict{Attachment: model.AttachmentClean, Auth: model.AuthFail},
		}
	}
	rep := msg("cur/report", "google.com", "", "Report domain: example.com Submitter: google.com Report-ID: 1700000000123")
	rep.Attachments = []model.Attachment{{Filename: reportFile, ContentType: "application/gzip", Size: 600}}
	return []model.Message{
		rep,
		msg("cur/byip", "bank-secure.example", "203.0.113.7", "Verify your account"),
		msg("cur/byfrom", "example.com", "198.51.100.200", "Invoice"),
		msg("cur/other", "other.example", "192.0.2.1", "Hello"),
	}
}

// reportConfig serves the report mail's bytes; every other message reads
// as a plain mail.
func reportConfig(t *testing.T, msgs []model.Message) Config {
	cfg := testConfig(msgs)
	raw := reportMail(t)
	stubOf(cfg).open = func(ctx context.Context, id model.MessageID) (io.ReadCloser, error) {
		if id == "cur/report" {
			return io.NopCloser(bytes.NewReader(raw)), nil
		}
		return io.NopCloser(bytes.NewReader(rawFor(id))), nil
	}
	return cfg
}

// openedReports returns a console over msgs, sized width×height, with
// the report view open and its reading done.
func openedReports(t *testing.T, cfg Config, n, width, height int) *Model {
	t.Helper()
	m := newModel(t.Context(), cfg, true)
	runCmd(t, m, m.Init(), nil)
	m.Update(tea.WindowSizeMsg{Width: width, Height: height})
	if m.table.Total() != n {
		t.Fatalf("%d messages loaded, want %d", m.table.Total(), n)
	}
	runCmd(t, m, pressAll(m, "D"), nil)
	if m.reportsView == nil || m.reportsView.Loading() {
		t.Fatal("D did not open the reports, or they were not read")
	}
	return m
}

func TestReportsFrames(t *testing.T) {
	for _, size := range [][2]int{{80, 24}, {160, 48}} {
		t.Run(fmt.Sprintf("%dx%d", size[0], size[1]), func(t *testing.T) {
			msgs := reportQuarantine()
			m := openedReports(t, reportConfig(t, msgs), len(msgs), size[0], size[1])
			frame := m.View().Content
			checkFrame(t, frame, size[0], size[1])
			plain := ansi.Strip(frame)
			for _, want := range []string{"1 report, 55 messages", "DMARC pass 72.7% (40)", "203.0.113.7", "google.com"} {
				if !strings.Contains(plain, want) {
					t.Errorf("the view lacks %q", want)
				}
			}
			golden.RequireEqual(t, []byte(plain))
		})
	}
}

func TestReportsEmpty(t *testing.T) {
	msgs := sampleMessages()
	m := openedReports(t, testConfig(msgs), len(msgs), 80, 24)
	if frame := ansi.Strip(m.View().Content); !strings.Contains(frame, "no DMARC aggregate reports among these messages") {
		t.Fatalf("no empty state:\n%s", frame)
	}
	pressAll(m, "enter") // nothing to select: must not filter or panic
	if m.reportsView == nil || m.table.Filter().Source != nil {
		t.Fatal("enter without a failing source changed the view or the filter")
	}
}

// TestReportsFilterSource presses enter on a failing source and checks the
// list then shows exactly the quarantined messages from it, and that the
// filter is named in the header and cleared like the others.
func TestReportsFilterSource(t *testing.T) {
	tests := []struct {
		name   string
		keys   []string
		header string
		want   []model.MessageID
	}{
		// 203.0.113.7: its IP, or From example.com.
		{"first source", nil, "source 203.0.113.7", []model.MessageID{"cur/byip", "cur/byfrom"}},
		// 192.0.2.66: only From example.com.
		{"second source", []string{"j"}, "source 192.0.2.66", []model.MessageID{"cur/byfrom"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			msgs := reportQuarantine()
			m := openedReports(t, reportConfig(t, msgs), len(msgs), 120, 30)
			pressAll(m, tt.keys...)
			pressAll(m, "enter")
			if m.reportsView != nil {
				t.Fatal("enter did not close the reports")
			}
			var got []model.MessageID
			for i := range m.table.Len() {
				got = append(got, m.table.RowAt(i).ID())
			}
			if fmt.Sprint(sortIDs(got)) != fmt.Sprint(sortIDs(tt.want)) {
				t.Fatalf("shown %v, want %v", got, tt.want)
			}
			if frame := ansi.Strip(m.View().Content); !strings.Contains(frame, tt.header) {
				t.Errorf("the header does not name the filter %q:\n%s", tt.header, frame)
			}
			pressAll(m, "0")
			if m.table.Len() != len(msgs) || m.table.Filter().Source != nil {
				t.Fatal("0 did not clear the source filter")
			}
		})
	}
}

func sortIDs(ids []model.MessageID) []model.MessageID {
	out := append([]model.MessageID(nil), ids...)
	slices.Sort(out)
	return out
}

// TestReportsDropStale checks that the answer of a read the operator
// abandoned (closing the view) is dropped.
func TestReportsDropStale(t *testing.T) {
	msgs := reportQuarantine()
	m := newModel(t.Context(), reportConfig(t, msgs), true)
	runCmd(t, m, m.Init(), nil)
	m.Update(tea.WindowSizeMsg{Width: 80, Height: 24})
	cmd := pressAll(m, "D")
	pressAll(m, "esc", "D") // close and reopen before the first read answers
	m.Update(cmd())
	if !m.reportsView.Loading() {
		t.Fatal("a stale read filled the reopened view")
	}
}

// checkMessages is one message From example.co.jp, a demo domain whose
// SPF record includes another.
func checkMessages() []model.Message {
	return []model.Message{{
		ID: "cur/check", From: "Taro <taro@example.co.jp>", FromAddr: "taro@example.co.jp", FromDomain: "example.co.jp",
		Subject: "Hello", Date: at(28, 9, 0), Verdict: model.Verdict{Attachment: model.AttachmentClean, Auth: model.AuthNone},
	}}
}

func TestDomainCheckFrames(t *testing.T) {
	resolver := auth.NewZoneResolver(demo.Zone())
	for _, size := range [][2]int{{80, 24}, {160, 48}} {
		t.Run(fmt.Sprintf("%dx%d", size[0], size[1]), func(t *testing.T) {
			cfg := testConfig(checkMessages())
			cfg.Checker = stubOf(cfg)
			stubOf(cfg).check = func(ctx context.Context, domain string) (*domaincheck.Report, error) {
				return domaincheck.Check(ctx, resolver, domain, nil)
			}
			m := newModel(t.Context(), cfg, true)
			runCmd(t, m, m.Init(), nil)
			m.Update(tea.WindowSizeMsg{Width: size[0], Height: size[1]})
			runCmd(t, m, pressAll(m, "c"), nil)
			if m.checkView == nil {
				t.Fatal("c did not open the domain check")
			}
			frame := m.View().Content
			checkFrame(t, frame, size[0], size[1])
			plain := ansi.Strip(frame)
			for _, want := range []string{"Domain check: example.co.jp", "v=spf1 ip4:198.51.100.0/26", "DNS lookups", "p=quarantine"} {
				if !strings.Contains(plain, want) {
					t.Errorf("the view lacks %q:\n%s", want, plain)
				}
			}
			golden.RequireEqual(t, []byte(plain))
			pressAll(m, "esc")
			if m.checkView != nil {
				t.Fatal("esc did not close the domain check")
			}
		})
	}
}

// TestDomainCheckOff checks that without Config.Check the key explains
// itself instead of opening an empty view.
func TestDomainCheckOff(t *testing.T) {
	m := newModel(t.Context(), testConfig(checkMessages()), true)
	runCmd(t, m, m.Init(), nil)
	m.Update(tea.WindowSizeMsg{Width: 80, Height: 24})
	// (The command returned is the notice's expiry timer.)
	if pressAll(m, "c"); m.checkView != nil {
		t.Fatal("c opened a check without a checker")
	}
	if !strings.Contains(m.notice.text, "domain checks are off") {
		t.Fatalf("notice %q", m.notice.text)
	}
}

// TestDMARCViewsFit draws the report and domain check views at many sizes
// and checks that every frame is exactly the terminal's size.
func TestDMARCViewsFit(t *testing.T) {
	resolver := auth.NewZoneResolver(demo.Zone())
	for _, w := range []int{10, 20, 33, 59, 80, 81, 120, 200} {
		for _, h := range []int{4, 5, 10, 24, 48} {
			t.Run(fmt.Sprintf("%dx%d", w, h), func(t *testing.T) {
				msgs := reportQuarantine()
				m := openedReports(t, reportConfig(t, msgs), len(msgs), w, h)
				pressAll(m, "j", "f")
				checkFrame(t, m.View().Content, w, h)

				cfg := testConfig(checkMessages())
				cfg.Checker = stubOf(cfg)
				stubOf(cfg).check = func(ctx context.Context, domain string) (*domaincheck.Report, error) {
					return domaincheck.Check(ctx, resolver, domain, nil)
				}
				c := newModel(t.Context(), cfg, true)
				runCmd(t, c, c.Init(), nil)
				c.Update(tea.WindowSizeMsg{Width: w, Height: h})
				runCmd(t, c, pressAll(c, "c"), nil)
				pressAll(c, "l", "G")
				checkFrame(t, c.View().Content, w, h)
			})
		}
	}
}

// TestReportsCorpus puts the report mails of the corpus (Google, Mail.Ru,
// Outlook.com, Amazon SES…) in a Maildir with a fixture mail that carries
// none, scans it with the real analyzer, and checks that the view finds a
// report in each report mail: the scan's subject and attachment data must
// be enough to pick them.
func TestReportsCorpus(t *testing.T) {
	dir := corpus.Dir(t, "dmarc-reports/stalwart-mail-auth")
	mails, err := filepath.Glob(filepath.Join(dir, "*.eml"))
	if err != nil || len(mails) == 0 {
		t.Skipf("no report mails in %s", dir)
	}
	f := newActionFixture(t)
	for i, p := range mails {
		raw, err := os.ReadFile(p)
		if err != nil {
			t.Fatal(err)
		}
		name := fmt.Sprintf("17643009%02d.M%dP1.gw:2,S", i, i)
		if err := os.WriteFile(filepath.Join(f.dir, "cur", name), raw, 0o600); err != nil {
			t.Fatal(err)
		}
	}
	total := len(fixtureMails) + len(mails)
	m := openedReports(t, f.config(t, "sato"), total, 160, 48)
	reports, read, problems := m.reportsView.Totals()
	if read < len(mails) {
		t.Errorf("%d mail(s) read, want at least the %d report mails", read, len(mails))
	}
	if reports < len(mails) {
		t.Errorf("%d report(s) found in %d report mails", reports, len(mails))
	}
	if problems != 0 {
		t.Errorf("%d report part(s) could not be read", problems)
	}
	checkFrame(t, m.View().Content, 160, 48)
}

// TestReportFlagAgreesWithBackend checks that the row's "may carry a
// report" flag, which the report view picks the mails to read by, says
// what the backend's rule (dmarcreport.MayCarryReport) says of the
// analysed message: on the demo quarantine, on generated report mails,
// on the corpus's report mails when present, and on variants of each
// with the subject or an attachment's name or type changed, so that
// both halves of the rule decide some of them.
func TestReportFlagAgreesWithBackend(t *testing.T) {
	samples := demoQuarantine(t, 300)
	for i := range 20 {
		s := demo.ReportMail(i)
		s.Name = fmt.Sprintf("1700000%03d.M%dP1.reports", i, i)
		samples = append(samples, s)
	}
	if root, _ := corpus.Root(); root != "" {
		mails, _ := filepath.Glob(filepath.Join(root, "dmarc-reports", "*", "*.eml"))
		for i, p := range mails {
			raw, err := os.ReadFile(p)
			if err != nil {
				t.Fatal(err)
			}
			samples = append(samples, demo.Sample{Name: fmt.Sprintf("1700001%03d.M%dP1.corpus", i, i), Raw: raw})
		}
	}
	msgs := analysed(t, samples)
	var bySubject, byAttachment, neither, reports int
	check := func(what string, m *model.Message) bool {
		row := model.NewRow(m)
		want := dmarcreport.MayCarryReport(m)
		if got := row.Has(model.RowMayCarryReport); got != want {
			t.Errorf("%s %s (subject %q, %d attachments): the row says %v, the backend %v", what, m.ID, m.Subject, len(m.Attachments), got, want)
		}
		return want
	}
	for i := range msgs {
		m := msgs[i]
		whole := check("message", &m)
		if strings.Contains(string(m.ID), ".reports") {
			reports++
			if !whole {
				t.Errorf("generated report mail %s is not worth reading", m.ID)
			}
		}
		bare := m
		bare.Subject = "hello"
		if check("without its subject", &bare) {
			byAttachment++
		}
		plain := m
		plain.Attachments = nil
		if check("without attachments", &plain) {
			bySubject++
		}
		if !whole {
			neither++
		}
		for j := range m.Attachments {
			for _, change := range []func(*model.Attachment){
				func(a *model.Attachment) { a.ContentType = "application/octet-stream" },
				func(a *model.Attachment) { a.Filename = strings.ToUpper(a.Filename) },
				func(a *model.Attachment) { a.Filename += ".txt" },
				func(a *model.Attachment) { a.ContentType, a.Filename = "text/xml", "" },
			} {
				v := bare
				v.Attachments = slices.Clone(m.Attachments)
				change(&v.Attachments[j])
				check("with an attachment changed", &v)
			}
		}
	}
	t.Logf("%d messages: %d generated report mails, %d by the subject alone, %d by the attachments alone, %d neither", len(msgs), reports, bySubject, byAttachment, neither)
	if reports != 20 || bySubject == 0 || byAttachment == 0 || neither == 0 {
		t.Errorf("the data leaves a case out: %d generated report mails, %d by the subject alone, %d by the attachments alone, %d neither",
			reports, bySubject, byAttachment, neither)
	}
}

// demoQuarantine is the demo's curated samples and n bulk ones.
func demoQuarantine(t *testing.T, n int) []demo.Sample {
	t.Helper()
	samples := demo.Samples(demo.Options{})
	if err := demo.Bulk(n, 5, func(s demo.Sample) error { samples = append(samples, s); return nil }); err != nil {
		t.Fatal(err)
	}
	return samples
}

// analysed writes samples to a Maildir and returns what the application
// core's scan makes of them: the real analysis, its DNS answered by the
// demo zone, PPAP pairing on.
func analysed(t *testing.T, samples []demo.Sample) []model.Message {
	t.Helper()
	dir := filepath.Join(t.TempDir(), "q")
	if err := demo.WriteMaildir(dir, samples); err != nil {
		t.Fatal(err)
	}
	core, err := app.Open(t.Context(), dir, app.Config{TrustedHosts: []string{demo.TrustedMTA}, Flags: app.Flags{NoCache: true}},
		app.Options{Resolver: auth.NewCachingResolver(auth.NewZoneResolver(demo.Zone()))})
	if err != nil {
		t.Fatal(err)
	}
	defer core.Close()
	var msgs []model.Message
	if err := core.Scan(t.Context(), func(m model.Message) error { msgs = append(msgs, m); return nil }, nil); err != nil {
		t.Fatal(err)
	}
	if len(msgs) != len(samples) {
		t.Fatalf("scanned %d of %d mails", len(msgs), len(samples))
	}
	return msgs
}
