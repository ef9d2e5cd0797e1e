package model

import (
	"cmp"
	"math"
	"strings"
	"time"
	"unique"
)

// SortKey is the list's sort order: a column and a direction.
type SortKey struct {
	Column Column
	Desc   bool
}

// DefaultSort is the order the list starts in: oldest first, as a mail
// client shows a folder.
var DefaultSort = SortKey{Column: ColumnDate}

// String returns "date ↑" or "date ↓".
func (k SortKey) String() string {
	if k.Desc {
		return k.Column.String() + " ↓"
	}
	return k.Column.String() + " ↑"
}

// Flip returns the same column in the other direction.
func (k SortKey) Flip() SortKey { return SortKey{Column: k.Column, Desc: !k.Desc} }

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

// rowPins are the handles that keep a shared row's interned sort keys
// canonical.
type rowPins [3]unique.Handle[string]

// newSortKeys computes m's keys. For a shared message (intern) the
// strings are canonicalised (unique.Make) and their handles returned
// in pins, for the table to keep: under "mxaudit serve" every session's
// table holds the same messages, and without it each would keep its own
// lower-cased copies. The canonical copy lives only as long as a handle
// does, so a table that kept only Value() would share nothing after the
// next collection. A table's own messages are not interned: the unique
// map's entries would cost more than they save.
func newSortKeys(m *Message, intern bool) (k sortKeys, pins rowPins) {
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
	if intern {
		for j, s := range []*string{&k.from, &k.subject, &k.haystack} {
			pins[j] = unique.Make(*s)
			*s = pins[j].Value()
		}
	}
	return k, pins
}

// authRank orders results as Result.Rank does, with "analysed without
// authentication" after every real result.
func authRank(r Result) int {
	if r == "" {
		return 9
	}
	return r.Rank()
}

// policyRank orders DMARC policies from lenient to strict.
func policyRank(p Disposition) int {
	switch p {
	case DispositionNone:
		return 1
	case DispositionQuarantine:
		return 2
	case DispositionReject:
		return 3
	}
	return 0
}

// sortPrefix is a 64-bit key of m's value in column c that never
// contradicts compareBy: a < b implies sortPrefix(a) <= sortPrefix(b),
// and equal values have equal prefixes. Sorting 100,000 rows on it is
// one integer comparison for most pairs; only rows whose prefixes tie
// (same first eight bytes, same second) are compared in full.
func sortPrefix(c Column, m *Message, k *sortKeys) uint64 {
	switch c {
	case ColumnMarker:
		return rankPrefix(k.severity)
	case ColumnDate:
		return datePrefix(m.Date)
	case ColumnFrom:
		return stringPrefix(k.from)
	case ColumnDomain:
		return stringPrefix(m.FromDomain)
	case ColumnSubject:
		return stringPrefix(k.subject)
	case ColumnSize:
		return uint64(m.Size) ^ 1<<63
	case ColumnAttachment:
		return rankPrefix(k.att)
	case ColumnSPF:
		return rankPrefix(k.spf)
	case ColumnDKIM:
		return rankPrefix(k.dkim)
	case ColumnDMARC:
		return rankPrefix(k.dmarc)<<8 | rankPrefix(k.policy)
	case ColumnException:
		return rankPrefix(k.exc)
	}
	return 0
}

// prefixIsValue reports whether sortPrefix holds column c's whole value,
// so that equal prefixes mean equal values and only arrival is left to
// compare.
func prefixIsValue(c Column) bool {
	switch c {
	case ColumnDate, ColumnFrom, ColumnDomain, ColumnSubject:
		return false
	}
	return true
}

// The instants UnixNano can represent, 1677 to 2262.
var (
	firstNano = time.Unix(0, math.MinInt64)
	lastNano  = time.Unix(0, math.MaxInt64)
)

// datePrefix is d in nanoseconds, order-preserving as a uint64. It is
// exact between firstNano and lastNano; the zero date and any other date
// outside share 0 (before) or MaxUint64 (after), and only those ties
// need the full comparison (prefixExact).
func datePrefix(d time.Time) uint64 {
	switch {
	case d.Before(firstNano):
		return 0
	case d.After(lastNano):
		return math.MaxUint64
	}
	return uint64(d.UnixNano()) ^ 1<<63
}

// prefixExact reports whether two rows whose prefixes in column c are
// both p hold equal values, so that only arrival is left to compare.
func prefixExact(c Column, p uint64) bool {
	if c == ColumnDate {
		return p != 0 && p != math.MaxUint64
	}
	return prefixIsValue(c)
}

// rankPrefix maps an int8 to a uint64 in the same order.
func rankPrefix(r int8) uint64 { return uint64(uint8(r) ^ 0x80) }

// stringPrefix is s's first eight bytes, big-endian, zero-padded: bytewise
// order, as strings.Compare, up to ties.
func stringPrefix(s string) uint64 {
	var p uint64
	for i := range 8 {
		p <<= 8
		if i < len(s) {
			p |= uint64(s[i])
		}
	}
	return p
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
