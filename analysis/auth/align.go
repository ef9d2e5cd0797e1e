package auth

import "mxaudit/model"

// aligned reports whether an authenticated domain is aligned with the From
// domain (RFC 9989 §4.4, §4.10.2): in strict mode the two must be
// equal, in relaxed mode their organizational domains, as orgOf finds
// them, must be. certain is false when a DNS failure left an
// organizational domain unknown. Both are normalised domains.
func aligned(domain, from string, mode model.Alignment, orgOf orgFunc) (ok, certain bool) {
	if domain == "" || from == "" {
		return false, true
	}
	if domain == from {
		return true, true
	}
	if mode == model.AlignStrict {
		return false, true
	}
	of, c1 := orgOf(from)
	od, c2 := orgOf(domain)
	if !c1 || !c2 {
		return false, false
	}
	return of == od, true
}

// modeName spells an alignment mode for a reason sentence.
func modeName(m model.Alignment) string {
	if m == model.AlignStrict {
		return "strict"
	}
	return "relaxed"
}
