package model

import (
	"cmp"
	"strings"
)

// CompareRows compares two rows on one column only, ascending, as
// compareBy compares their messages.
func CompareRows(c Column, a, b *Row) int {
	switch c {
	case ColumnMarker:
		return cmp.Compare(a.ranks.severity, b.ranks.severity)
	case ColumnDate:
		return compareDate(a, b)
	case ColumnFrom:
		return strings.Compare(a.fromKey(), b.fromKey())
	case ColumnDomain:
		return strings.Compare(a.Domain(), b.Domain())
	case ColumnSubject:
		return strings.Compare(a.subjectKey(), b.subjectKey())
	case ColumnSize:
		return cmp.Compare(a.Size, b.Size)
	case ColumnAttachment:
		return cmp.Compare(a.ranks.att, b.ranks.att)
	case ColumnSPF:
		return cmp.Compare(a.ranks.spf, b.ranks.spf)
	case ColumnDKIM:
		return cmp.Compare(a.ranks.dkim, b.ranks.dkim)
	case ColumnDMARC:
		if c := cmp.Compare(a.ranks.dmarc, b.ranks.dmarc); c != 0 {
			return c
		}
		return cmp.Compare(a.ranks.policy, b.ranks.policy)
	case ColumnException:
		return cmp.Compare(a.ranks.exc, b.ranks.exc)
	}
	return 0
}

// rowPrefix is sortPrefix on a row: a 64-bit key of r's value in column
// c that never contradicts CompareRows.
func rowPrefix(c Column, r *Row) uint64 {
	switch c {
	case ColumnMarker:
		return rankPrefix(r.ranks.severity)
	case ColumnDate:
		return datePrefix(r.Date())
	case ColumnFrom:
		return stringPrefix(r.fromKey())
	case ColumnDomain:
		return stringPrefix(r.Domain())
	case ColumnSubject:
		return stringPrefix(r.subjectKey())
	case ColumnSize:
		return uint64(r.Size) ^ 1<<63
	case ColumnAttachment:
		return rankPrefix(r.ranks.att)
	case ColumnSPF:
		return rankPrefix(r.ranks.spf)
	case ColumnDKIM:
		return rankPrefix(r.ranks.dkim)
	case ColumnDMARC:
		return rankPrefix(r.ranks.dmarc)<<8 | rankPrefix(r.ranks.policy)
	case ColumnException:
		return rankPrefix(r.ranks.exc)
	}
	return 0
}
