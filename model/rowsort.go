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
		return cmp.Compare(a.severityRank(), b.severityRank())
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
		return cmp.Compare(a.attRank(), b.attRank())
	case ColumnSPF:
		return cmp.Compare(a.spfRank(), b.spfRank())
	case ColumnDKIM:
		return cmp.Compare(a.dkimRank(), b.dkimRank())
	case ColumnDMARC:
		if c := cmp.Compare(a.dmarcRank(), b.dmarcRank()); c != 0 {
			return c
		}
		return cmp.Compare(a.policyRank(), b.policyRank())
	case ColumnException:
		return cmp.Compare(a.excRank(), b.excRank())
	}
	return 0
}

// rowPrefix is sortPrefix on a row: a 64-bit key of r's value in column
// c that never contradicts CompareRows.
func rowPrefix(c Column, r *Row) uint64 {
	switch c {
	case ColumnMarker:
		return rankPrefix(r.severityRank())
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
		return rankPrefix(r.attRank())
	case ColumnSPF:
		return rankPrefix(r.spfRank())
	case ColumnDKIM:
		return rankPrefix(r.dkimRank())
	case ColumnDMARC:
		return rankPrefix(r.dmarcRank())<<8 | rankPrefix(r.policyRank())
	case ColumnException:
		return rankPrefix(r.excRank())
	}
	return 0
}
