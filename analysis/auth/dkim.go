package auth

import (
	"context"
	"errors"
	"fmt"
	"io"
	"strings"
	"time"

	"github.com/emersion/go-msgauth/dkim"

	"mxaudit/model"
)

// MaxSignatures is the number of DKIM-Signature fields verified per
// message; each costs a key lookup, so a message cannot make the scan
// query DNS without bound. Further signatures are reported unverified.
const MaxSignatures = 10

// signatureTags are the DKIM-Signature tags a report needs, read from the
// field itself because dkim.Verification does not carry s= or a=.
type signatureTags struct {
	domain, selector, algorithm string
}

// parseSignatureTags reads d=, s= and a= of a DKIM-Signature value.
func parseSignatureTags(v string) signatureTags {
	var t signatureTags
	for _, part := range strings.Split(v, ";") {
		k, val, ok := strings.Cut(part, "=")
		if !ok {
			continue
		}
		val = strings.Join(strings.Fields(val), "")
		switch strings.TrimSpace(k) {
		case "d":
			t.domain = strings.ToLower(strings.TrimSuffix(val, "."))
		case "s":
			t.selector = strings.ToLower(val)
		case "a":
			t.algorithm = strings.ToLower(val)
		}
	}
	return t
}

// verifyDKIM verifies every DKIM-Signature of the message read from msg
// (header and body), with key lookups through res. It does not necessarily
// read msg to its end.
func verifyDKIM(ctx context.Context, res Resolver, msg io.Reader, sigs []signatureTags, now time.Time) ([]model.DKIMResult, error) {
	opts := &dkim.VerifyOptions{
		LookupTXT:        func(name string) ([]string, error) { return res.LookupTXT(ctx, name) },
		MaxVerifications: MaxSignatures,
	}
	verifs, err := dkim.VerifyWithOptions(msg, opts)
	if err != nil && !errors.Is(err, dkim.ErrTooManySignatures) {
		return nil, err
	}
	out := make([]model.DKIMResult, len(sigs))
	for i, tags := range sigs {
		r := model.DKIMResult{Domain: tags.domain, Selector: tags.selector, Algorithm: tags.algorithm, Source: model.SourceLive}
		if i >= len(verifs) {
			r.Result = model.ResultNeutral
			r.Reason = fmt.Sprintf("not verified: only the first %d signatures are checked", MaxSignatures)
			out[i] = r
			continue
		}
		v := verifs[i]
		if v.Domain != "" {
			r.Domain = strings.ToLower(v.Domain)
		}
		r.Result, r.Reason = dkimOutcome(v, tags)
		if r.Result == model.ResultPass && !v.Expiration.IsZero() && now.After(v.Expiration) {
			// The library checks x= against the real clock only; the
			// checker's clock may be later.
			r.Result = model.ResultPermError
			r.Reason = "signature expired " + v.Expiration.UTC().Format(time.DateOnly)
		}
		out[i] = r
	}
	return out, nil
}

// dkimOutcome turns the library's verdict on one signature into a result
// and a reason an operator understands.
func dkimOutcome(v *dkim.Verification, tags signatureTags) (model.Result, string) {
	if v.Err == nil {
		return model.ResultPass, ""
	}
	keyName := tags.selector + "._domainkey." + tags.domain
	msg := strings.TrimPrefix(v.Err.Error(), "dkim: ")
	switch {
	case dkim.IsTempFail(v.Err):
		return model.ResultTempError, fmt.Sprintf("key lookup at %s failed (%s); try again later", keyName, dnsErrText(msg))
	case msg == "body hash did not verify":
		return model.ResultFail, "body hash does not match (message modified in transit)"
	case strings.HasPrefix(msg, "signature did not verify"):
		return model.ResultFail, "signature verification failed (a signed header was modified, or the key does not match)"
	case strings.HasPrefix(msg, "message contains an insecure body length tag"):
		return model.ResultFail, "the signature covers only part of the body (l= tag); not accepted"
	case !dkim.IsPermFail(v.Err):
		return model.ResultFail, msg
	}
	// Permanent failures: the key, or the signature's own syntax.
	switch {
	case strings.HasPrefix(msg, "no key for signature"), msg == "no valid key found":
		return model.ResultPermError, "no key at " + keyName
	case msg == "key revoked":
		return model.ResultPermError, "key revoked (empty p=) at " + keyName
	case msg == "signature has expired":
		return model.ResultPermError, "signature expired " + v.Expiration.UTC().Format(time.DateOnly)
	case msg == "multiple TXT records found for key":
		return model.ResultPermError, "several key records at " + keyName
	case strings.HasPrefix(msg, "key syntax error"), strings.HasPrefix(msg, "key record error"),
		msg == "incompatible public key version", msg == "unsupported key algorithm",
		strings.HasPrefix(msg, "invalid Ed25519 public key size"):
		return model.ResultPermError, fmt.Sprintf("key record at %s is unusable (%s)", keyName, msg)
	case strings.HasPrefix(msg, "key is too short"):
		return model.ResultPermError, "key shorter than 1024 bits (RFC 8301)"
	case strings.HasPrefix(msg, "hash algorithm too weak"):
		return model.ResultPermError, "rsa-sha1 signatures are no longer accepted (RFC 8301)"
	case msg == "inappropriate service":
		return model.ResultPermError, "the key at " + keyName + " is not for email (s= tag)"
	case msg == "inappropriate key algorithm", msg == "inappropriate hash algorithm":
		return model.ResultPermError, fmt.Sprintf("the key at %s does not allow %s", keyName, tags.algorithm)
	case msg == "From field not signed":
		return model.ResultPermError, "the From header is not signed"
	case msg == "domain mismatch":
		return model.ResultPermError, "the signing identity i= is outside d=" + tags.domain
	}
	// The signature's own tags are broken: RFC 8601 §2.7.1 neutral.
	return model.ResultNeutral, "malformed signature: " + msg
}

// dnsErrText keeps the useful end of a wrapped DNS error message.
func dnsErrText(msg string) string {
	if i := strings.LastIndex(msg, ": "); i >= 0 {
		return msg[i+2:]
	}
	return msg
}

// dkimFromHeaders returns the dkim= results of the top-most trusted
// Authentication-Results field that has any.
func dkimFromHeaders(trusted []arHeader) []model.DKIMResult {
	for _, h := range trusted {
		var out []model.DKIMResult
		for _, r := range h.results {
			if r.method != "dkim" {
				continue
			}
			d := model.DKIMResult{
				Result:    headerResult(r.value),
				Domain:    normalizeDomain(r.props["header.d"]),
				Selector:  strings.ToLower(r.props["header.s"]),
				Algorithm: strings.ToLower(r.props["header.a"]),
				Source:    model.SourceHeader,
			}
			if d.Domain == "" {
				d.Domain = domainOf(r.props["header.i"])
			}
			if d.Result != model.ResultPass {
				d.Reason = firstNonEmpty(r.props["reason"], r.comment, "as reported by "+h.authservID)
			}
			out = append(out, d)
		}
		if len(out) > 0 {
			return out
		}
	}
	return nil
}

func firstNonEmpty(s ...string) string {
	for _, v := range s {
		if v != "" {
			return v
		}
	}
	return ""
}
