package auth

import (
	"context"
	"errors"
	"fmt"
	"net"

	"blitiri.com.ar/go/spf"

	"mxaudit/model"
)

// spfInput is what the SPF check needs from the message.
type spfInput struct {
	hop         receivedHop
	haveHop     bool
	sender      string // envelope sender; "" for the null sender
	haveSender  bool   // a Return-Path was present
	trustedAR   []arHeader
	receivedSPF receivedSPF
	haveRSPF    bool
}

// checkSPFLive evaluates SPF for the boundary hop's client through the
// resolver. ok is false when the client address or the envelope sender is
// unknown, and the caller falls back to trusted headers.
func checkSPFLive(ctx context.Context, res Resolver, in spfInput) (model.SPFResult, bool) {
	if !in.haveHop || in.hop.ip == nil || !in.haveSender {
		return model.SPFResult{}, false
	}
	out := model.SPFResult{IP: in.hop.ip.String(), Helo: in.hop.helo, Source: model.SourceLive}
	sender := in.sender
	if sender == "" {
		// The null sender (bounces): RFC 7208 §2.4 checks the HELO
		// identity as "postmaster@HELO".
		if in.hop.helo == "" {
			out.Result = model.ResultNone
			out.Reason = "null envelope sender and no HELO name recorded: nothing to check"
			return out, true
		}
		sender = "postmaster@" + in.hop.helo
	}
	out.Domain = domainOf(sender)
	if out.Domain == "" {
		out.Result = model.ResultNone
		out.Reason = fmt.Sprintf("envelope sender %q has no valid domain", sender)
		return out, true
	}
	result, err := spf.CheckHostWithSender(in.hop.ip, in.hop.helo, sender,
		spf.WithResolver(res), spf.WithContext(ctx))
	out.Result = model.Result(result)
	out.Reason = spfReason(out, err)
	return out, true
}

// spfReason explains an SPF outcome in one sentence.
func spfReason(r model.SPFResult, err error) string {
	switch r.Result {
	case model.ResultPass:
		return fmt.Sprintf("%s is permitted to send for %s", r.IP, r.Domain)
	case model.ResultFail:
		return fmt.Sprintf("%s is not permitted to send for %s", r.IP, r.Domain)
	case model.ResultSoftFail:
		return fmt.Sprintf("%s is probably not permitted to send for %s (~all)", r.IP, r.Domain)
	case model.ResultNeutral:
		return fmt.Sprintf("%s makes no assertion about %s (?all)", r.Domain, r.IP)
	case model.ResultNone:
		return fmt.Sprintf("%s publishes no SPF record", r.Domain)
	}
	switch {
	case errors.Is(err, spf.ErrLookupLimitReached):
		return fmt.Sprintf("the SPF record of %s needs more than 10 DNS lookups (RFC 7208 §4.6.4)", r.Domain)
	case errors.Is(err, spf.ErrVoidLookupLimitReached):
		return fmt.Sprintf("the SPF record of %s has more than 2 lookups that return nothing (RFC 7208 §4.6.4)", r.Domain)
	case errors.Is(err, spf.ErrMultipleRecords):
		return fmt.Sprintf("%s publishes several SPF records", r.Domain)
	case errors.Is(err, spf.ErrNoResult):
		return fmt.Sprintf("the SPF record of %s includes a domain that has no SPF record", r.Domain)
	}
	var de *net.DNSError
	if errors.As(err, &de) {
		if r.Result == model.ResultTempError {
			return fmt.Sprintf("DNS lookup of %s failed (%s); try again later", de.Name, de.Err)
		}
		return fmt.Sprintf("DNS lookup of %s failed (%s)", de.Name, de.Err)
	}
	if err != nil {
		return fmt.Sprintf("the SPF record of %s is invalid (%v)", r.Domain, err)
	}
	return ""
}

// spfFromHeaders takes the SPF result from the top-most trusted
// Authentication-Results field that has one, else from a trusted
// Received-SPF field. ok is false when neither says anything.
func spfFromHeaders(in spfInput) (model.SPFResult, bool) {
	for _, h := range in.trustedAR {
		for _, r := range h.results {
			if r.method != "spf" {
				continue
			}
			out := model.SPFResult{
				Result: headerResult(r.value),
				Helo:   r.props["smtp.helo"],
				Source: model.SourceHeader,
			}
			if mf := r.props["smtp.mailfrom"]; mf != "" {
				out.Domain = domainOf(mf)
			} else {
				out.Domain = normalizeDomain(out.Helo)
			}
			if in.haveHop && in.hop.ip != nil {
				out.IP = in.hop.ip.String()
			}
			out.Reason = fmt.Sprintf("from Authentication-Results by %s", h.authservID)
			if r.comment != "" {
				out.Reason += " (" + r.comment + ")"
			}
			return out, true
		}
	}
	if in.haveRSPF {
		r := in.receivedSPF
		out := model.SPFResult{
			Result: headerResult(r.result),
			IP:     r.params["client-ip"],
			Helo:   r.params["helo"],
			Source: model.SourceHeader,
		}
		if ef := r.params["envelope-from"]; ef != "" {
			out.Domain = domainOf(ef)
		} else {
			out.Domain = normalizeDomain(out.Helo)
		}
		out.Reason = "from the gateway's Received-SPF"
		if r.comment != "" {
			out.Reason += " (" + r.comment + ")"
		}
		return out, true
	}
	return model.SPFResult{}, false
}

// headerResult maps a result word of a header onto model.Result. RFC 4408's
// "hardfail" is fail; a word no RFC defines is reported as neutral, which
// neither helps nor harms the verdict.
func headerResult(v string) model.Result {
	switch r := model.Result(v); r {
	case model.ResultNone, model.ResultPass, model.ResultFail, model.ResultSoftFail,
		model.ResultNeutral, model.ResultTempError, model.ResultPermError, model.ResultPolicy:
		return r
	case "hardfail":
		return model.ResultFail
	case "error":
		return model.ResultTempError
	}
	return model.ResultNeutral
}
