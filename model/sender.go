package model

import (
	"errors"
	"fmt"
	"strings"

	"golang.org/x/net/idna"
	"golang.org/x/net/publicsuffix"
)

// NormalizeExceptionValue checks the sender an exception names and
// returns it in the one form the policy file stores and matching compares:
// an address as local@domain with the domain lower-cased in A-labels; a
// domain lower-cased in A-labels without a trailing dot, optionally
// prefixed "*." for its subdomains.
//
// It refuses what would make an exception wider than one sender: an empty
// value, a public suffix ("co.jp", "*.com"), a wildcard anywhere but in
// front, and characters that would break the exported gateway maps
// (white space, commas, quotes, control characters).
//
// It is the one place model reaches outside the standard library
// (golang.org/x/net's idna and publicsuffix), on purpose: both are pure
// functions over tables compiled into the binary, with no DNS and no I/O,
// and Exception.Validate and Policy.Add need them so that no policy file
// and no edit can hold an exception wider than one sender.
func NormalizeExceptionValue(scope ExceptionScope, value string) (string, error) {
	value = strings.TrimSpace(value)
	switch scope {
	case ScopeAddress:
		return normalizeAddress(value)
	case ScopeDomain:
		parent, wildcard := strings.CutPrefix(value, "*.")
		if strings.Contains(value, "@") {
			return "", fmt.Errorf("domain %q contains @: use the address scope for one sender", value)
		}
		d, err := normalizeDomain(parent)
		if err != nil {
			return "", err
		}
		if isPublicSuffix(d) {
			return "", fmt.Errorf("domain %q is a public suffix: an exception for it would cover unrelated senders", value)
		}
		if wildcard {
			if err := checkWildcardParent(value, d); err != nil {
				return "", err
			}
			return "*." + d, nil
		}
		return d, nil
	}
	return "", fmt.Errorf("unknown exception scope %q (want address or domain)", scope)
}

// normalizeAddress validates local@domain and normalises it: the local
// part is lower-cased too, since mail systems in practice treat it
// case-insensitively and an exception must not be dodged by case.
func normalizeAddress(addr string) (string, error) {
	at := strings.LastIndexByte(addr, '@')
	if at <= 0 || at == len(addr)-1 {
		return "", fmt.Errorf("address %q is not of the form local@domain", addr)
	}
	local := addr[:at]
	if len(local) > 64 {
		return "", fmt.Errorf("address %q: local part longer than 64 bytes", addr)
	}
	for _, r := range local {
		if r <= ' ' || r >= 0x7f || strings.ContainsRune(`"(),:;<>@[\]*`, r) {
			return "", fmt.Errorf("address %q: local part contains %q", addr, r)
		}
	}
	d, err := normalizeDomain(addr[at+1:])
	if err != nil {
		return "", fmt.Errorf("address %q: %w", addr, err)
	}
	return strings.ToLower(local) + "@" + d, nil
}

// errEmptyDomain is returned for a missing domain.
var errEmptyDomain = errors.New("domain is empty")

// normalizeDomain returns a host name lower-cased in A-labels without a
// trailing dot, or an error when it is not one (labels of letters, digits
// and hyphens, at least two of them).
func normalizeDomain(d string) (string, error) {
	d = strings.TrimSuffix(strings.TrimSpace(d), ".")
	if d == "" {
		return "", errEmptyDomain
	}
	a, err := idna.Lookup.ToASCII(d)
	if err != nil {
		return "", fmt.Errorf("domain %q is not a valid host name", d)
	}
	a = strings.ToLower(a)
	if len(a) > 253 || !strings.Contains(a, ".") {
		return "", fmt.Errorf("domain %q is not a fully qualified host name", d)
	}
	for _, label := range strings.Split(a, ".") {
		if label == "" || len(label) > 63 || label[0] == '-' || label[len(label)-1] == '-' {
			return "", fmt.Errorf("domain %q has an invalid label %q", d, label)
		}
		for i := 0; i < len(label); i++ {
			c := label[i]
			if !(c >= 'a' && c <= 'z' || c >= '0' && c <= '9' || c == '-') {
				return "", fmt.Errorf("domain %q: label %q contains %q", d, label, c)
			}
		}
	}
	return a, nil
}

// isPublicSuffix reports whether d is a suffix under which the public
// registers names ("com", "co.jp", and any unknown TLD).
func isPublicSuffix(d string) bool {
	suffix, _ := publicsuffix.PublicSuffix(d)
	return suffix == d
}
