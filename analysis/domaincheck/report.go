// Package domaincheck audits the sender-authentication records a domain
// publishes in DNS: its SPF record (syntax, the RFC 7208 §4.6.4 limits of
// 10 DNS-querying terms and 2 void lookups, counted over the whole include
// tree, and risky qualifiers), its DMARC record (syntax, policy strength,
// and the RFC 7489 §7.1 authorisation of external report destinations),
// and the DKIM keys of the selectors it is given (type, size, revocation).
//
// Every lookup goes through an auth.Resolver, so that a test DNS server or
// a static zone can stand in for the network. Record text is published by
// whoever controls the domain and treated as untrusted: the walk is
// bounded in depth and in records fetched.
package domaincheck

// Severity grades a finding.
type Severity string

// Severities, from harmless to broken.
const (
	SeverityInfo    Severity = "info"
	SeverityWarning Severity = "warning"
	// SeverityError is a record that receivers will reject, ignore or
	// evaluate to permerror, or a policy that lets anyone send.
	SeverityError Severity = "error"
)

// Finding is one observation about a record.
type Finding struct {
	Severity Severity `json:"severity"`
	// Code is a stable identifier for scripts ("spf-lookup-limit").
	Code    string `json:"code"`
	Message string `json:"message"`
}

// Report is the result of checking one domain.
type Report struct {
	Domain string         `json:"domain"`
	SPF    SPFReport      `json:"spf"`
	DMARC  DMARCReport    `json:"dmarc"`
	DKIM   []DKIMKeyCheck `json:"dkim"`
}

// Findings returns every finding of the report, SPF first, then DMARC,
// then DKIM.
func (r *Report) Findings() []Finding {
	out := append([]Finding(nil), r.SPF.Findings...)
	out = append(out, r.DMARC.Findings...)
	for _, k := range r.DKIM {
		out = append(out, k.Findings...)
	}
	return out
}

// Count returns how many findings have severity s.
func (r *Report) Count(s Severity) int {
	n := 0
	for _, f := range r.Findings() {
		if f.Severity == s {
			n++
		}
	}
	return n
}

// findings collects findings for one section.
type findings []Finding

func (f *findings) add(s Severity, code, format string, args ...any) {
	*f = append(*f, Finding{Severity: s, Code: code, Message: sprintf(format, args...)})
}

// list returns the findings as a slice that encodes as [] when empty.
func (f findings) list() []Finding {
	if f == nil {
		return []Finding{}
	}
	return f
}
