package domaincheck

import (
	"context"
	"fmt"
	"net/url"
	"strconv"
	"strings"

	"golang.org/x/net/publicsuffix"

	"mxaudit/analysis/auth"
	"mxaudit/model"
)

// DMARCReport is the audit of a domain's DMARC record.
type DMARCReport struct {
	// Record is the DMARC record that applies, "" when none does.
	Record string `json:"record"`
	// From is the name the record was found at: _dmarc.<domain>, or the
	// _dmarc name of the organizational or public suffix domain the RFC
	// 9989 tree walk found when the domain inherits it.
	From string `json:"from,omitempty"`
	// Discovery is "tree-walk" (RFC 9989 §4.10); Walk the questions it
	// asked, in order; OrgDomain the organizational domain it selected
	// (§4.10.2); PolicyDomain the domain whose record applies.
	Discovery    string              `json:"discovery"`
	Walk         []model.DMARCLookup `json:"walk"`
	OrgDomain    string              `json:"org_domain"`
	PolicyDomain string              `json:"policy_domain,omitempty"`
	// NP, PSD and Testing are RFC 9989's np=, psd= and t=y.
	NP      string `json:"np,omitempty"`
	PSD     string `json:"psd,omitempty"`
	Testing bool   `json:"testing,omitempty"`
	// Tags holds the record's tags as published (lower-cased names).
	Tags map[string]string `json:"tags,omitempty"`
	P    string            `json:"p"`
	SP   string            `json:"sp"`
	// Pct is the obsolete pct= (RFC 9989 removed it), 100 when absent.
	Pct      int       `json:"pct"`
	ADKIM    string    `json:"adkim"`
	ASPF     string    `json:"aspf"`
	RUA      []string  `json:"rua"`
	RUF      []string  `json:"ruf"`
	FO       string    `json:"fo"`
	Findings []Finding `json:"findings"`
}

// dmarcTags are the tags RFC 9989 §4.7 defines, and those it removed
// (pct, rf, ri), which are reported as obsolete.
var dmarcTags = map[string]bool{
	"v": true, "p": true, "sp": true, "np": true, "psd": true, "t": true,
	"adkim": true, "aspf": true, "rua": true, "ruf": true, "fo": true,
	"pct": true, "rf": true, "ri": true,
}

// CheckDMARC audits the DMARC record that applies to domain, found by the
// RFC 9989 DNS Tree Walk. err is set only when DNS failed (not when there
// is no record): a walk cut short before a record was found cannot tell
// "no record" from "no answer".
func CheckDMARC(ctx context.Context, r auth.Resolver, domain string) (DMARCReport, error) {
	var f findings
	walk := auth.WalkDMARC(ctx, r, domain)
	rep := DMARCReport{Discovery: auth.DiscoveryTreeWalk, Walk: walk.Lookups, OrgDomain: walk.OrgDomain(),
		PolicyDomain: walk.PolicyDomain()}
	own := walk.Lookups[0]
	if !walk.Complete {
		last := walk.Lookups[len(walk.Lookups)-1]
		if own.Status != model.LookupFound {
			return rep, fmt.Errorf("DMARC tree walk of %s: %s did not answer", domain, last.Name)
		}
		rep.PolicyDomain = domain
		f.add(SeverityWarning, "dmarc-walk-incomplete", "the tree walk stopped at %s (no answer): %s's own record applies, but its organizational domain, which relaxed alignment needs, is unknown", last.Name, domain)
	}
	if own.Status == model.LookupMultiple {
		f.add(SeverityError, "dmarc-multiple", "%s has several DMARC records; receivers discard them all and walk on (RFC 9989 §4.10)", own.Name)
	}
	if rep.PolicyDomain == "" {
		if own.Status != model.LookupMultiple {
			f.add(SeverityError, "dmarc-none", "%s publishes no DMARC record and the tree walk finds none above it: anyone can send as it and receivers report nothing. Start with \"v=DMARC1; p=none; rua=mailto:…\"", domain)
		}
		rep.Findings = f.list()
		return rep, nil
	}
	rep.From = "_dmarc." + rep.PolicyDomain
	for _, l := range walk.Lookups {
		if l.Name == rep.From {
			rep.Record = l.Record
		}
	}
	if rep.PolicyDomain != domain {
		f.add(SeverityInfo, "dmarc-inherited", "%s has no DMARC record of its own; the tree walk (RFC 9989 §4.10.1) applies %s's, with its sp= policy (np= if %s does not exist)", domain, rep.PolicyDomain, domain)
	}
	rep.parse(&f)
	rep.judge(&f, domain)
	rep.lint9989(&f, domain)
	for _, dest := range append(append([]string(nil), rep.RUA...), rep.RUF...) {
		checkDestination(ctx, r, &f, domain, rep.PolicyDomain, dest)
	}
	rep.Findings = f.list()
	return rep, nil
}

// dmarcRecords returns the TXT records of name that start with v=DMARC1.
func dmarcRecords(ctx context.Context, r auth.Resolver, name string) ([]string, error) {
	return txtRecords(ctx, r, name, func(t string) bool {
		v, _, _ := strings.Cut(strings.TrimSpace(t), ";")
		return strings.EqualFold(strings.ReplaceAll(v, " ", ""), "v=DMARC1")
	})
}

// txtRecords returns the TXT records of name that keep selects; none when
// the name or its records do not exist.
func txtRecords(ctx context.Context, r auth.Resolver, name string, keep func(string) bool) ([]string, error) {
	txts, err := r.LookupTXT(ctx, name)
	if err != nil {
		if auth.IsNotFound(err) {
			return nil, nil
		}
		return nil, err
	}
	var out []string
	for _, t := range txts {
		if keep(t) {
			out = append(out, t)
		}
	}
	return out, nil
}

func orgDomain(domain string) string {
	org, err := publicsuffix.EffectiveTLDPlusOne(strings.ToLower(strings.TrimSuffix(domain, ".")))
	if err != nil {
		return ""
	}
	return org
}

// parse reads the tags and reports syntax errors.
func (d *DMARCReport) parse(f *findings) {
	d.Tags = make(map[string]string)
	d.Pct, d.ADKIM, d.ASPF, d.FO = 100, "r", "r", "0"
	for i, part := range strings.Split(d.Record, ";") {
		part = strings.TrimSpace(part)
		if part == "" {
			continue
		}
		k, v, ok := strings.Cut(part, "=")
		k, v = strings.ToLower(strings.TrimSpace(k)), strings.TrimSpace(v)
		switch {
		case !ok:
			f.add(SeverityError, "dmarc-syntax", "%q is not a tag=value pair", part)
			continue
		case i == 0 && k != "v":
			f.add(SeverityError, "dmarc-syntax", "the record must start with v=DMARC1")
		case !dmarcTags[k]:
			f.add(SeverityWarning, "dmarc-unknown-tag", "unknown tag %q is ignored", k)
			continue
		}
		if _, dup := d.Tags[k]; dup {
			f.add(SeverityError, "dmarc-syntax", "tag %s appears twice", k)
		}
		d.Tags[k] = v
	}
	policy := func(tag string) string {
		v, ok := d.Tags[tag]
		if !ok {
			return ""
		}
		switch lv := strings.ToLower(v); lv {
		case "none", "quarantine", "reject":
			return lv
		}
		f.add(SeverityError, "dmarc-syntax", "%s=%s is not none, quarantine or reject", tag, v)
		return ""
	}
	d.P, d.SP, d.NP = policy("p"), policy("sp"), policy("np")
	if _, ok := d.Tags["p"]; !ok {
		f.add(SeverityError, "dmarc-syntax", "the record has no p= tag; with a valid rua= receivers act as if p=none, otherwise they apply no DMARC at all (RFC 9989 §4.10.1)")
	}
	if d.SP == "" {
		d.SP = d.P
	}
	// pct= is obsolete (lint9989 says so): kept for display when valid,
	// never an error.
	if n, err := strconv.Atoi(d.Tags["pct"]); err == nil && n >= 0 && n <= 100 {
		d.Pct = n
	}
	for _, tag := range []string{"adkim", "aspf"} {
		if v, ok := d.Tags[tag]; ok {
			if lv := strings.ToLower(v); lv == "r" || lv == "s" {
				if tag == "adkim" {
					d.ADKIM = lv
				} else {
					d.ASPF = lv
				}
			} else {
				f.add(SeverityError, "dmarc-syntax", "%s=%s is not r or s", tag, v)
			}
		}
	}
	if v, ok := d.Tags["fo"]; ok {
		d.FO = v
		for _, o := range strings.Split(v, ":") {
			if o = strings.TrimSpace(o); o != "0" && o != "1" && o != "d" && o != "s" {
				f.add(SeverityError, "dmarc-syntax", "fo=%s: %q is not 0, 1, d or s", v, o)
			}
		}
	}
	d.RUA = d.uris(f, "rua")
	d.RUF = d.uris(f, "ruf")
}

// uris splits a rua/ruf value into its URIs and checks each is mailto:.
func (d *DMARCReport) uris(f *findings, tag string) []string {
	v, ok := d.Tags[tag]
	if !ok {
		return nil
	}
	var out []string
	for _, u := range strings.Split(v, ",") {
		u = strings.TrimSpace(u)
		if u == "" {
			continue
		}
		if !hasPrefixFold(u, "mailto:") || !strings.Contains(u, "@") {
			f.add(SeverityError, "dmarc-syntax", "%s: %q is not a mailto: address", tag, u)
			continue
		}
		out = append(out, u)
	}
	return out
}

// judge grades the policy.
func (d *DMARCReport) judge(f *findings, domain string) {
	switch d.P {
	case "none":
		f.add(SeverityWarning, "dmarc-p-none", "p=none only monitors: receivers deliver failing mail as usual. Read the aggregate reports until every legitimate source passes, then move to p=quarantine (with t=y while testing), then to p=reject")
	case "quarantine":
		f.add(SeverityInfo, "dmarc-p-quarantine", "p=quarantine: failing mail goes to spam; p=reject is the last step once reports stay clean")
	}
	if d.SP == "none" && d.P != "none" && d.P != "" {
		f.add(SeverityWarning, "dmarc-sp-none", "sp=none leaves subdomains of %s unprotected while p=%s", domain, d.P)
	}
	if len(d.RUA) == 0 {
		f.add(SeverityWarning, "dmarc-no-rua", "no rua= address: no aggregate reports, so no way to see who sends as %s", domain)
	}
}

// checkDestination checks that a report address outside the domain has
// agreed to take its reports (RFC 7489 §7.1): the destination publishes
// "<domain>._report._dmarc.<destination domain>" TXT "v=DMARC1". An
// address in the domain that published the record (policyDomain) needs
// no such consent.
func checkDestination(ctx context.Context, r auth.Resolver, f *findings, domain, policyDomain, uri string) {
	addr := uri[len("mailto:"):]
	if i := strings.LastIndexByte(addr, '!'); i >= 0 {
		addr = addr[:i] // size limit suffix: mailto:x@y!10m
	}
	if u, err := url.PathUnescape(addr); err == nil {
		addr = u
	}
	at := strings.LastIndexByte(addr, '@')
	dest := strings.ToLower(strings.TrimSuffix(addr[at+1:], "."))
	if dest == "" {
		f.add(SeverityError, "dmarc-syntax", "%q has no domain", uri)
		return
	}
	if dest == policyDomain || (orgDomain(dest) != "" && orgDomain(dest) == orgDomain(policyDomain)) {
		return
	}
	name := domain + "._report._dmarc." + dest
	records, err := dmarcRecords(ctx, r, name)
	switch {
	case err != nil:
		f.add(SeverityWarning, "dmarc-dest-unknown", "could not check that %s accepts reports for %s (%v)", dest, domain, err)
	case len(records) == 0:
		f.add(SeverityWarning, "dmarc-dest-unauthorised", "reports to %s go to another domain that does not authorise them: receivers drop them unless %s publishes TXT \"v=DMARC1\" at %s (RFC 7489 §7.1)", addr, dest, name)
	}
}
