package dmarcreport

import (
	"path/filepath"
	"slices"
	"strings"
	"testing"

	"mxaudit/mailsrc/demo/corpus"
)

// rfc9990Report is an aggregate report written from RFC 9990 §3.1 and its
// XML schema: the dmarc-2.0 namespace, a generator, np, testing=y,
// discovery_method, a report-level extension, human_result. Its records:
//
//	192.0.2.1    10  DKIM aligned pass, SPF aligned fail      -> DMARC pass (disposition "pass")
//	192.0.2.2     4  SPF aligned pass, DKIM aligned fail      -> DMARC pass
//	203.0.113.9   6  raw DKIM and SPF pass, neither aligned   -> DMARC fail, quarantine (p=reject, t=y)
//	203.0.113.9   1  nothing passes                           -> DMARC fail
const rfc9990Report = `<?xml version="1.0" encoding="UTF-8"?>
<feedback xmlns="urn:ietf:params:xml:ns:dmarc-2.0" xmlns:ext="https://ext.example/v1">
  <version>1.0</version>
  <report_metadata>
    <org_name>Receiver Example</org_name>
    <email>dmarc@receiver.example</email>
    <report_id>r-9990-1</report_id>
    <date_range><begin>1764547200</begin><end>1764633599</end></date_range>
    <generator>receiver-dmarc 3.1</generator>
  </report_metadata>
  <policy_published>
    <domain>example.com</domain>
    <discovery_method>treewalk</discovery_method>
    <p>reject</p><sp>quarantine</sp><np>reject</np>
    <adkim>r</adkim><aspf>r</aspf>
    <testing>y</testing>
  </policy_published>
  <extension><ext:arc_summary>seen</ext:arc_summary></extension>
  <record>
    <row><source_ip>192.0.2.1</source_ip><count>10</count>
      <policy_evaluated><disposition>pass</disposition><dkim>pass</dkim><spf>fail</spf></policy_evaluated></row>
    <identifiers><header_from>example.com</header_from><envelope_from>bounce.example.net</envelope_from></identifiers>
    <auth_results><dkim><domain>example.com</domain><selector>s1</selector><result>pass</result></dkim>
      <spf><domain>bounce.example.net</domain><scope>mfrom</scope><result>pass</result></spf></auth_results>
  </record>
  <record>
    <row><source_ip>192.0.2.2</source_ip><count>4</count>
      <policy_evaluated><disposition>pass</disposition><dkim>fail</dkim><spf>pass</spf></policy_evaluated></row>
    <identifiers><header_from>example.com</header_from><envelope_from>example.com</envelope_from></identifiers>
    <auth_results><spf><domain>example.com</domain><result>pass</result></spf></auth_results>
  </record>
  <record>
    <row><source_ip>203.0.113.9</source_ip><count>6</count>
      <policy_evaluated><disposition>quarantine</disposition><dkim>fail</dkim><spf>fail</spf></policy_evaluated></row>
    <identifiers><header_from>example.com</header_from><envelope_from>spam.example</envelope_from></identifiers>
    <auth_results><dkim><domain>spam.example</domain><selector>x</selector><result>pass</result>
        <human_result>signature valid, not aligned</human_result></dkim>
      <spf><domain>spam.example</domain><result>pass</result></spf></auth_results>
    <ext:record_note>ignored</ext:record_note>
  </record>
  <record>
    <row><source_ip>203.0.113.9</source_ip><count>1</count>
      <policy_evaluated><disposition>quarantine</disposition><dkim>fail</dkim><spf>fail</spf></policy_evaluated></row>
    <identifiers><header_from>example.com</header_from></identifiers>
    <auth_results><spf><domain>example.com</domain><result>fail</result><human_result>not permitted</human_result></spf></auth_results>
  </record>
</feedback>
`

func TestRFC9990Report(t *testing.T) {
	rep, err := ParseXML([]byte(rfc9990Report), Limits{})
	if err != nil {
		t.Fatal(err)
	}
	pp := rep.PolicyPublished
	if rep.Schema != SchemaRFC9990 || rep.Version != "1.0" || rep.Metadata.Generator != "receiver-dmarc 3.1" {
		t.Errorf("schema %q version %q generator %q", rep.Schema, rep.Version, rep.Metadata.Generator)
	}
	if pp.NP != "reject" || !pp.InTesting() || pp.DiscoveryMethod != "treewalk" || pp.P != "reject" {
		t.Errorf("policy_published %+v", pp)
	}
	if !slices.Equal(rep.Extensions, []string{"https://ext.example/v1 arc_summary"}) {
		t.Errorf("extensions %q", rep.Extensions)
	}
	if len(rep.Records) != 4 || rep.Records[2].AuthResults.DKIM[0].HumanResult != "signature valid, not aligned" ||
		rep.Records[3].AuthResults.SPF[0].HumanResult != "not permitted" {
		t.Fatalf("records %+v", rep.Records)
	}

	z := NewSummarizer()
	z.Add(rep)
	// The same domain from an RFC 7489 reporter, not in testing mode.
	old := report("Legacy Receiver", "old-1", "example.com", "198.51.100.3,2,fail,fail,example.com")
	old = []byte(stringsReplace(string(old), ` xmlns="urn:ietf:params:xml:ns:dmarc-2.0"`, ""))
	oldRep, err := ParseXML(old, Limits{})
	if err != nil {
		t.Fatal(err)
	}
	if oldRep.Schema != SchemaRFC7489 || oldRep.PolicyPublished.InTesting() {
		t.Errorf("RFC 7489 report: schema %q testing %q", oldRep.Schema, oldRep.PolicyPublished.Testing)
	}
	z.Add(oldRep)
	sum := z.Summary()
	if len(sum.Domains) != 1 {
		t.Fatalf("domains %+v", sum.Domains)
	}
	d := sum.Domains[0]
	// DMARC pass = aligned SPF pass or aligned DKIM pass: 10 + 4 of 23.
	// The 6 with raw passes that did not align are failures.
	if d.Messages != 23 || d.DMARCPass != 14 || d.DKIMAligned != 10 || d.SPFAligned != 4 {
		t.Errorf("messages %d, DMARC pass %d, DKIM aligned %d, SPF aligned %d; want 23, 14, 10, 4",
			d.Messages, d.DMARCPass, d.DKIMAligned, d.SPFAligned)
	}
	if d.Dispositions["pass"] != 14 || d.Dispositions["quarantine"] != 9 {
		t.Errorf("dispositions %v", d.Dispositions)
	}
	byOrg := map[string]ReporterCount{}
	for _, r := range d.Reporters {
		byOrg[r.OrgName] = r
	}
	if r := byOrg["Receiver Example"]; r.TestingReports != 1 || r.Schema != SchemaRFC9990 || r.DMARCPass != 14 {
		t.Errorf("RFC 9990 reporter %+v", r)
	}
	if r := byOrg["Legacy Receiver"]; r.TestingReports != 0 || r.Schema != SchemaRFC7489 {
		t.Errorf("RFC 7489 reporter %+v", r)
	}
	src := map[string]FailingSource{}
	for _, s := range d.FailingSources {
		src[s.IP] = s
	}
	if s := src["203.0.113.9"]; s.Messages != 7 || s.TestingMessages != 7 {
		t.Errorf("source 203.0.113.9 %+v: want 7 failing messages, all reported in testing mode", s)
	}
	if s := src["198.51.100.3"]; s.Messages != 2 || s.TestingMessages != 0 {
		t.Errorf("source 198.51.100.3 %+v: want 2 failing messages, none in testing mode", s)
	}
}

// TestCorpusRFC9990 reads the RFC 9990 samples of the corpus: the RFC's
// own example (namespaced, with a generator) and parsedmarc's draft-era
// one (no namespace, testing=y, strict alignment).
func TestCorpusRFC9990(t *testing.T) {
	dir := corpus.Dir(t, "dmarc-reports")
	tests := []struct {
		file      string
		generator string
		testing   bool
		pass, all int64
	}{
		// One record, 123 messages: DKIM aligned pass, SPF fail: DMARC pass.
		{"parsedmarc/aggregate/rfc9990-sample.xml", "Example DMARC Aggregate Reporter v1.2", false, 123, 123},
		{"stalwart-mail-auth/004.xml", "Example DMARC Aggregate Reporter v1.2", false, 123, 123},
		// 5 messages aligned pass both, 2 fail both.
		{"parsedmarc/aggregate/rfc9990-example.net!example.com!1700000000!1700086399.xml", "", true, 5, 7},
	}
	for _, tc := range tests {
		t.Run(filepath.Base(tc.file), func(t *testing.T) {
			reps, err := ReadFile(filepath.Join(dir, tc.file), Limits{})
			if err != nil || len(reps) != 1 {
				t.Fatalf("%d reports, %v", len(reps), err)
			}
			r := reps[0]
			if r.Schema != SchemaRFC9990 || r.Metadata.Generator != tc.generator || r.PolicyPublished.InTesting() != tc.testing ||
				r.PolicyPublished.DiscoveryMethod != "treewalk" {
				t.Errorf("schema %q generator %q testing %q discovery %q", r.Schema, r.Metadata.Generator,
					r.PolicyPublished.Testing, r.PolicyPublished.DiscoveryMethod)
			}
			z := NewSummarizer()
			z.Add(r)
			d := z.Summary().Domains[0]
			if d.Messages != tc.all || d.DMARCPass != tc.pass || d.Testing != tc.testing {
				t.Errorf("messages %d pass %d testing %v", d.Messages, d.DMARCPass, d.Testing)
			}
		})
	}
}

func stringsReplace(s, old, new string) string { return strings.Replace(s, old, new, 1) }
