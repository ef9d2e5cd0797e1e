package auth

import (
	"fmt"
	"strconv"
	"strings"

	"mxaudit/model"
)

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
			markAlignment(&d, pslOrg, spfRes, dkims)
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
