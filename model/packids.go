package model

import "strings"

// PackIDs copies ids, in place, into one string of their own, and
// returns them. IDs read from rows are slices of each row's text (a
// row snapshot's block, an arena chunk), which a long-lived set of them,
// such as a live watch's, would otherwise keep alive after the rows are
// dropped; one string also costs one allocation where 100,000 IDs cost
// 100,000.
func PackIDs(ids []MessageID) []MessageID {
	n := 0
	for _, id := range ids {
		n += len(id)
	}
	var b strings.Builder
	b.Grow(n)
	for _, id := range ids {
		b.WriteString(string(id))
	}
	all := b.String()
	for i, id := range ids {
		ids[i], all = MessageID(all[:len(id)]), all[len(id):]
	}
	return ids
}
