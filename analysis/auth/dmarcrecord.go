package auth

import (
	"net/url"
	"strconv"
	"strings"

	"mxaudit/model"
)

// dmarcRecord is a DMARC policy record parsed by the rules of RFC 9989
// §4.7 (tags) and §4.8 (formal definition): unknown tags are ignored,
// syntax errors in a tag fall back to its default, and the tags RFC 9989
// removed (pct, rf, ri) are kept only to be reported as obsolete.
type dmarcRecord struct {
	raw     string // as published
	policy  model.Disposition
	sub     model.Disposition // sp=, "" when absent
	np      model.Disposition // np=, "" when absent
	psd     string            // "y", "n" or "u" (the default)
	testing bool              // t=y
	adkim   model.Alignment
	aspf    model.Alignment
	pct     int // the obsolete pct=, 100 when absent or invalid
	rua     []string
	// policyFromRUA is set when the record had no valid p= (or an
	// invalid sp=/np=) but a valid rua=, so it acts as p=none (§4.10.1).
	policyFromRUA bool
	obsolete      []string // "pct=50", "rf=afrf", "ri=3600"
	unknown       []string // tag names
	// invalid says why the record cannot be applied at all: no valid
	// p= and no valid rua= (§4.10.1: no DMARC processing).
	invalid string
}

// isDMARCRecord reports whether txt starts with the v=DMARC1 tag, which
// RFC 9989 §4.7 requires first, its value case-sensitive.
func isDMARCRecord(txt string) bool {
	first, _, _ := strings.Cut(txt, ";")
	k, v, ok := strings.Cut(first, "=")
	return ok && strings.EqualFold(strings.TrimSpace(k), "v") && strings.TrimSpace(v) == "DMARC1"
}

// parseDMARCRecord parses a record for which isDMARCRecord holds. Tag
// names and keyword values are compared without case.
func parseDMARCRecord(txt string) dmarcRecord {
	r := dmarcRecord{raw: txt, psd: "u", adkim: model.AlignRelaxed, aspf: model.AlignRelaxed, pct: 100}
	var badP, badSub bool
	haveP := false
	for i, part := range strings.Split(txt, ";") {
		k, v, ok := strings.Cut(part, "=")
		k = strings.ToLower(strings.TrimSpace(k))
		v = strings.TrimSpace(v)
		if i == 0 || (!ok && k == "") {
			continue // v=DMARC1, or the empty tail after a final ";"
		}
		lv := strings.ToLower(v)
		switch k {
		case "p":
			haveP = true
			r.policy, badP = request(lv)
		case "sp":
			var bad bool
			r.sub, bad = request(lv)
			badSub = badSub || bad
		case "np":
			var bad bool
			r.np, bad = request(lv)
			badSub = badSub || bad
		case "psd":
			if lv == "y" || lv == "n" || lv == "u" {
				r.psd = lv
			}
		case "t":
			r.testing = lv == "y"
		case "adkim":
			if lv == "s" {
				r.adkim = model.AlignStrict
			}
		case "aspf":
			if lv == "s" {
				r.aspf = model.AlignStrict
			}
		case "rua":
			r.rua = reportURIs(v)
		case "ruf", "fo":
			// Failure reporting: nothing for a quarantine audit to apply.
		case "pct":
			if n, err := strconv.Atoi(v); err == nil && n >= 0 && n <= 100 {
				r.pct = n
			}
			r.obsolete = append(r.obsolete, "pct="+v)
		case "rf", "ri":
			r.obsolete = append(r.obsolete, k+"="+v)
		default:
			r.unknown = append(r.unknown, k)
		}
	}
	if !haveP || badP || badSub {
		// §4.10.1: a record without a valid p=, or with an invalid sp=
		// or np=, acts as p=none when it has a valid rua=; otherwise no
		// DMARC processing applies.
		if len(r.rua) > 0 {
			r.policy, r.sub, r.np, r.policyFromRUA = model.DispositionNone, "", "", true
		} else {
			r.invalid = invalidReason(haveP, badP)
		}
	}
	return r
}

// invalidReason says what is wrong with a record that cannot be applied.
func invalidReason(haveP, badP bool) string {
	switch {
	case !haveP:
		return "it has no p= tag and no valid rua="
	case badP:
		return "its p= is not none, quarantine or reject, and it has no valid rua="
	}
	return "its sp= or np= is not none, quarantine or reject, and it has no valid rua="
}

// request parses a dmarc-request value; bad is set for anything else.
func request(v string) (d model.Disposition, bad bool) {
	switch d := model.Disposition(v); d {
	case model.DispositionNone, model.DispositionQuarantine, model.DispositionReject:
		return d, false
	}
	return "", true
}

// reportURIs returns the syntactically valid URIs of a dmarc-urilist,
// without the obsolete "!size" suffix (§4.8).
func reportURIs(v string) []string {
	var out []string
	for _, u := range strings.Split(v, ",") {
		u = strings.TrimSpace(u)
		if i := strings.LastIndexByte(u, '!'); i > 0 {
			u = u[:i]
		}
		if p, err := url.Parse(u); err == nil && p.Scheme != "" && (p.Opaque != "" || p.Host != "") {
			out = append(out, u)
		}
	}
	return out
}

// lowerPolicy is the policy one level below p: what t=y asks for
// (RFC 9989 §4.7, "t"): reject becomes quarantine, quarantine none.
func lowerPolicy(p model.Disposition) model.Disposition {
	if p == model.DispositionReject {
		return model.DispositionQuarantine
	}
	return model.DispositionNone
}
