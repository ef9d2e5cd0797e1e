package model

import (
	"cmp"
	"strings"
)

// The message-based sort the table used before it sorted rows: the
// reference the row sort is checked against (row_test.go).

// sortKeys are the parts of a message that sorting and filtering need in a
// prepared form, computed once when the message arrives so that sorting
// 100,000 rows does not lower-case 100,000 strings on every comparison.
type sortKeys struct {
	from     string // lower-cased DisplayFrom
	subject  string // lower-cased Subject
	haystack string // lower-cased text the filter searches
	severity int8
	att      int8 // attachment verdict rank
	spf      int8
	dkim     int8 // rank*2, +1 when the best result is unaligned
	dmarc    int8
	policy   int8
	exc      int8 // exception rank
}

// newSortKeys computes m's keys.
func newSortKeys(m *Message) (k sortKeys) {
	k = sortKeys{
		from:     strings.ToLower(m.DisplayFrom()),
		subject:  strings.ToLower(m.Subject),
		haystack: haystack(m),
		severity: int8(m.Severity()),
		att:      int8(m.Verdict.Attachment.Rank()),
		spf:      int8(authRank(m.SPFResult())),
		exc:      int8(m.exceptionRank()),
	}
	d, aligned := m.DKIMSummary()
	k.dkim = int8(authRank(d) * 2)
	if !aligned && d != "" {
		k.dkim++
	}
	r, p := m.DMARCResult()
	k.dmarc = int8(authRank(r))
	k.policy = int8(policyRank(p))
	return k
}

// compareBy compares two messages on one column only, ascending.
func compareBy(c Column, a, b *Message, ka, kb *sortKeys) int {
	switch c {
	case ColumnMarker:
		return cmp.Compare(ka.severity, kb.severity)
	case ColumnDate:
		return a.Date.Compare(b.Date)
	case ColumnFrom:
		return strings.Compare(ka.from, kb.from)
	case ColumnDomain:
		return strings.Compare(a.FromDomain, b.FromDomain)
	case ColumnSubject:
		return strings.Compare(ka.subject, kb.subject)
	case ColumnSize:
		return cmp.Compare(a.Size, b.Size)
	case ColumnAttachment:
		return cmp.Compare(ka.att, kb.att)
	case ColumnSPF:
		return cmp.Compare(ka.spf, kb.spf)
	case ColumnDKIM:
		return cmp.Compare(ka.dkim, kb.dkim)
	case ColumnDMARC:
		if c := cmp.Compare(ka.dmarc, kb.dmarc); c != 0 {
			return c
		}
		return cmp.Compare(ka.policy, kb.policy)
	case ColumnException:
		return cmp.Compare(ka.exc, kb.exc)
	}
	return 0
}
