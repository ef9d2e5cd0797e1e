package domaincheck

import (
	"context"
	"errors"
	"fmt"
	"strings"

	"mxaudit/analysis/auth"
)

// ErrUnavailable marks a check that could not run: DNS did not answer for
// the domain's own records.
var ErrUnavailable = errors.New("DNS unavailable")

// Check audits domain's SPF and DMARC records and the DKIM keys of the
// given selectors. It returns an error wrapping ErrUnavailable when the
// domain's own SPF or DMARC lookup failed for a reason other than the
// record not existing; findings about the records are in the report,
// never in err.
func Check(ctx context.Context, r auth.Resolver, domain string, selectors []string) (*Report, error) {
	domain = strings.ToLower(strings.TrimSuffix(strings.TrimSpace(domain), "."))
	if err := checkDomainSpec(domain); err != nil || hasMacro(domain) {
		return nil, fmt.Errorf("%q is not a domain name", clip(domain))
	}
	rep := &Report{Domain: domain, DKIM: []DKIMKeyCheck{}}
	var err error
	if rep.SPF, err = CheckSPF(ctx, r, domain); err != nil {
		return rep, fmt.Errorf("%w: %v", ErrUnavailable, err)
	}
	if rep.DMARC, err = CheckDMARC(ctx, r, domain); err != nil {
		return rep, fmt.Errorf("%w: %v", ErrUnavailable, err)
	}
	for _, s := range selectors {
		if s = strings.TrimSpace(s); s != "" {
			rep.DKIM = append(rep.DKIM, CheckDKIM(ctx, r, domain, s))
		}
	}
	return rep, nil
}
