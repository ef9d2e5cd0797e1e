package domaincheck

import "strings"

// lint9989 reports what RFC 9989 changed for the record: the tags it
// removed (pct, rf, ri) and what its new ones (t, psd, np) mean here.
func (d *DMARCReport) lint9989(f *findings, domain string) {
	for _, tag := range []string{"pct", "rf", "ri"} {
		if v, ok := d.Tags[tag]; ok {
			f.add(SeverityWarning, "dmarc-obsolete-"+tag, "%s=%s is obsolete: RFC 9989 removed it and its receivers ignore it%s", tag, v, obsoleteHint(tag))
		}
	}
	switch strings.ToLower(d.Tags["t"]) {
	case "y":
		d.Testing = true
		f.add(SeverityInfo, "dmarc-testing", "t=y: the policy is in testing mode; receivers apply it one level lower (reject as quarantine, quarantine as none) and report as usual (RFC 9989 §4.7). Remove t=y once the reports are clean")
	case "", "n":
	default:
		f.add(SeverityError, "dmarc-syntax", "t=%s is not y or n", d.Tags["t"])
	}
	switch psd := strings.ToLower(d.Tags["psd"]); psd {
	case "y":
		d.PSD = psd
		f.add(SeverityInfo, "dmarc-psd", "psd=y: %s declares itself a public suffix domain; each name one label below it is an organizational domain of its own, and this policy applies to those that publish none (RFC 9989 §4.10)", d.PolicyDomain)
	case "n":
		d.PSD = psd
		f.add(SeverityInfo, "dmarc-psd", "psd=n: %s is the organizational domain of itself and all its subdomains; the tree walk stops here (RFC 9989 §4.10.2)", d.PolicyDomain)
	case "", "u":
	default:
		f.add(SeverityError, "dmarc-syntax", "psd=%s is not y, n or u", d.Tags["psd"])
	}
	if d.NP != "" {
		f.add(SeverityInfo, "dmarc-np", "np=%s applies to mail from subdomains of %s that do not exist in DNS (NXDOMAIN); existing subdomains get sp=%s (RFC 9989 §4.7)", d.NP, d.PolicyDomain, d.SP)
	}
	if d.PolicyDomain != "" && d.OrgDomain != "" && d.OrgDomain != domain {
		f.add(SeverityInfo, "dmarc-org-domain", "the tree walk makes %s the organizational domain of %s: relaxed alignment accepts SPF and DKIM domains whose organizational domain is %s", d.OrgDomain, domain, d.OrgDomain)
	}
}

// obsoleteHint says what replaces a removed tag.
func obsoleteHint(tag string) string {
	switch tag {
	case "pct":
		return "; to roll a policy out carefully, publish t=y (testing mode) instead"
	case "rf":
		return "; failure reports have one format"
	}
	return "; receivers send aggregate reports about daily"
}
