package auth

import (
	"fmt"
	"strings"

	"mxaudit/model"
)

// Verdict sums up a message's authentication in one word and the sentences
// that explain it, most important first. It passes when DMARC passes; it
// fails when DMARC fails or a permanent error prevents a pass (a broken
// From, an invalid record); it is temperror when a DNS failure left DMARC
// undecided (RFC 9989 §5.3.6: neither pass nor fail). Without a DMARC policy it passes when SPF or DKIM passed
// aligned with the From domain, and is none otherwise; the reasons then
// say what passed.
func Verdict(a *model.Auth) (model.AuthVerdict, []string) {
	if a == nil {
		return model.AuthNone, []string{"Sender authentication was not checked."}
	}
	var v model.AuthVerdict
	var reasons []string
	d := a.DMARC
	switch d.Result {
	case model.ResultPass:
		v = model.AuthPass
	case model.ResultFail:
		v = model.AuthFail
		if d.Disposition == model.DispositionReject || d.Disposition == model.DispositionQuarantine {
			reasons = append(reasons, fmt.Sprintf("The owner of %s asks receivers to %s mail like this.", d.FromDomain, d.Disposition))
		}
	case model.ResultTempError:
		v = model.AuthTempError
		reasons = append(reasons, "A DNS failure prevented a decision; scan again later.")
	case model.ResultPermError:
		v = model.AuthFail
	default:
		// No DMARC policy: an aligned SPF or DKIM pass still proves the
		// From domain authorised this mail, which is all the verdict
		// claims; only when nothing aligned passed is it "none".
		v = model.AuthNone
		if alignedPass(a) {
			v = model.AuthPass
		}
	}
	if d.Reason != "" {
		reasons = append(reasons, sentence(d.Reason))
	}
	if d.Result != model.ResultPass && d.Result != model.ResultFail && d.Result != model.ResultTempError && d.Result != model.ResultPermError {
		reasons = append(reasons, passSummary(a))
	}
	if len(a.IgnoredHeaders) > 0 {
		reasons = append(reasons, fmt.Sprintf("Ignored Authentication-Results from untrusted hosts: %s.", strings.Join(a.IgnoredHeaders, ", ")))
	}
	return v, reasons
}

// alignedPass reports whether SPF or any DKIM signature passed aligned
// with the From domain.
func alignedPass(a *model.Auth) bool {
	if a.SPF.Result == model.ResultPass && a.SPF.Aligned {
		return true
	}
	for _, k := range a.DKIM {
		if k.Result == model.ResultPass && k.Aligned {
			return true
		}
	}
	return false
}

// passSummary says, when there is no DMARC policy, what passed anyway.
func passSummary(a *model.Auth) string {
	var passed []string
	for _, k := range a.DKIM {
		if k.Result == model.ResultPass {
			s := "DKIM d=" + k.Domain
			if k.Aligned {
				s += " (aligned)"
			}
			passed = append(passed, s)
		}
	}
	if a.SPF.Result == model.ResultPass {
		s := "SPF for " + a.SPF.Domain
		if a.SPF.Aligned {
			s += " (aligned)"
		}
		passed = append(passed, s)
	}
	if len(passed) == 0 {
		return "No DMARC policy and nothing passed: nothing vouches for the From domain."
	}
	return "No DMARC policy, but these passed: " + strings.Join(passed, ", ") + "."
}

// sentence capitalises the first letter and ends s with a full stop.
func sentence(s string) string {
	s = strings.TrimSpace(s)
	if s == "" {
		return s
	}
	lower := s[0] >= 'a' && s[0] <= 'z'
	stop := !strings.HasSuffix(s, ".")
	if !lower && !stop {
		return s
	}
	// One copy for both changes: every message's verdict is a sentence.
	var b strings.Builder
	b.Grow(len(s) + 1)
	if lower {
		b.WriteByte(s[0] - 'a' + 'A')
		s = s[1:]
	}
	b.WriteString(s)
	if stop {
		b.WriteByte('.')
	}
	return b.String()
}
