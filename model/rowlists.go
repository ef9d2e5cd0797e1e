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
// empty, the interner's when it holds the pair, and a new pair (shared
// from then on, up to maxInterned pairs) when not, whose strings are
// the interner's (interner.str) when it holds them: a recipient list
// repeats across senders, a sender's domains across recipients. A nil
// interner shares nothing.
//
// A pair shared with no other row costs the pair (32 bytes), its
// pointer and its strings' own allocations, where the row's text held
// the strings for nothing: a quarantine in which no two messages share
// recipients and sender domains, and no string of them repeats, takes
// about 80 bytes a message more than with the lists in the rows' texts
// (measured in review at 200,000 such messages: 379 bytes a row against
// 302).
func (in *interner) lists(to, domains string) *rowLists {
	if to == "" && domains == "" {
		return nil
	}
	if in == nil {
		return &rowLists{to, domains}
	}
	if c, ok := in.rowLists[rowLists{to, domains}]; ok {
		return c
	}
	c := &rowLists{in.str(to), in.str(domains)}
	if len(in.rowLists) < maxInterned && len(to)+len(domains) <= maxInternLen {
		if in.rowLists == nil {
			in.rowLists = make(map[rowLists]*rowLists)
		}
		in.rowLists[*c] = c
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
