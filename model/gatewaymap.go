package model

import (
	"bytes"
	"fmt"
	"regexp"
	"slices"
	"strings"
	"time"
)

// MapFormat is a mail gateway's lookup-table format for the exported
// exceptions.
type MapFormat string

// Export formats; docs/exceptions.md shows how each gateway loads them.
const (
	// MapPostfix is a Postfix access(5) table for check_sender_access:
	// "partner.example.co.jp OK", "user@example.com OK", and for a
	// "*.example.org" exception ".example.org OK" (subdomains only, given
	// parent_domain_matches_subdomains without smtpd_access_maps).
	MapPostfix MapFormat = "postfix"
	// MapRspamd is an rspamd multimap regexp map matched against the
	// sender address ("email:addr" filter): one anchored,
	// case-insensitive /regex/ per sender.
	MapRspamd MapFormat = "rspamd"
)

// ParseMapFormat returns the format named s.
func ParseMapFormat(s string) (MapFormat, error) {
	switch f := MapFormat(strings.ToLower(s)); f {
	case MapPostfix, MapRspamd:
		return f, nil
	}
	return "", fmt.Errorf("unknown map format %q (want postfix or rspamd)", s)
}

// GatewayMapOptions choose what ExportMap writes.
type GatewayMapOptions struct {
	Format MapFormat
	// Kind limits the map to exceptions relaxing that rule, so that each
	// gateway check gets its own map; "" exports every active exception.
	Kind ExceptionKind
	// Action is the right-hand side of Postfix entries; "" means "OK".
	Action string
}

// ExportMap writes the exceptions active at now as a gateway map, one
// entry per sender (several exceptions for one sender are merged), sorted
// by sender so that a re-export without changes gives the same bytes.
// Each entry is preceded by comments naming the exceptions behind it,
// their kinds and their expiry. Expiry is not enforced by the gateway:
// the header says by when the map must be exported again.
func ExportMap(p *Policy, opt GatewayMapOptions, now time.Time) ([]byte, error) {
	if _, err := ParseMapFormat(string(opt.Format)); err != nil {
		return nil, err
	}
	action := strings.TrimSpace(opt.Action)
	if action == "" {
		action = "OK"
	}
	if err := checkText("action", action, true); err != nil {
		return nil, err
	}
	type entry struct {
		key  string
		from []Exception
	}
	var entries []*entry
	byKey := map[string]*entry{}
	var firstExpiry time.Time
	for _, e := range p.Active(now) {
		if opt.Kind != "" && !e.HasKind(opt.Kind) {
			continue
		}
		key := e.Value
		if byKey[key] == nil {
			byKey[key] = &entry{key: key}
			entries = append(entries, byKey[key])
		}
		byKey[key].from = append(byKey[key].from, e)
		if firstExpiry.IsZero() || e.Expires.Before(firstExpiry) {
			firstExpiry = e.Expires
		}
	}
	slices.SortFunc(entries, func(a, b *entry) int { return strings.Compare(a.key, b.key) })

	var b bytes.Buffer
	kind := "all kinds"
	if opt.Kind != "" {
		kind = string(opt.Kind)
	}
	fmt.Fprintf(&b, "# mxaudit exceptions for the mail gateway (%s map), %s, active exceptions only.\n", opt.Format, kind)
	fmt.Fprintf(&b, "# Generated file: do not edit; run \"mxaudit exception export --format %s\" again.\n", opt.Format)
	if firstExpiry.IsZero() {
		b.WriteString("# No active exception.\n")
	} else {
		fmt.Fprintf(&b, "# Export again before %s, when the first of these exceptions expires.\n", day(firstExpiry))
	}
	for _, en := range entries {
		b.WriteByte('\n')
		for _, e := range en.from {
			fmt.Fprintf(&b, "# exception %d: %s; approved by %s; expires %s\n",
				e.ID, joinKinds(e.Kinds), commentSafe(e.ApprovedBy), day(e.Expires))
		}
		switch opt.Format {
		case MapPostfix:
			fmt.Fprintf(&b, "%s\t%s\n", postfixKey(en.key), action)
		case MapRspamd:
			fmt.Fprintf(&b, "%s\n", rspamdPattern(en.key))
		}
	}
	return b.Bytes(), nil
}

// postfixKey is the access(5) lookup key for an exception value.
func postfixKey(value string) string {
	if parent, ok := strings.CutPrefix(value, "*."); ok {
		return "." + parent
	}
	return value
}

// rspamdPattern is an anchored, case-insensitive regexp matching the
// sender addresses an exception value covers. Slashes and hashes are
// escaped so that neither ends the pattern or starts a comment.
func rspamdPattern(value string) string {
	var re string
	switch {
	case strings.HasPrefix(value, "*."):
		re = `^[^@]+@(?:[^@.]+\.)+` + regexp.QuoteMeta(value[2:]) + `$`
	case strings.Contains(value, "@"):
		re = `^` + regexp.QuoteMeta(value) + `$`
	default:
		re = `^[^@]+@` + regexp.QuoteMeta(value) + `$`
	}
	re = strings.NewReplacer("/", `\/`, "#", `\x23`).Replace(re)
	return "/" + re + "/i"
}

// commentSafe keeps a name on its comment line.
func commentSafe(s string) string {
	return strings.Map(func(r rune) rune {
		if r < 0x20 || r == 0x7f {
			return ' '
		}
		return r
	}, s)
}
