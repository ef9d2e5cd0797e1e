package auth

import (
	"context"
	"errors"
	"fmt"
	"strconv"
	"strings"

	"github.com/emersion/go-msgauth/dmarc"

	"mxaudit/model"
)

// dmarcPolicy is the outcome of DMARC policy discovery (RFC 7489 §6.6.3).
type dmarcPolicy struct {
	record *dmarc.Record // nil when none was found or it was unusable
	raw    string        // the TXT record as published
	at     string        // the domain whose _dmarc record was used
	// status is "" when a record was found, else none, temperror or
	// permerror, with reason saying why.
	status model.Result
	reason string
}

// discoverDMARC looks up the policy of the From domain, falling back to its
// organizational domain when the From domain has no record.
func discoverDMARC(ctx context.Context, res Resolver, from string) dmarcPolicy {
	p := lookupDMARCAt(ctx, res, from)
	org := organizationalDomain(from)
	if p.status == model.ResultNone && p.raw == "" && org != from {
		op := lookupDMARCAt(ctx, res, org)
		if op.status == model.ResultNone && op.raw == "" {
			op.reason = fmt.Sprintf("no DMARC record at _dmarc.%s nor at _dmarc.%s", from, org)
		}
		return op
	}
	return p
}

// lookupDMARCAt fetches and parses _dmarc.<domain> with go-msgauth's dmarc
// package, through the resolver.
func lookupDMARCAt(ctx context.Context, res Resolver, domain string) dmarcPolicy {
	p := dmarcPolicy{at: domain}
	var published []string
	opts := &dmarc.LookupOptions{LookupTXT: func(name string) ([]string, error) {
		txts, err := res.LookupTXT(ctx, name)
		var normalized []string
		for _, t := range txts {
			n := normalizeDMARCRecord(t)
			normalized = append(normalized, n)
			if strings.HasPrefix(n, "v=DMARC1") {
				published = append(published, t)
			}
		}
		return normalized, err
	}}
	rec, err := dmarc.LookupWithOptions(domain, opts)
	name := "_dmarc." + domain
	switch {
	case len(published) > 1:
		// RFC 7489 §6.6.3 step 5: several records end policy discovery.
		p.status = model.ResultNone
		p.raw = strings.Join(published, " | ")
		p.reason = fmt.Sprintf("%s publishes %d DMARC records, so none applies (RFC 7489 §6.6.3)", name, len(published))
	case err == nil:
		p.record = rec
		if len(published) > 0 {
			p.raw = published[0]
		}
	case errors.Is(err, dmarc.ErrNoPolicy):
		p.status = model.ResultNone
		p.reason = "no DMARC record at " + name
	case dmarc.IsTempFail(err):
		p.status = model.ResultTempError
		p.reason = fmt.Sprintf("DMARC lookup of %s failed (%s); try again later", name, dnsErrText(err.Error()))
	case len(published) == 1:
		p.status = model.ResultPermError
		p.raw = published[0]
		p.reason = fmt.Sprintf("the DMARC record at %s is invalid (%s)", name, strings.TrimPrefix(err.Error(), "dmarc: "))
	default:
		// A lookup failure the library did not classify.
		p.status = model.ResultTempError
		p.reason = fmt.Sprintf("DMARC lookup of %s failed (%s)", name, strings.TrimPrefix(err.Error(), "dmarc: "))
	}
	return p
}

// normalizeDMARCRecord trims a DMARC record and lower-cases the tag names
// and the keyword values: RFC 7489's ABNF strings are case-insensitive
// ("p=REJECT" is valid) but go-msgauth compares them exactly. v=DMARC1 and
// the report URIs are left as published.
func normalizeDMARCRecord(txt string) string {
	parts := strings.Split(strings.TrimSpace(txt), ";")
	for i, part := range parts {
		k, v, ok := strings.Cut(part, "=")
		if !ok {
			continue
		}
		k = strings.ToLower(strings.TrimSpace(k))
		v = strings.TrimSpace(v)
		switch k {
		case "p", "sp", "adkim", "aspf", "fo", "rf":
			v = strings.ToLower(v)
		}
		parts[i] = k + "=" + v
	}
	return strings.Join(parts, ";")
}

// evaluateDMARC applies the discovered policy to the SPF and DKIM results
// (RFC 7489 §6.6.2): DMARC passes when at least one of them passes with an
// aligned domain. It sets the Aligned flags of spfRes and dkims.
func evaluateDMARC(from string, fromErr error, pol dmarcPolicy, spfRes *model.SPFResult, dkims []model.DKIMResult) model.DMARCResult {
	d := model.DMARCResult{Source: model.SourceLive}
	if fromErr != nil {
		d.Result = model.ResultPermError
		d.Reason = fromErr.Error() + "; DMARC cannot be evaluated"
		return d
	}
	d.FromDomain, d.OrgDomain = from, organizationalDomain(from)
	d.ADKIM, d.ASPF = model.AlignRelaxed, model.AlignRelaxed
	if rec := pol.record; rec != nil {
		d.Policy = model.Disposition(rec.Policy)
		d.SubdomainPolicy = model.Disposition(rec.SubdomainPolicy)
		d.Pct = 100
		if rec.Percent != nil {
			d.Pct = *rec.Percent
		}
		d.ADKIM = model.Alignment(rec.DKIMAlignment)
		d.ASPF = model.Alignment(rec.SPFAlignment)
	}
	d.Record = pol.raw
	markAlignment(&d, spfRes, dkims)
	summary := describeAuth(&d, spfRes, dkims)

	switch pol.status {
	case model.ResultNone, model.ResultTempError, model.ResultPermError:
		d.Result = pol.status
		d.Reason = joinSentence(pol.reason, summary)
		return d
	}
	if anyAlignedPass(spfRes, dkims) {
		d.Result = model.ResultPass
		d.Disposition = model.DispositionNone
		d.Reason = joinSentence("DMARC passes for "+from, summary)
		return d
	}
	if what := alignedTempError(spfRes, dkims); what != "" {
		// The missing pass might have been one had DNS answered.
		d.Result = model.ResultTempError
		d.Reason = joinSentence("DMARC undecided for "+from+": "+what+" failed temporarily", summary)
		return d
	}
	d.Result = model.ResultFail
	effective, note := effectivePolicy(d, pol.at)
	d.Disposition = effective
	d.Reason = joinSentence("DMARC fails for "+from, summary, note)
	return d
}

// effectivePolicy returns the disposition a failing message gets and a
// note on how sp= and pct= shaped it. sp= counts only when the record was
// found at the organizational domain and From is a subdomain of it. pct= is
// reported, not sampled: the same message always gets the same verdict.
func effectivePolicy(d model.DMARCResult, foundAt string) (model.Disposition, string) {
	policy := d.Policy
	note := "policy p=" + string(d.Policy)
	if foundAt != d.FromDomain && d.SubdomainPolicy != "" {
		policy = d.SubdomainPolicy
		note = fmt.Sprintf("policy sp=%s of %s applies to the subdomain %s", d.SubdomainPolicy, foundAt, d.FromDomain)
	} else if foundAt != d.FromDomain {
		note = fmt.Sprintf("policy p=%s of %s", d.Policy, foundAt)
	}
	if d.Pct < 100 && policy != model.DispositionNone {
		share := strconv.Itoa(d.Pct) + "%"
		if d.Pct == 50 {
			share = "half"
		}
		note += fmt.Sprintf("; pct=%d: %s of failing mail gets this disposition, the rest %s", d.Pct, share, lowerPolicy(policy))
	}
	return policy, note
}

// lowerPolicy is what mail left out by pct= gets (RFC 7489 §6.6.4).
func lowerPolicy(p model.Disposition) model.Disposition {
	if p == model.DispositionReject {
		return model.DispositionQuarantine
	}
	return model.DispositionNone
}

// markAlignment sets the Aligned flag of the SPF and DKIM results:
// whether their domain is aligned with From under the policy's modes,
// whatever their result.
func markAlignment(d *model.DMARCResult, spfRes *model.SPFResult, dkims []model.DKIMResult) {
	if spfRes != nil {
		spfRes.Aligned = aligned(spfRes.Domain, d.FromDomain, d.ASPF)
	}
	for i := range dkims {
		dkims[i].Aligned = aligned(dkims[i].Domain, d.FromDomain, d.ADKIM)
	}
}

// anyAlignedPass reports whether an aligned SPF or DKIM pass exists.
func anyAlignedPass(spfRes *model.SPFResult, dkims []model.DKIMResult) bool {
	if spfRes != nil && spfRes.Result == model.ResultPass && spfRes.Aligned {
		return true
	}
	for _, k := range dkims {
		if k.Result == model.ResultPass && k.Aligned {
			return true
		}
	}
	return false
}

// alignedTempError names an aligned SPF or DKIM check that ended in a
// temporary error, "" when there is none.
func alignedTempError(spfRes *model.SPFResult, dkims []model.DKIMResult) string {
	for _, k := range dkims {
		if k.Result == model.ResultTempError && k.Aligned {
			return "DKIM d=" + k.Domain
		}
	}
	if spfRes != nil && spfRes.Result == model.ResultTempError && spfRes.Aligned {
		return "SPF for " + spfRes.Domain
	}
	return ""
}

// dmarcFromHeaders takes the dmarc= result of the top-most trusted
// Authentication-Results field, with the policy from a comment such as
// Google's "(p=REJECT sp=REJECT dis=NONE)" when there is one.
func dmarcFromHeaders(trusted []arHeader, from string, fromErr error, spfRes *model.SPFResult, dkims []model.DKIMResult) (model.DMARCResult, bool) {
	for _, h := range trusted {
		for _, r := range h.results {
			if r.method != "dmarc" {
				continue
			}
			d := model.DMARCResult{Result: headerResult(r.value), Source: model.SourceHeader,
				ADKIM: model.AlignRelaxed, ASPF: model.AlignRelaxed}
			d.FromDomain = normalizeDomain(r.props["header.from"])
			if d.FromDomain == "" && fromErr == nil {
				d.FromDomain = from
			}
			if d.FromDomain != "" {
				d.OrgDomain = organizationalDomain(d.FromDomain)
			}
			tags := commentTags(r.comment)
			d.Policy = dispositionTag(tags["p"])
			d.SubdomainPolicy = dispositionTag(tags["sp"])
			if pct, err := strconv.Atoi(tags["pct"]); err == nil && pct >= 0 && pct <= 100 {
				d.Pct = pct
			}
			d.Disposition = dispositionTag(tags["dis"])
			if d.Disposition == "" && d.Result == model.ResultPass {
				d.Disposition = model.DispositionNone
			}
			markAlignment(&d, spfRes, dkims)
			lead := fmt.Sprintf("DMARC %s for %s, as reported by %s", d.Result, d.FromDomain, h.authservID)
			var note string
			if d.Policy != "" {
				note = "policy p=" + string(d.Policy)
				if d.Disposition != "" && d.Result != model.ResultPass {
					note += ", applied disposition " + string(d.Disposition)
				}
			}
			d.Reason = joinSentence(lead, describeAuth(&d, spfRes, dkims), note)
			return d, true
		}
	}
	return model.DMARCResult{}, false
}

// commentTags reads "k=v" words of a comment, lower-cased.
func commentTags(c string) map[string]string {
	out := map[string]string{}
	for _, f := range strings.FieldsFunc(strings.ToLower(c), func(r rune) bool { return r == ' ' || r == ';' || r == ',' }) {
		if k, v, ok := strings.Cut(f, "="); ok {
			out[k] = v
		}
	}
	return out
}

// dispositionTag returns v as a Disposition when it is one.
func dispositionTag(v string) model.Disposition {
	switch d := model.Disposition(v); d {
	case model.DispositionNone, model.DispositionQuarantine, model.DispositionReject:
		return d
	}
	return ""
}
