package model

import (
	"net/netip"
	"slices"
	"strings"
)

// MatchRow is Filter.Match on a message's row: it reports whether the
// message passes the filter, from the row alone. text is f.Text
// lower-cased and q its parsed query (nil for a plain search), as the
// table keeps them.
func (f Filter) MatchRow(r *Row, text string, q *Query) bool {
	if f.EncryptedOnly && !r.Has(RowEncrypted) {
		return false
	}
	if f.DMARCFailOnly && !r.Has(RowDMARCFail) {
		return false
	}
	if f.TempErrorOnly && !r.Has(RowAuthTempError) {
		return false
	}
	if f.RiskyOnly && !r.Has(RowRisky) {
		return false
	}
	if f.NoException && r.Exception != nil {
		return false
	}
	if f.ErrorOnly && !r.IsError() {
		return false
	}
	if f.TempErrOnly && !r.Has(RowAnyTempError) {
		return false
	}
	if f.Source != nil && !f.Source.MatchesRow(r) {
		return false
	}
	if q != nil {
		return q.MatchRow(r)
	}
	return text == "" || strings.Contains(r.searchText(), text)
}

// MatchesRow is Matches on a message's row.
func (s *SourceFilter) MatchesRow(r *Row) bool {
	if r.IP() != "" && s.IP != "" {
		if a, err := netip.ParseAddr(r.IP()); err == nil && a.Unmap().String() == s.IP {
			return true
		}
	}
	from := strings.ToLower(r.Domain())
	return from != "" && slices.Contains(s.FromDomains, from)
}

// MatchRow is Match on a message's row.
func (q *Query) MatchRow(r *Row) bool {
	for i := range q.terms {
		if q.terms[i].matchRow(q, r) == q.terms[i].neg {
			return false
		}
	}
	return true
}

func (t *term) matchRow(q *Query, r *Row) bool {
	v := t.value
	switch t.field {
	case "":
		return strings.Contains(r.searchText(), v)
	case "from":
		for i := range 3 {
			if at := r.fromPlace(i); at.end > at.start && strings.Contains(r.hay()[at.start:at.end], v) {
				return true
			}
		}
		return false
	case "to":
		return anyPacked(r.to(), func(s string) bool { return strings.Contains(s, v) })
	case "subject":
		k := r.subjectKey()
		return k != "" && strings.Contains(k, v)
	case "msgid":
		id := r.messageID()
		return id != "" && strings.Contains(id, v)
	case "ip":
		return t.matchIPText(r.IP())
	case "domain":
		return anyPacked(r.domains(), func(d string) bool { return d == v || strings.HasSuffix(d, "."+v) })
	case "date":
		d := r.Date()
		return !d.IsZero() && (t.from.IsZero() || !d.Before(t.from)) && (t.to.IsZero() || d.Before(t.to))
	case "auth":
		if v == "temperror" {
			return r.Has(RowAnyTempError)
		}
		return string(r.Auth) == v
	case "enc":
		return matchEncText(r.Encryption, v)
	case "risk":
		return anyPacked(r.risks(), func(s string) bool { return strings.HasPrefix(s, v) })
	case "is":
		switch v {
		case "error", "unreadable":
			return r.IsError()
		case "encrypted":
			return r.Has(RowEncrypted)
		case "risky":
			return r.Has(RowRisky)
		case "excepted":
			return r.Exception != nil
		case "ppap":
			return r.Has(RowPPAPPair)
		case "marked":
			return q.Marked != nil && q.Marked(r.ID())
		}
	}
	return false
}
