package demo

import (
	"strings"

	"github.com/emersion/go-msgauth/dmarc"
	"golang.org/x/net/publicsuffix"

	"mxaudit/model"
)

// orgDomain returns the organizational domain (RFC 7489 §3.2) of d.
func orgDomain(d string) string {
	org, err := publicsuffix.EffectiveTLDPlusOne(d)
	if err != nil {
		return d
	}
	return org
}

// aligned reports whether identifier id aligns with the From domain under
// mode (RFC 7489 §3.1).
func aligned(id, from string, mode model.Alignment) bool {
	id, from = strings.ToLower(id), strings.ToLower(from)
	if mode == model.AlignStrict {
		return id == from
	}
	return id != "" && orgDomain(id) == orgDomain(from)
}

// dmarcRecord finds the DMARC record for the From domain: at the domain
// itself, else at its organizational domain. fromOrg says which was used.
func dmarcRecord(from string) (rec *dmarc.Record, raw string, fromOrg bool) {
	try := func(d string) (*dmarc.Record, string) {
		p, ok := profileOf(d)
		if !ok || p.DMARC == "" {
			return nil, ""
		}
		r, err := dmarc.Parse(p.DMARC)
		if err != nil {
			panic("demo: bad DMARC record for " + d + ": " + err.Error())
		}
		return r, p.DMARC
	}
	if r, raw := try(from); r != nil {
		return r, raw, false
	}
	if org := orgDomain(from); org != from {
		if r, raw := try(org); r != nil {
			return r, raw, true
		}
	}
	return nil, "", false
}

// evalAuth completes a's DMARC fields from its SPF and DKIM results and
// the From domain, as a DMARC verifier must. fromCount is the number of
// From addresses: with none or several the result is a permanent error.
func evalAuth(a AuthExpect, from string, fromCount int) AuthExpect {
	a.OrgDomain = orgDomain(from)
	a.ADKIM, a.ASPF = model.AlignRelaxed, model.AlignRelaxed
	rec, _, atOrg := (*dmarc.Record)(nil), "", false
	if from != "" && fromCount == 1 {
		rec, _, atOrg = dmarcRecord(from)
	}
	if rec != nil {
		if rec.DKIMAlignment == dmarc.AlignmentStrict {
			a.ADKIM = model.AlignStrict
		}
		if rec.SPFAlignment == dmarc.AlignmentStrict {
			a.ASPF = model.AlignStrict
		}
		a.Policy = model.Disposition(rec.Policy)
		a.Subdomain = a.Policy
		if rec.SubdomainPolicy != "" {
			a.Subdomain = model.Disposition(rec.SubdomainPolicy)
		}
		a.Pct = 100
		if rec.Percent != nil {
			a.Pct = *rec.Percent
		}
	}
	pass := false
	a.SPFAligned = from != "" && aligned(a.SPFDomain, from, a.ASPF)
	if a.SPF == model.ResultPass && a.SPFAligned {
		pass = true
	}
	for i := range a.DKIM {
		a.DKIM[i].Aligned = from != "" && aligned(a.DKIM[i].Domain, from, a.ADKIM)
		if a.DKIM[i].Result == model.ResultPass && a.DKIM[i].Aligned {
			pass = true
		}
	}
	switch {
	case fromCount != 1 || from == "":
		// RFC 7489 §6.6.1: without exactly one author domain there is
		// nothing to evaluate; the message is in error
		a.DMARC, a.Verdict = model.ResultPermError, model.AuthFail
	case rec == nil:
		a.DMARC, a.Verdict = model.ResultNone, model.AuthNone
		if pass {
			a.Verdict = model.AuthPass
		}
	case pass:
		a.DMARC, a.Verdict = model.ResultPass, model.AuthPass
		a.Disposition = model.DispositionNone
	default:
		a.DMARC, a.Verdict = model.ResultFail, model.AuthFail
		// The policy itself; with pct<100 a receiver samples, which a
		// deterministic audit does not: it reports what the policy asks.
		a.Disposition = a.Policy
		if atOrg {
			a.Disposition = a.Subdomain
		}
	}
	return a
}
