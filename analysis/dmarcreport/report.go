// Package dmarcreport reads DMARC aggregate (rua) reports — RFC 7489
// Appendix C and its successor RFC 9990 (namespace
// urn:ietf:params:xml:ns:dmarc-2.0) — from the XML, gzip and ZIP files
// reporters send, or from the mails that carry them, and sums them up: pass
// ratios per reported domain, what each reporter saw, and the sources that
// fail. Everything in a report is attacker-controlled; parsing is bounded in
// bytes, depth and records, and never panics on bad input.
//
// The output shapes follow parsedmarc's JSON so that existing dashboards
// and habits carry over.
package dmarcreport

import "time"

// Report is one parsed aggregate report.
type Report struct {
	// Version is the <version> element, "" when absent (RFC 7489 reports
	// usually have none; RFC 9990 §3.1.1.2 requires "1.0").
	Version string `json:"xml_schema,omitempty"`
	// Schema is SchemaRFC9990 when <feedback> is in the RFC 9990
	// namespace or the report carries elements only RFC 9990 defines
	// (np, testing, discovery_method, generator), else SchemaRFC7489.
	Schema string `json:"schema"`
	// Extensions names the elements of the report-level <extension>
	// (RFC 9990 §3.1.1.6), as "namespace local"; they are not interpreted.
	Extensions      []string        `json:"extensions,omitempty"`
	Metadata        Metadata        `json:"report_metadata"`
	PolicyPublished PolicyPublished `json:"policy_published"`
	Records         []Record        `json:"records"`
}

// Metadata is the <report_metadata> element: who reported and for when.
type Metadata struct {
	OrgName          string    `json:"org_name"`
	Email            string    `json:"email"`
	ExtraContactInfo string    `json:"extra_contact_info,omitempty"`
	ReportID         string    `json:"report_id"`
	Begin            time.Time `json:"begin_date"`
	End              time.Time `json:"end_date"`
	Errors           []string  `json:"errors"`
	// Generator is RFC 9990's name and version of the reporting
	// software, "" when absent.
	Generator string `json:"generator,omitempty"`
}

// Report schemas.
const (
	SchemaRFC7489 = "rfc7489"
	SchemaRFC9990 = "rfc9990"
	// NamespaceRFC9990 is the XML namespace of RFC 9990 reports.
	NamespaceRFC9990 = "urn:ietf:params:xml:ns:dmarc-2.0"
)

// PolicyPublished is the DMARC record the reporter found for the domain.
// Values are lower-cased; absent elements are "".
type PolicyPublished struct {
	Domain          string `json:"domain"`
	ADKIM           string `json:"adkim"`
	ASPF            string `json:"aspf"`
	P               string `json:"p"`
	SP              string `json:"sp"`
	Pct             string `json:"pct"`
	FO              string `json:"fo"`
	NP              string `json:"np,omitempty"`               // RFC 9990
	Testing         string `json:"testing,omitempty"`          // RFC 9990: the t= tag, "y" or "n"
	DiscoveryMethod string `json:"discovery_method,omitempty"` // RFC 9990: "psl" or "treewalk"
}

// InTesting reports whether the reporter saw the policy in testing mode
// (t=y, RFC 9989 §4.7): it then applied the policy one level lower.
func (p PolicyPublished) InTesting() bool { return p.Testing == "y" }

// Record is one <record>: the messages one source sent for one set of
// identifiers, and how they fared.
type Record struct {
	Source          Source          `json:"source"`
	Count           int64           `json:"count"`
	Alignment       Alignment       `json:"alignment"`
	PolicyEvaluated PolicyEvaluated `json:"policy_evaluated"`
	Identifiers     Identifiers     `json:"identifiers"`
	AuthResults     AuthResults     `json:"auth_results"`
}

// Source is the sending host of a record.
type Source struct {
	IPAddress string `json:"ip_address"`
	// ReverseDNS stays empty: names are looked up only for the sources a
	// summary ranks (FailingSource.ReverseDNS, see ResolveNames).
	ReverseDNS string `json:"reverse_dns"`
}

// Alignment says which DMARC mechanisms passed aligned, as the reporter
// evaluated them: SPF and DKIM from policy_evaluated, DMARC when either did.
type Alignment struct {
	SPF   bool `json:"spf"`
	DKIM  bool `json:"dkim"`
	DMARC bool `json:"dmarc"`
}

// PolicyEvaluated is the reporter's DMARC evaluation of the record.
type PolicyEvaluated struct {
	Disposition string           `json:"disposition"`
	DKIM        string           `json:"dkim"`
	SPF         string           `json:"spf"`
	Reasons     []OverrideReason `json:"policy_override_reasons"`
}

// OverrideReason is why the receiver applied another disposition than the
// policy asked for (forwarded, mailing_list, local_policy…).
type OverrideReason struct {
	Type    string `json:"type"`
	Comment string `json:"comment"`
}

// Identifiers are the domains the record's messages carried.
type Identifiers struct {
	HeaderFrom   string `json:"header_from"`
	EnvelopeFrom string `json:"envelope_from"`
	EnvelopeTo   string `json:"envelope_to"`
}

// AuthResults are the raw, unaligned SPF and DKIM results.
type AuthResults struct {
	DKIM []DKIMAuth `json:"dkim"`
	SPF  []SPFAuth  `json:"spf"`
}

// DKIMAuth is one DKIM signature's result.
type DKIMAuth struct {
	Domain   string `json:"domain"`
	Selector string `json:"selector"`
	Result   string `json:"result"`
	// HumanResult is RFC 9990's free-text explanation, "" when absent.
	HumanResult string `json:"human_result,omitempty"`
}

// SPFAuth is one SPF check's result.
type SPFAuth struct {
	Domain string `json:"domain"`
	Scope  string `json:"scope"`
	Result string `json:"result"`
	// HumanResult is RFC 9990's free-text explanation, "" when absent.
	HumanResult string `json:"human_result,omitempty"`
}

// Messages returns the sum of the records' counts.
func (r *Report) Messages() int64 {
	var n int64
	for i := range r.Records {
		n += r.Records[i].Count
	}
	return n
}
