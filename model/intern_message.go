package model

// The message interning below serves model.Interner (PPAP pairing's held
// messages); the table keeps rows only and interns them with str and
// verdicts (intern.go).

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
