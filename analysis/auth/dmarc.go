package auth

import (
	"context"
	"errors"
	"fmt"
	"strings"

	"mxaudit/model"
)

// existence is what the DNS says about the From domain, for np=.
type existence int

const (
	existenceUnasked existence = iota // not needed: no np= in the record, or the record is the From domain's own
	exists                            // the name has records, or NODATA
	nonexistent                       // NXDOMAIN (RFC 9989 §3.2 "Non-existent Domains", RFC 8020)
	existenceUnknown                  // the query failed temporarily, or the resolver cannot tell NXDOMAIN from NODATA
)

// dmarcPolicy is the outcome of DMARC policy discovery (RFC 9989 §4.10.1).
type dmarcPolicy struct {
	walk TreeWalk
	rec  *dmarcRecord // nil when none applies
	at   string       // the domain whose _dmarc record applies
	// status is "" when a record applies, else none, temperror or
	// permerror, with reason saying why.
	status model.Result
	reason string
	exists existence
}

// discoverDMARC finds the policy of the From domain by the DNS Tree Walk
// (RFC 9989 §4.10.1), and whether From exists when np= could apply.
func discoverDMARC(ctx context.Context, res Resolver, walks *walkCache, from string) dmarcPolicy {
	w := walks.walk(ctx, res, from)
	p := dmarcPolicy{walk: w}
	f, ok, certain := w.policyRecord()
	switch {
	case !certain:
		p.status = model.ResultTempError
		p.reason = fmt.Sprintf("DMARC policy discovery for %s failed: %s did not answer (a DNS failure); try again later",
			from, w.Lookups[len(w.Lookups)-1].Name)
		return p
	case !ok:
		p.status = model.ResultNone
		p.reason = noRecordReason(w)
		return p
	case f.rec.invalid != "":
		p.status = model.ResultPermError
		p.at = f.domain
		p.reason = fmt.Sprintf("the DMARC record at _dmarc.%s is invalid: %s (RFC 9989 §4.10.1)", f.domain, f.rec.invalid)
		return p
	}
	p.rec, p.at = &f.rec, f.domain
	if f.domain != from && f.rec.np != "" {
		p.exists = domainExists(ctx, res, from)
	}
	return p
}

// noRecordReason explains an empty walk: which names were asked, and
// which published several records (all discarded, RFC 9989 §4.10 step 2).
func noRecordReason(w TreeWalk) string {
	var names, multiple []string
	for _, l := range w.Lookups {
		names = append(names, l.Name)
		if l.Status == model.LookupMultiple {
			multiple = append(multiple, l.Name)
		}
	}
	s := "no DMARC record at " + strings.Join(names, ", ")
	if len(names) > 1 {
		s = "no DMARC record for " + w.Start + ": the tree walk asked " + strings.Join(names, ", ")
	}
	if len(multiple) > 0 {
		s += fmt.Sprintf("; %s publishes several DMARC records, which are all discarded (RFC 9989 §4.10)", strings.Join(multiple, ", "))
	}
	return s
}

// domainExists asks whether domain exists: NXDOMAIN says it does not,
// any other answer that it does (RFC 9989 §3.2 "Non-existent Domains" and Appendix A.4).
func domainExists(ctx context.Context, res Resolver, domain string) existence {
	_, err := res.LookupTXT(ctx, domain)
	switch {
	case err == nil:
		return exists
	case errors.Is(err, ErrNXDomain):
		return nonexistent
	case errors.Is(err, ErrNoData):
		return exists
	}
	// A temporary failure, or a resolver that cannot tell NXDOMAIN from
	// NODATA (Go's own).
	return existenceUnknown
}

// orgFunc returns the organizational domain of a domain and whether it is
// certain (false when a DNS failure cut its tree walk short).
type orgFunc func(domain string) (org string, certain bool)

// pslOrg is the organizational domain of RFC 7489 §3.2 by the public
// suffix list, for results taken from headers, where no walk is made.
func pslOrg(domain string) (string, bool) { return organizationalDomain(domain), true }

// evaluateDMARC applies the discovered policy to the SPF and DKIM results
// (RFC 9989 §4.4): DMARC passes when at least one of them passes with an
// aligned domain. It sets the Aligned flags of spfRes and dkims.
func evaluateDMARC(from string, fromErr error, pol dmarcPolicy, orgOf orgFunc, spfRes *model.SPFResult, dkims []model.DKIMResult) model.DMARCResult {
	d := model.DMARCResult{Source: model.SourceLive}
	if fromErr != nil {
		d.Result = model.ResultPermError
		d.Reason = fromErr.Error() + "; DMARC cannot be evaluated"
		return d
	}
	d.FromDomain = from
	d.OrgDomain, _ = orgOf(from)
	d.ADKIM, d.ASPF = model.AlignRelaxed, model.AlignRelaxed
	if pol.walk.Start != "" {
		d.Discovery, d.Records = DiscoveryTreeWalk, pol.walk.Lookups
	}
	if rec := pol.rec; rec != nil {
		d.Policy, d.SubdomainPolicy, d.NonexistentPolicy = rec.policy, rec.sub, rec.np
		d.Testing, d.Pct = rec.testing, rec.pct
		if rec.psd != "u" {
			d.PSD = rec.psd // "u" is the default: not worth a field
		}
		d.ADKIM, d.ASPF = rec.adkim, rec.aspf
		d.ObsoleteTags, d.UnknownTags = rec.obsolete, rec.unknown
		d.Record, d.PolicyDomain = rec.raw, pol.at
	}
	undecided := markAlignment(&d, orgOf, spfRes, dkims)
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
	if undecided != "" {
		d.Result = model.ResultTempError
		d.Reason = joinSentence("DMARC undecided for "+from+": whether "+undecided+
			" is aligned is unknown, its organizational domain's tree walk failed (a DNS failure)", summary)
		return d
	}
	if what := alignedTempError(spfRes, dkims); what != "" {
		// The missing pass might have been one had DNS answered.
		d.Result = model.ResultTempError
		d.Reason = joinSentence("DMARC undecided for "+from+": "+what+" failed temporarily", summary)
		return d
	}
	d.Result = model.ResultFail
	effective, note := effectivePolicy(d, pol)
	d.Disposition = effective
	d.Reason = joinSentence("DMARC fails for "+from, summary, note, recordNotes(pol.rec))
	return d
}

// effectivePolicy returns the disposition a failing message gets and a
// note on how it was chosen (RFC 9989 §4.10.1): p= for the policy domain
// itself; for a subdomain np= when it does not exist, else sp=, else p=;
// then t=y lowers it one level (§4.7).
func effectivePolicy(d model.DMARCResult, pol dmarcPolicy) (model.Disposition, string) {
	rec := pol.rec
	policy := rec.policy
	note := "policy p=" + string(rec.policy)
	if pol.at != d.FromDomain {
		switch {
		case pol.exists == nonexistent:
			policy = rec.np
			note = fmt.Sprintf("policy np=%s of %s applies: %s does not exist (NXDOMAIN)", rec.np, pol.at, d.FromDomain)
		case rec.sub != "":
			policy = rec.sub
			note = fmt.Sprintf("policy sp=%s of %s applies to the subdomain %s", rec.sub, pol.at, d.FromDomain)
		default:
			note = fmt.Sprintf("policy p=%s of %s", rec.policy, pol.at)
		}
		if pol.exists == existenceUnknown && rec.np != "" && severity(rec.np) > severity(policy) {
			// Not knowing whether the domain exists must not let out what
			// knowing it does not exist would hold: the stricter applies.
			note += fmt.Sprintf("; whether %s exists is unknown, so the stricter np=%s applies", d.FromDomain, rec.np)
			policy = rec.np
		} else if pol.exists == existenceUnknown {
			note += fmt.Sprintf(" (whether %s exists is unknown; np=%s is not stricter)", d.FromDomain, rec.np)
		}
	}
	if rec.policyFromRUA {
		note += "; the record has no valid policy but a valid rua=, so it acts as p=none (RFC 9989 §4.10.1)"
	}
	if rec.testing && policy != model.DispositionNone {
		lowered := lowerPolicy(policy)
		note += fmt.Sprintf("; t=y: %s is testing its policy, so %s is applied one level lower, as %s", pol.at, policy, lowered)
		policy = lowered
	}
	return policy, note
}

// severity orders dispositions: none < quarantine < reject.
func severity(p model.Disposition) int {
	switch p {
	case model.DispositionReject:
		return 2
	case model.DispositionQuarantine:
		return 1
	}
	return 0
}

// recordNotes reports what RFC 9989 removed or does not know.
func recordNotes(rec *dmarcRecord) string {
	if rec == nil {
		return ""
	}
	var notes []string
	if len(rec.obsolete) > 0 {
		notes = append(notes, fmt.Sprintf("%s obsolete (removed by RFC 9989) and ignored: no sampling, every failing message gets the disposition",
			strings.Join(rec.obsolete, ", ")+pluralIs(len(rec.obsolete))))
	}
	if len(rec.unknown) > 0 {
		notes = append(notes, "unknown tags ignored: "+strings.Join(rec.unknown, ", "))
	}
	return joinSentence(notes...)
}

func pluralIs(n int) string {
	if n == 1 {
		return " is"
	}
	return " are"
}

// markAlignment sets the Aligned flag of the SPF and DKIM results that
// passed or failed temporarily (RFC 9989 §4.10.2 walks only for those):
// whether their domain is aligned with From under the policy's modes.
// Other results count as aligned only when their domain is From's. It
// returns the name of a passing identifier whose alignment a DNS failure
// left unknown, "" when there is none.
func markAlignment(d *model.DMARCResult, orgOf orgFunc, spfRes *model.SPFResult, dkims []model.DKIMResult) string {
	var undecided string
	mark := func(domain string, r model.Result, mode model.Alignment, name string) bool {
		if r != model.ResultPass && r != model.ResultTempError {
			return domain != "" && domain == d.FromDomain
		}
		ok, certain := aligned(domain, d.FromDomain, mode, orgOf)
		if !certain && r == model.ResultPass && undecided == "" {
			undecided = name
		}
		return ok
	}
	if spfRes != nil {
		spfRes.Aligned = mark(spfRes.Domain, spfRes.Result, d.ASPF, "SPF for "+spfRes.Domain)
	}
	for i := range dkims {
		dkims[i].Aligned = mark(dkims[i].Domain, dkims[i].Result, d.ADKIM, "DKIM d="+dkims[i].Domain)
	}
	return undecided
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
