package model

import (
	"fmt"
	"net/netip"
	"strings"
	"time"
)

// A Query is the filter language of the console, after mutt's limits and
// aerc's filters: terms separated by spaces must all match (AND); a term
// starting with "-" must not match (NOT). A term is a word, searched in
// the same text as the plain filter, or field:value:
//
//	from:   sender name, address and Return-Path   to:      To and Cc
//	subject: the subject                           msgid:   Message-ID
//	ip:     the SPF client IP (a prefix: 203.0.113.) or CIDR (203.0.113.0/24)
//	domain: From, SPF or DKIM domain, or a parent of one
//	date:   2026-11-01..2026-11-30, 2026-11-01.., ..2026-11-30, or one day
//	auth:   pass|fail|none|temperror (temperror: any DNS failure, too)
//	enc:    zipcrypto|aes|aes128|aes192|aes256|pkware|any
//	risk:   executable, macro, double-extension… (prefix)
//	is:     error|encrypted|risky|excepted|ppap|marked
//
// Values are case-insensitive substrings unless said otherwise. The zero
// Query matches everything. Parsing and matching are pure; "is:marked"
// asks Query.Marked.
type Query struct {
	terms []term
	// Marked answers is:marked; nil means nothing is marked.
	Marked func(MessageID) bool
}

type term struct {
	neg      bool
	field    string // "" for a plain word
	value    string // lower-cased
	from, to time.Time
	prefix   netip.Prefix
}

// queryFields are the fields a term may name.
var queryFields = map[string]bool{"from": true, "to": true, "subject": true, "msgid": true, "ip": true,
	"domain": true, "date": true, "auth": true, "enc": true, "risk": true, "is": true}

// IsQuery reports whether text uses the language (a field or a negation)
// rather than being one plain search string.
func IsQuery(text string) bool {
	for _, w := range strings.Fields(text) {
		if strings.HasPrefix(w, "-") && len(w) > 1 {
			return true
		}
		if i := strings.IndexByte(w, ':'); i > 0 && queryFields[strings.ToLower(w[:i])] {
			return true
		}
	}
	return false
}

// ParseQuery parses text. An unknown field or a bad date or IP is an
// error naming the term; the console then shows the error and keeps the
// previous list.
func ParseQuery(text string) (Query, error) {
	var q Query
	for _, w := range strings.Fields(text) {
		t := term{}
		if strings.HasPrefix(w, "-") && len(w) > 1 {
			t.neg, w = true, w[1:]
		}
		if i := strings.IndexByte(w, ':'); i > 0 && queryFields[strings.ToLower(w[:i])] {
			t.field, w = strings.ToLower(w[:i]), w[i+1:]
		}
		t.value = strings.ToLower(w)
		if err := t.prepare(); err != nil {
			return Query{}, err
		}
		q.terms = append(q.terms, t)
	}
	return q, nil
}

// prepare parses the values that are not plain text.
func (t *term) prepare() error {
	switch t.field {
	case "date":
		a, b, found := strings.Cut(t.value, "..")
		var err error
		if t.from, err = parseDay(a); err != nil {
			return fmt.Errorf("date:%s: %v", t.value, err)
		}
		if !found {
			b = a
		}
		if t.to, err = parseDay(b); err != nil {
			return fmt.Errorf("date:%s: %v", t.value, err)
		}
		if !t.to.IsZero() {
			t.to = t.to.AddDate(0, 0, 1) // the whole last day
		}
	case "ip":
		if strings.Contains(t.value, "/") {
			p, err := netip.ParsePrefix(t.value)
			if err != nil {
				return fmt.Errorf("ip:%s: not an address prefix", t.value)
			}
			t.prefix = p.Masked()
		}
	case "auth", "is", "enc":
		if t.value == "" {
			return fmt.Errorf("%s: needs a value", t.field)
		}
	}
	return nil
}

// parseDay parses YYYY-MM-DD in local time; "" is an open end.
func parseDay(s string) (time.Time, error) {
	if s == "" {
		return time.Time{}, nil
	}
	d, err := time.ParseInLocation("2006-01-02", s, time.Local)
	if err != nil {
		return time.Time{}, fmt.Errorf("dates are YYYY-MM-DD")
	}
	return d, nil
}

// IsZero reports whether q has no terms.
func (q *Query) IsZero() bool { return len(q.terms) == 0 }

// Match reports whether m passes q; hay is m's lower-cased search text
// (see haystack), computed once per message by the table.
func (q *Query) Match(m *Message, hay string) bool {
	for i := range q.terms {
		if q.terms[i].match(q, m, hay) == q.terms[i].neg {
			return false
		}
	}
	return true
}

func (t *term) match(q *Query, m *Message, hay string) bool {
	v := t.value
	switch t.field {
	case "":
		return strings.Contains(hay, v)
	case "from":
		return containsFold(m.From, v) || containsFold(m.FromAddr, v) || containsFold(m.ReturnPath, v)
	case "to":
		return anyFold(m.To, v) || anyFold(m.Cc, v)
	case "subject":
		return containsFold(m.Subject, v)
	case "msgid":
		return containsFold(m.MessageID, v)
	case "ip":
		return t.matchIP(m)
	case "domain":
		return t.matchDomain(m)
	case "date":
		return !m.Date.IsZero() && (t.from.IsZero() || !m.Date.Before(t.from)) && (t.to.IsZero() || m.Date.Before(t.to))
	case "auth":
		return matchAuth(m, v)
	case "enc":
		return matchEnc(m, v)
	case "risk":
		return matchRisk(m, v)
	case "is":
		return matchIs(q, m, v)
	}
	return false
}

func (t *term) matchIP(m *Message) bool {
	if m.Auth == nil {
		return false
	}
	return t.matchIPText(m.Auth.SPF.IP)
}

// matchIPText matches an SPF client address as recorded, "" for none.
func (t *term) matchIPText(ip string) bool {
	if ip == "" {
		return false
	}
	if t.prefix.IsValid() {
		a, err := netip.ParseAddr(ip)
		return err == nil && t.prefix.Contains(a.Unmap())
	}
	return strings.HasPrefix(strings.ToLower(ip), t.value)
}

func (t *term) matchDomain(m *Message) bool {
	under := func(d string) bool {
		d = strings.ToLower(d)
		return d != "" && (d == t.value || strings.HasSuffix(d, "."+t.value))
	}
	if under(m.FromDomain) {
		return true
	}
	if m.Auth != nil {
		if under(m.Auth.SPF.Domain) {
			return true
		}
		for _, d := range m.Auth.DKIM {
			if under(d.Domain) {
				return true
			}
		}
	}
	return false
}

func matchAuth(m *Message, v string) bool {
	if v == "temperror" {
		if m.Verdict.Auth == AuthTempError {
			return true
		}
		if m.Auth == nil {
			return false
		}
		if m.Auth.SPF.Result == ResultTempError || m.Auth.DMARC.Result == ResultTempError {
			return true
		}
		for _, d := range m.Auth.DKIM {
			if d.Result == ResultTempError {
				return true
			}
		}
		return false
	}
	return string(m.Verdict.Auth) == v
}

func matchEnc(m *Message, v string) bool { return matchEncText(m.Encryption(), v) }

// matchEncText matches a message's strongest encryption method.
func matchEncText(enc Encryption, v string) bool {
	e := strings.ToLower(string(enc))
	switch {
	case e == "":
		return false
	case v == "any":
		return true
	case v == "pkware":
		return strings.HasPrefix(e, "pkware")
	}
	return strings.HasPrefix(e, v)
}

func matchRisk(m *Message, v string) bool {
	for i := range m.Attachments {
		a := &m.Attachments[i]
		risks := a.Risks
		if a.Archive != nil {
			risks = append(append([]Risk{}, risks...), a.Archive.AllRisks()...)
		}
		for _, r := range risks {
			if strings.HasPrefix(string(r), v) {
				return true
			}
		}
	}
	return false
}

func matchIs(q *Query, m *Message, v string) bool {
	switch v {
	case "error", "unreadable":
		return m.Error != "" || m.Verdict.Attachment == AttachmentError
	case "encrypted":
		return m.IsEncrypted()
	case "risky":
		return m.IsRisky()
	case "excepted":
		return m.HasException()
	case "ppap":
		return m.HasPPAPPair()
	case "marked":
		return q.Marked != nil && q.Marked(m.ID)
	}
	return false
}

// containsFold reports whether s holds lower-cased v, ignoring case.
func containsFold(s, v string) bool {
	return s != "" && strings.Contains(strings.ToLower(s), v)
}

func anyFold(list []string, v string) bool {
	for _, s := range list {
		if containsFold(s, v) {
			return true
		}
	}
	return false
}
