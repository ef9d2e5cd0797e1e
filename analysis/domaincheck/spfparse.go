package domaincheck

import (
	"errors"
	"fmt"
	"net/netip"
	"regexp"
	"strconv"
	"strings"
)

// spfTerm is one directive or modifier of an SPF record.
type spfTerm struct {
	qualifier byte   // '+', '-', '~' or '?'; 0 for a modifier
	name      string // lower-cased mechanism or modifier name
	arg       string // domain-spec or address after ':' or '=', "" when absent
	modifier  bool
	raw       string
}

// queriesDNS reports whether the term counts against the RFC 7208
// §4.6.4 limit of 10 DNS-querying terms.
func (t spfTerm) queriesDNS() bool {
	if t.modifier {
		return t.name == "redirect"
	}
	switch t.name {
	case "include", "a", "mx", "ptr", "exists":
		return true
	}
	return false
}

// isSPFRecord reports whether a TXT string is an SPF record: "v=spf1"
// alone or followed by a space (RFC 7208 §4.5).
func isSPFRecord(s string) bool {
	return hasPrefixFold(s, "v=spf1") && (len(s) == 6 || s[6] == ' ')
}

// parseSPF splits an SPF record into terms and checks their syntax. It
// returns the terms it understood and one error per bad term.
func parseSPF(record string) ([]spfTerm, []error) {
	if !isSPFRecord(record) {
		return nil, []error{errors.New("the record does not start with \"v=spf1\"")}
	}
	var terms []spfTerm
	var errs []error
	redirects, exps := 0, 0
	for _, raw := range strings.FieldsFunc(record[6:], func(r rune) bool { return r == ' ' }) {
		t, err := parseTerm(raw)
		if err != nil {
			errs = append(errs, fmt.Errorf("%q: %w", clip(raw), err))
			continue
		}
		if t.modifier && t.name == "redirect" {
			redirects++
		}
		if t.modifier && t.name == "exp" {
			exps++
		}
		terms = append(terms, t)
	}
	if redirects > 1 {
		errs = append(errs, errors.New("more than one redirect= modifier"))
	}
	if exps > 1 {
		errs = append(errs, errors.New("more than one exp= modifier"))
	}
	return terms, errs
}

func parseTerm(raw string) (spfTerm, error) {
	t := spfTerm{raw: raw}
	for i := 0; i < len(raw); i++ {
		if raw[i] < 0x21 || raw[i] > 0x7e {
			return t, fmt.Errorf("byte 0x%02x is not allowed in a record (terms are visible ASCII separated by spaces)", raw[i])
		}
	}
	if i := strings.IndexByte(raw, '='); i > 0 && isModifierName(raw[:i]) {
		t.modifier, t.name, t.arg = true, strings.ToLower(raw[:i]), raw[i+1:]
		if (t.name == "redirect" || t.name == "exp") && t.arg == "" {
			return t, fmt.Errorf("%s= needs a domain", t.name)
		}
		if t.name == "redirect" || t.name == "exp" {
			return t, checkDomainSpec(t.arg)
		}
		return t, checkMacros(t.arg, macroLettersExp) // unknown modifiers: any macro-string
	}
	t.qualifier = '+'
	if raw != "" && strings.IndexByte("+-~?", raw[0]) >= 0 {
		t.qualifier, raw = raw[0], raw[1:]
	}
	name, arg := raw, ""
	if i := strings.IndexAny(raw, ":/"); i >= 0 {
		name, arg = raw[:i], raw[i:]
	}
	t.name = strings.ToLower(name)
	switch t.name {
	case "all":
		if arg != "" {
			return t, errors.New("all takes no argument")
		}
	case "include", "exists":
		if !strings.HasPrefix(arg, ":") || len(arg) == 1 {
			return t, fmt.Errorf("%s needs a domain", t.name)
		}
		t.arg = arg[1:]
		return t, checkDomainSpec(t.arg)
	case "a", "mx":
		dom, err := splitCIDR(arg)
		if strings.HasPrefix(arg, ":") && dom == "" && err == nil {
			err = errors.New("empty domain after ':'")
		}
		t.arg = dom
		if err != nil {
			return t, err
		}
		if dom != "" {
			return t, checkDomainSpec(dom)
		}
	case "ptr":
		if arg != "" {
			if !strings.HasPrefix(arg, ":") {
				return t, errors.New("ptr takes no prefix length")
			}
			t.arg = arg[1:]
			return t, checkDomainSpec(t.arg)
		}
	case "ip4", "ip6":
		if !strings.HasPrefix(arg, ":") {
			return t, fmt.Errorf("%s needs an address", t.name)
		}
		t.arg = arg[1:]
		return t, checkIP(t.name, t.arg)
	default:
		return t, fmt.Errorf("unknown mechanism %q", clip(t.name))
	}
	return t, nil
}

func isModifierName(s string) bool {
	for i := 0; i < len(s); i++ {
		c := s[i]
		alpha := c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z'
		if i == 0 && !alpha {
			return false
		}
		if !alpha && !(c >= '0' && c <= '9') && c != '-' && c != '_' && c != '.' {
			return false
		}
	}
	return s != ""
}

// cidrSuffix matches the dual-cidr-length at the end of an a or mx term.
var cidrSuffix = regexp.MustCompile(`(/[0-9]+)?(//[0-9]+)?$`)

// splitCIDR splits ":domain/24//64" (any part optional) into the domain
// and checks the prefix lengths. The domain may itself contain ':' and
// '/' (RFC 7208 §7.1 allows any visible character), so the prefix lengths
// are taken from the end only.
func splitCIDR(arg string) (string, error) {
	dom := ""
	if strings.HasPrefix(arg, ":") {
		arg = arg[1:]
		loc := cidrSuffix.FindStringIndex(arg)
		dom, arg = arg[:loc[0]], arg[loc[0]:]
	}
	if arg == "" {
		return dom, nil
	}
	m := cidrSuffix.FindStringSubmatch(arg)
	if m == nil || m[0] != arg {
		return dom, fmt.Errorf("bad prefix length %q", clip(arg))
	}
	if m[1] != "" {
		if err := checkPrefix(m[1], 32); err != nil {
			return dom, err
		}
	}
	if m[2] != "" {
		if err := checkPrefix(m[2][1:], 128); err != nil {
			return dom, err
		}
	}
	return dom, nil
}

func checkPrefix(p string, max int) error {
	if !strings.HasPrefix(p, "/") {
		return fmt.Errorf("bad prefix length %q", clip(p))
	}
	n, err := strconv.Atoi(p[1:])
	if err != nil || n < 0 || n > max || (len(p) > 2 && p[1] == '0') {
		return fmt.Errorf("bad prefix length %q", clip(p))
	}
	return nil
}

func checkIP(kind, arg string) error {
	addr, plen := arg, ""
	if i := strings.IndexByte(arg, '/'); i >= 0 {
		addr, plen = arg[:i], arg[i:]
	}
	a, err := netip.ParseAddr(addr)
	if err != nil || (kind == "ip4") != a.Is4() {
		return fmt.Errorf("%q is not an %s address", clip(addr), map[string]string{"ip4": "IPv4", "ip6": "IPv6"}[kind])
	}
	if plen != "" {
		return checkPrefix(plen, a.BitLen())
	}
	return nil
}

// hasMacro reports whether a domain-spec uses macros, which a static
// check cannot expand.
func hasMacro(s string) bool { return strings.Contains(s, "%") }

// Macro letters (RFC 7208 §7.2): c, r and t belong to explanation text
// only.
const (
	macroLettersDomain = "slodiphv"
	macroLettersExp    = "slodiphvcrt"
)

// checkMacros checks the macros of a macro-string.
func checkMacros(s, letters string) error {
	for i := 0; i < len(s); i++ {
		if s[i] != '%' {
			continue
		}
		if i+1 >= len(s) {
			return errors.New("'%' at the end")
		}
		switch s[i+1] {
		case '%', '_', '-':
			i++
		case '{':
			end := strings.IndexByte(s[i:], '}')
			if end < 0 {
				return errors.New("unterminated macro")
			}
			body := s[i+2 : i+end]
			if !macroBody.MatchString(body) || !strings.ContainsRune(letters, rune(body[0]|0x20)) {
				return fmt.Errorf("bad macro %%{%s}", clip(body))
			}
			i += end
		default:
			return fmt.Errorf("bad macro %q", clip(s[i:min(len(s), i+2)]))
		}
	}
	return nil
}

// macroBody is a macro's letter, digits, "r" and delimiters.
var macroBody = regexp.MustCompile(`^[a-zA-Z][0-9]*[rR]?[.\-+,/_=]*$`)

// checkDomainSpec checks a domain-spec (RFC 7208 §7.1): macros well
// formed, and, unless it ends in a macro, a last label that is a valid
// top label: letters, digits and inner hyphens, not all digits.
func checkDomainSpec(s string) error {
	if err := checkMacros(s, macroLettersDomain); err != nil {
		return err
	}
	if strings.HasSuffix(s, "}") && hasMacro(s) {
		return nil
	}
	d := strings.TrimSuffix(s, ".")
	labels := strings.Split(d, ".")
	if len(labels) < 2 {
		return fmt.Errorf("%q is not a fully qualified domain", clip(s))
	}
	for _, l := range labels {
		if l == "" || len(l) > 63 {
			return fmt.Errorf("%q has an empty or over-long label", clip(s))
		}
	}
	if !validTopLabel(labels[len(labels)-1]) {
		return fmt.Errorf("%q does not end in a valid top-level label", clip(s))
	}
	return nil
}

func validTopLabel(l string) bool {
	if l == "" || l[0] == '-' || l[len(l)-1] == '-' {
		return false
	}
	digits := true
	for i := 0; i < len(l); i++ {
		c := l[i]
		switch {
		case c >= '0' && c <= '9':
		case c >= 'a' && c <= 'z', c >= 'A' && c <= 'Z':
			digits = false
		case c == '-':
		default:
			return false
		}
	}
	return !digits
}
