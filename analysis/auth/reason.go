package auth

import (
	"fmt"
	"strings"

	"mxaudit/model"
)

// describeAuth says in one clause per result what SPF and DKIM gave and
// whether each is aligned with the From domain, for instance
// "DKIM d=mailer.example.net passes but is not aligned with example.com
// (relaxed); SPF passes for bounce.mailer.example.net, not aligned".
func describeAuth(d *model.DMARCResult, spfRes *model.SPFResult, dkims []model.DKIMResult) string {
	var parts []string
	for _, k := range dkims {
		parts = append(parts, describeDKIM(d, k))
	}
	if len(dkims) == 0 {
		parts = append(parts, "no DKIM signature")
	}
	if spfRes != nil {
		parts = append(parts, describeSPF(d, *spfRes))
	}
	return strings.Join(parts, "; ")
}

func describeDKIM(d *model.DMARCResult, k model.DKIMResult) string {
	name := "DKIM d=" + orUnknown(k.Domain)
	if k.Result != model.ResultPass {
		s := fmt.Sprintf("%s %s", name, resultVerb(k.Result))
		if k.Reason != "" {
			s += ": " + k.Reason
		}
		return s
	}
	if d.FromDomain == "" {
		return name + " passes"
	}
	if k.Aligned {
		return fmt.Sprintf("%s passes and is aligned with %s (%s)", name, d.FromDomain, modeName(d.ADKIM))
	}
	return fmt.Sprintf("%s passes but is not aligned with %s (%s)", name, d.FromDomain, modeName(d.ADKIM))
}

func describeSPF(d *model.DMARCResult, s model.SPFResult) string {
	if s.Result == "" {
		return "SPF not checked: " + s.Reason
	}
	if s.Result != model.ResultPass {
		out := fmt.Sprintf("SPF %s for %s", resultVerb(s.Result), orUnknown(s.Domain))
		// The other results speak for themselves; errors need their cause.
		if s.Reason != "" && s.Source == model.SourceLive &&
			(s.Result == model.ResultPermError || s.Result == model.ResultTempError) {
			out += ": " + s.Reason
		}
		return out
	}
	out := "SPF passes for " + orUnknown(s.Domain)
	if d.FromDomain == "" {
		return out
	}
	if s.Aligned {
		return fmt.Sprintf("%s, aligned (%s)", out, modeName(d.ASPF))
	}
	return fmt.Sprintf("%s, not aligned with %s (%s)", out, d.FromDomain, modeName(d.ASPF))
}

// resultVerb turns a result into words that read in a sentence.
func resultVerb(r model.Result) string {
	switch r {
	case model.ResultPass:
		return "passes"
	case model.ResultFail:
		return "fails"
	case model.ResultNone, "":
		return "gives none"
	}
	return "gives " + string(r)
}

func orUnknown(s string) string {
	if s == "" {
		return "(unknown)"
	}
	return s
}

// joinSentence joins the non-empty clauses with "; ".
func joinSentence(clauses ...string) string {
	var kept []string
	for _, c := range clauses {
		if c = strings.TrimSpace(c); c != "" {
			kept = append(kept, c)
		}
	}
	return strings.Join(kept, "; ")
}
