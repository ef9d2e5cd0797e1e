package model

import "strings"

// Filter selects which messages the list shows. The zero value shows
// everything.
type Filter struct {
	// Text is matched, case-insensitively, as a substring of the sender's
	// name and address, the subject, the From, Return-Path, SPF and DKIM
	// domains, and every attachment and archive entry name.
	Text string
	// Quick filters; each one set narrows the list further.
	EncryptedOnly bool // only messages with an encrypted archive
	DMARCFailOnly bool // only messages failing DMARC
	TempErrorOnly bool // only messages whose authentication a DNS failure left undecided
	RiskyOnly     bool // only messages with a risky attachment
	NoException   bool // only messages no exception covers
	ErrorOnly     bool // only unreadable messages
	TempErrOnly   bool // only messages whose authentication hit a DNS temperror
	// Source, when set, keeps only the messages from one failing source
	// of the DMARC aggregate reports. Filters compare it by pointer: a
	// new source filter is a new value.
	Source *SourceFilter
}

// IsZero reports whether f shows every message.
func (f Filter) IsZero() bool { return f == Filter{} }

// String describes the active filter for the header line, "" when none.
func (f Filter) String() string {
	var parts []string
	if f.Text != "" {
		parts = append(parts, `"`+f.Text+`"`)
	}
	if f.EncryptedOnly {
		parts = append(parts, "encrypted")
	}
	if f.DMARCFailOnly {
		parts = append(parts, "dmarc-fail")
	}
	if f.TempErrorOnly {
		parts = append(parts, "temperror")
	}
	if f.RiskyOnly {
		parts = append(parts, "risky")
	}
	if f.NoException {
		parts = append(parts, "no-exception")
	}
	if f.ErrorOnly {
		parts = append(parts, "unreadable")
	}
	if f.TempErrOnly {
		parts = append(parts, "temperror")
	}
	if f.Source != nil {
		parts = append(parts, f.Source.String())
	}
	return strings.Join(parts, " + ")
}

// Match reports whether m passes the filter.
func (f Filter) Match(m *Message) bool {
	var q *Query
	if IsQuery(f.Text) {
		if parsed, err := ParseQuery(f.Text); err == nil {
			q = &parsed
		}
	}
	return f.match(m, haystack(m), strings.ToLower(f.Text), q)
}

// match is Match with the message's haystack, the lower-cased text and
// the parsed query (nil for a plain search) already computed.
func (f Filter) match(m *Message, hay, text string, q *Query) bool {
	if f.EncryptedOnly && !m.IsEncrypted() {
		return false
	}
	if f.DMARCFailOnly && !m.IsDMARCFail() {
		return false
	}
	if f.TempErrorOnly && !m.IsAuthTempError() {
		return false
	}
	if f.RiskyOnly && !m.IsRisky() {
		return false
	}
	if f.NoException && m.HasException() {
		return false
	}
	if f.ErrorOnly && !matchIs(nil, m, "error") {
		return false
	}
	if f.TempErrOnly && !matchAuth(m, "temperror") {
		return false
	}
	if f.Source != nil && !f.Source.Matches(m) {
		return false
	}
	if q != nil {
		return q.Match(m, hay)
	}
	return text == "" || strings.Contains(hay, text)
}

// narrows reports whether every message f matches is also matched by old,
// so that applying f can start from old's result instead of from all
// messages: the text only grew and no quick filter was switched off.
func (f Filter) narrows(old Filter) bool {
	if f.Text != old.Text && (IsQuery(f.Text) || IsQuery(old.Text)) {
		return false // "-a" to "-ab" widens: start again
	}
	if !strings.Contains(strings.ToLower(f.Text), strings.ToLower(old.Text)) {
		return false
	}
	if old.Source != nil && f.Source != old.Source {
		return false
	}
	return (f.EncryptedOnly || !old.EncryptedOnly) &&
		(f.DMARCFailOnly || !old.DMARCFailOnly) &&
		(f.RiskyOnly || !old.RiskyOnly) &&
		(f.NoException || !old.NoException) &&
		(f.ErrorOnly || !old.ErrorOnly) &&
		(f.TempErrOnly || !old.TempErrOnly)
}

// haystack is the lower-cased text the filter searches, fields separated
// by a NUL so that a match cannot span two of them.
func haystack(m *Message) string {
	h, _ := haystackAt(m)
	return h
}

// haystackAt is haystack with the bounds (start, end) in it of the
// lower-cased From, From address and Return-Path, which the from: term
// searches one by one; an empty field's bounds are equal.
//
// A field the text already holds is not written again, and its bounds
// are those of what holds it: the address is usually inside the From
// ("Name <addr>"), the Return-Path is the address, the domains are in
// it. Every text without a NUL that is in one field is then still in
// the text, and the text holds nothing new, so a search gives what it
// gave on every field written out, for about a third of a row's bytes
// (113 of 378 a message on the generated quarantines). A text holding
// a NUL could match across two fields; the row and the message search
// the same text, so they still agree.
//
// The fields are gathered first so that the builder is sized once.
func haystackAt(m *Message) (string, [3][2]uint32) {
	fields := make([]string, 0, 16)
	fields = append(fields, m.From, m.FromAddr, m.Subject, m.FromDomain, m.ReturnPath)
	if m.Auth != nil {
		fields = append(fields, m.Auth.SPF.Domain)
		for _, d := range m.Auth.DKIM {
			fields = append(fields, d.Domain)
		}
	}
	headers := len(fields)
	fields = append(fields, m.FileNames()...)
	n := 0
	for _, s := range fields {
		n += len(s) + 1
	}
	var b strings.Builder
	b.Grow(n)
	var at [3][2]uint32
	for i, s := range fields {
		var start, end int
		if s != "" {
			// Lower-casing may change a non-ASCII string's length:
			// the builder then grows as before.
			l := strings.ToLower(s)
			if j := indexWithin(b.String(), l, i < headers); j >= 0 {
				start, end = j, j+len(l)
			} else {
				start = b.Len()
				b.WriteString(l)
				end = b.Len()
				b.WriteByte(0)
			}
		} else {
			start, end = b.Len(), b.Len()
		}
		switch i {
		case 0, 1:
			at[i] = [2]uint32{rowOffset(start), rowOffset(end)}
		case 4:
			at[2] = [2]uint32{rowOffset(start), rowOffset(end)}
		}
	}
	return b.String(), at
}

// dedupeWithin bounds the text haystackAt looks in for a field it
// already holds. Only the header's fields are looked for (the address,
// the domains: where the repeats are), and only within the text's first
// 4 KiB: a message may name tens of thousands of attachments, and
// looking for each, even within 4 KiB, took 0.3 s for one hostile
// message in review.
const dedupeWithin = 4 << 10

// indexWithin is strings.Index(hay, s) for a header's field (header)
// when hay is within dedupeWithin, else -1.
func indexWithin(hay, s string, header bool) int {
	if !header || len(hay) > dedupeWithin {
		return -1
	}
	return strings.Index(hay, s)
}
