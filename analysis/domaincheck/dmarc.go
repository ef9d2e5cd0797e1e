package domaincheck

import (
	"context"
	"fmt"
	"net/url"
	"strconv"
	"strings"

	"golang.org/x/net/publicsuffix"

	"mxaudit/analysis/auth"
)

// DMARCReport is the audit of a domain's DMARC record.
type DMARCReport struct {
	// Record is the DMARC record that applies, "" when none does.
	Record string `json:"record"`
	// From is the name the record was found at: _dmarc.<domain>, or
	// _dmarc.<organisational domain> when the domain inherits it.
	From string `json:"from,omitempty"`
	// Tags holds the record's tags as published (lower-cased names).
	Tags     map[string]string `json:"tags,omitempty"`
	P        string            `json:"p"`
	SP       string            `json:"sp"`
	Pct      int               `json:"pct"`
	ADKIM    string            `json:"adkim"`
	ASPF     string            `json:"aspf"`
	RUA      []string          `json:"rua"`
	RUF      []string          `json:"ruf"`
	FO       string            `json:"fo"`
	Findings []Finding         `json:"findings"`
}

// dmarcTags are the tags RFC 7489 §6.3 and DMARCbis define.
var dmarcTags = map[string]bool{
	"v": true, "p": true, "sp": true, "pct": true, "adkim": true, "aspf": true,
	"rua": true, "ruf": true, "fo": true, "rf": true, "ri": true,
	"np": true, "t": true, "psd": true, // DMARCbis
}

// CheckDMARC audits the DMARC record that applies to domain. err is set
// only when the lookup failed (not when there is no record).
func CheckDMARC(ctx context.Context, r auth.Resolver, domain string) (DMARCReport, error) {
	var rep DMARCReport
	var f findings
	name := "_dmarc." + domain
	records, err := dmarcRecords(ctx, r, name)
	if err != nil {
		return rep, fmt.Errorf("DMARC record of %s: %w", domain, err)
	}
	org := orgDomain(domain)
	if len(records) == 0 && org != "" && !strings.EqualFold(org, domain) {
		name = "_dmarc." + org
		if records, err = dmarcRecords(ctx, r, name); err != nil {
			return rep, fmt.Errorf("DMARC record of %s: %w", org, err)
		}
		if len(records) > 0 {
			f.add(SeverityInfo, "dmarc-inherited", "%s has no DMARC record of its own; the organisational domain %s's applies, with its sp= policy", domain, org)
		}
	}
	switch len(records) {
	case 0:
		f.add(SeverityError, "dmarc-none", "%s publishes no DMARC record: anyone can send as it and receivers report nothing. Start with \"v=DMARC1; p=none; rua=mailto:…\"", domain)
		rep.Findings = f.list()
		return rep, nil
	case 1:
	default:
		f.add(SeverityError, "dmarc-multiple", "%s has %d DMARC records; receivers ignore them all (RFC 7489 §6.6.3)", name, len(records))
	}
	rep.Record, rep.From = records[0], name
	rep.parse(&f)
	rep.judge(&f, domain)
	for _, dest := range append(append([]string(nil), rep.RUA...), rep.RUF...) {
		checkDestination(ctx, r, &f, domain, dest)
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
	d.P, d.SP = policy("p"), policy("sp")
	if _, ok := d.Tags["p"]; !ok {
		f.add(SeverityError, "dmarc-syntax", "the record has no p= tag; receivers treat it as p=none at best (RFC 7489 §6.6.3)")
	}
	if d.SP == "" {
		d.SP = d.P
	}
	if v, ok := d.Tags["pct"]; ok {
		n, err := strconv.Atoi(v)
		if err != nil || n < 0 || n > 100 {
			f.add(SeverityError, "dmarc-syntax", "pct=%s is not a number from 0 to 100", v)
		} else {
			d.Pct = n
		}
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
		f.add(SeverityWarning, "dmarc-p-none", "p=none only monitors: receivers deliver failing mail as usual. Read the aggregate reports until every legitimate source passes, then move to p=quarantine (raising pct= step by step), then to p=reject")
	case "quarantine":
		f.add(SeverityInfo, "dmarc-p-quarantine", "p=quarantine: failing mail goes to spam; p=reject is the last step once reports stay clean")
	}
	if d.Pct < 100 && d.P != "none" {
		f.add(SeverityWarning, "dmarc-pct", "pct=%d: the policy applies to %d%% of failing mail only; the rest is treated one step more leniently", d.Pct, d.Pct)
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
// "<domain>._report._dmarc.<destination domain>" TXT "v=DMARC1".
func checkDestination(ctx context.Context, r auth.Resolver, f *findings, domain, uri string) {
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
	if orgDomain(dest) != "" && orgDomain(dest) == orgDomain(domain) {
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
