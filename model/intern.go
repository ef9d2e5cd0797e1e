package model

import (
	"strings"
	"unsafe"
)

// interner makes the strings that repeat across a quarantine's messages
// share one copy, as a message enters a table: a verdict's reasons, the
// DMARC explanation, domains, selectors, recipients and content types
// come from a few senders' records and a few phrasings, yet each message
// is analysed on its own and carries its own copies. Measured on the
// demo generator's quarantine, these copies were 850 of the 2,740 bytes
// a kept message cost.
//
// Interning replaces a string with an equal one, so every reader sees the
// same values as before (intern_test.go checks reflect.DeepEqual).
// High-cardinality fields (IDs, subjects, From, file names, hashes) are
// left alone: a map entry for a string seen once costs more than the
// copy it would save. The map holds at most maxInterned strings, and none
// longer than maxInternLen, so that a quarantine whose "repeated" fields
// are all distinct costs a bounded amount; past the bound, strings
// already interned are still shared and new ones are kept as they came.
//
// Unlike unique.Make(s).Value(), whose canonical copy is forgotten once
// no handle remains (sharing then stops after a GC), the map keeps its
// strings as long as the table lives, which is as long as its messages.
type interner struct {
	m map[string]string
	// rowVerdicts shares the verdict columns of rows (Row).
	rowVerdicts map[RowVerdicts]*RowVerdicts
}

const (
	maxInterned  = 1 << 16
	maxInternLen = 1 << 10
)

// str returns the canonical copy of s; a nil interner returns s.
func (in *interner) str(s string) string {
	if in == nil || s == "" || len(s) > maxInternLen {
		return s
	}
	if c, ok := in.m[s]; ok {
		return c
	}
	if in.m == nil {
		in.m = make(map[string]string)
	}
	if len(in.m) >= maxInterned {
		return s
	}
	// A copy: s may be a slice of a larger buffer (a header, a
	// record), which the map must not keep alive.
	c := strings.Clone(s)
	in.m[c] = c
	return c
}

// strs returns ss with its elements interned, in a new slice of exact
// length when any element changes: the caller's slice may be read
// elsewhere, so it is never written.
func (in *interner) strs(ss []string) []string {
	var out []string
	for i, s := range ss {
		c := in.str(s)
		if out == nil && !sameString(c, s) {
			out = make([]string, len(ss))
			copy(out, ss[:i])
		}
		if out != nil {
			out[i] = c
		}
	}
	if out == nil {
		return ss
	}
	return out
}

// sameString reports whether a and b are the same bytes in memory, not
// merely equal.
func sameString(a, b string) bool {
	return len(a) == len(b) && unsafe.StringData(a) == unsafe.StringData(b)
}

// message returns m with its repeated strings interned and its
// recipients' address shared with the return path when they are equal.
// Whatever changes is copied (the Auth record, the slices), never
// written in place: the caller's message may still be read elsewhere,
// by the scan's other stages.
func (in *interner) message(m Message) Message {
	m.FromDomain = in.str(m.FromDomain)
	if m.ReturnPath == m.FromAddr {
		m.ReturnPath = m.FromAddr
	}
	m.To = in.strs(m.To)
	m.Cc = in.strs(m.Cc)
	m.Verdict.Reasons = in.strs(m.Verdict.Reasons)
	if m.Auth != nil {
		m.Auth = in.auth(*m.Auth)
	}
	m.Attachments = in.attachments(m.Attachments)
	return m
}

// auth returns a new Auth record, a with its strings interned.
func (in *interner) auth(a Auth) *Auth {
	a.SPF.Domain = in.str(a.SPF.Domain)
	a.SPF.Helo = in.str(a.SPF.Helo)
	a.SPF.Reason = in.str(a.SPF.Reason)
	if len(a.DKIM) > 0 {
		dkim := make([]DKIMResult, len(a.DKIM))
		for i, d := range a.DKIM {
			d.Domain = in.str(d.Domain)
			d.Selector = in.str(d.Selector)
			d.Algorithm = in.str(d.Algorithm)
			d.Reason = in.str(d.Reason)
			dkim[i] = d
		}
		a.DKIM = dkim
	}
	d := &a.DMARC
	d.FromDomain = in.str(d.FromDomain)
	d.OrgDomain = in.str(d.OrgDomain)
	d.PolicyDomain = in.str(d.PolicyDomain)
	d.Record = in.str(d.Record)
	d.Reason = in.str(d.Reason)
	d.Discovery = in.str(d.Discovery)
	d.PSD = in.str(d.PSD)
	if len(d.Records) > 0 {
		recs := make([]DMARCLookup, len(d.Records))
		for i, r := range d.Records {
			r.Name, r.Status, r.Record = in.str(r.Name), in.str(r.Status), in.str(r.Record)
			recs[i] = r
		}
		d.Records = recs
	}
	a.IgnoredHeaders = in.strs(a.IgnoredHeaders)
	return &a
}

// attachments returns as with its content types interned, in a new slice
// when any changes.
func (in *interner) attachments(as []Attachment) []Attachment {
	var out []Attachment
	for i := range as {
		c := in.str(as[i].ContentType)
		if out == nil && !sameString(c, as[i].ContentType) {
			out = make([]Attachment, len(as))
			copy(out, as)
		}
		if out != nil {
			out[i].ContentType = c
		}
	}
	if out == nil {
		return as
	}
	return out
}

// verdicts returns the shared copy of v; a nil interner returns a new
// one. The map is bounded as the strings are.
func (in *interner) verdicts(v RowVerdicts) *RowVerdicts {
	if in != nil {
		if c, ok := in.rowVerdicts[v]; ok {
			return c
		}
	}
	c := &RowVerdicts{
		SPF: Result(in.str(string(v.SPF))), DKIM: Result(in.str(string(v.DKIM))), DMARC: Result(in.str(string(v.DMARC))),
		Policy: Disposition(in.str(string(v.Policy))), Disposition: Disposition(in.str(string(v.Disposition))), Attachment: AttachmentVerdict(in.str(string(v.Attachment))),
		Auth: AuthVerdict(in.str(string(v.Auth))), Encryption: Encryption(in.str(string(v.Encryption))),
	}
	if in == nil || len(in.rowVerdicts) >= maxInterned {
		return c
	}
	if in.rowVerdicts == nil {
		in.rowVerdicts = make(map[RowVerdicts]*RowVerdicts)
	}
	in.rowVerdicts[*c] = c
	return c
}
