package model

// rowLists are the packed lists (packStrings) a row's to: and domain:
// terms look in: the lower-cased To and Cc, and the lower-cased From,
// SPF and DKIM domains. Rows share them: a quarantine's recipients are
// a company's own few, and its senders' domains repeat, so that the
// generated quarantines hold 250 different pairs in 100,000 messages.
// Kept in each row's text they took 64 of its 245 bytes; shared, a
// pointer (which took the place of the two lists' spans in the row).
// Never change one.
type rowLists struct {
	to, domains string
}

// lists returns the shared lists to and domains: nil when both are
// empty, a copy of the interner's when it holds them, and new ones
// (shared from then on, up to maxInterned of them) when not. A nil
// interner shares nothing.
func (in *interner) lists(to, domains string) *rowLists {
	if to == "" && domains == "" {
		return nil
	}
	l := rowLists{to, domains}
	if in == nil || len(to)+len(domains) > maxInternLen {
		return &l
	}
	if c, ok := in.rowLists[l]; ok {
		return c
	}
	c := &l
	if len(in.rowLists) < maxInterned {
		if in.rowLists == nil {
			in.rowLists = make(map[rowLists]*rowLists)
		}
		in.rowLists[l] = c
	}
	return c
}

// to is the packed list of the lower-cased To and Cc.
func (r *Row) to() string {
	if r.lists == nil {
		return ""
	}
	return r.lists.to
}

// domains is the packed list of the lower-cased domains the domain:
// term looks under (rowDomains).
func (r *Row) domains() string {
	if r.lists == nil {
		return ""
	}
	return r.lists.domains
}
