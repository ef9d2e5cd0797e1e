package model

import (
	"math"
	"time"
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
	if len(s) >= 8 {
		// One bounds check and no loop: the sort takes a prefix of every
		// text, and of each tied text's next eight bytes again.
		return uint64(s[0])<<56 | uint64(s[1])<<48 | uint64(s[2])<<40 | uint64(s[3])<<32 |
			uint64(s[4])<<24 | uint64(s[5])<<16 | uint64(s[6])<<8 | uint64(s[7])
	}
	var p uint64
	for i := range 8 {
		p <<= 8
		if i < len(s) {
			p |= uint64(s[i])
		}
	}
	return p
}
