package auth

import "mxaudit/model"

// aligned reports whether an authenticated domain is aligned with the From
// domain (RFC 7489 §3.1): in strict mode the two must be equal, in relaxed
// mode their organizational domains must be. Both are normalised domains.
func aligned(domain, from string, mode model.Alignment) bool {
	if domain == "" || from == "" {
		return false
	}
	if domain == from {
		return true
	}
	if mode == model.AlignStrict {
		return false
	}
	return organizationalDomain(domain) == organizationalDomain(from)
}

// modeName spells an alignment mode for a reason sentence.
func modeName(m model.Alignment) string {
	if m == model.AlignStrict {
		return "strict"
	}
	return "relaxed"
}
