package model

import (
	"fmt"
	"strings"

	"golang.org/x/net/publicsuffix"
)

// A domain scope must stay within one registrant's names. The Public
// Suffix List says where registrants' names begin, with plain rules
// ("co.jp"), wildcard rules ("*.kawasaki.jp": every x.kawasaki.jp is a
// suffix under which the public registers names) and exception rules
// ("!city.kawasaki.jp": that one is an ordinary registered name).
// publicsuffix.PublicSuffix applies the whole algorithm, so mxaudit asks
// it rather than reading the rules itself.

// wildcardProbe is a label no PSL rule names: asking for the public suffix
// of probe.parent tells whether a wildcard rule covers parent's children.
const wildcardProbe = "mxaudit-wildcard-probe"

// checkWildcardParent refuses "*.parent" when parent's children are public
// suffixes by a wildcard rule ("*.kawasaki.jp"): the scope would cover
// every registrant under it. Named suffixes deeper below parent (a PSL
// entry such as "s3.amazonaws.com" under "*.amazonaws.com") cannot be
// listed through the library; MatchesSender stops at them instead (see
// sameRegistrant).
func checkWildcardParent(value, parent string) error {
	probe := wildcardProbe + "." + parent
	if suffix, _ := publicsuffix.PublicSuffix(probe); suffix == probe {
		return fmt.Errorf("domain %q: every name directly under %s is a public suffix (a wildcard rule of the Public Suffix List), so the exception would cover unrelated registrants", value, parent)
	}
	return nil
}

// sameRegistrant reports whether d, a subdomain of parent, belongs to the
// same registrant as parent: the public suffix of d must lie strictly
// above parent. "bucket.s3.amazonaws.com" is not amazonaws.com's
// (s3.amazonaws.com is a public suffix); "mail.city.kawasaki.jp" is
// city.kawasaki.jp's (an exception rule).
func sameRegistrant(d, parent string) bool {
	suffix, _ := publicsuffix.PublicSuffix(d)
	return strings.HasSuffix(parent, "."+suffix)
}
