package model

import (
	"cmp"
	"net/mail"
	"slices"
	"strings"
	"time"

	"golang.org/x/net/publicsuffix"
)

// ImpactVerdict says what enforcing the release rules would do to a
// partner's mail.
type ImpactVerdict string

// Impact verdicts.
const (
	// ImpactBlocked: some of the partner's mail trips a rule that no
	// active exception covers; enforcing would stop it.
	ImpactBlocked ImpactVerdict = "blocked"
	// ImpactAllowedByException: every message that trips a rule is
	// covered by an active exception.
	ImpactAllowedByException ImpactVerdict = "allowed-by-exception"
	// ImpactUnaffected: nothing the partner sent trips a rule.
	ImpactUnaffected ImpactVerdict = "unaffected"
)

// Partner is what one partner — the organizational domain of the From
// address — sent in the period, and what enforcing the release rules
// (RequiredKinds: encrypted archives, risky files, DMARC failures under
// p=reject) would do to it. It answers the rollout question "who breaks
// if we enforce tomorrow" from the quarantine itself.
type Partner struct {
	Domain string `json:"domain"`
	// FromDomains are the distinct From domains its messages carried,
	// sorted: what the console filters the list on to show them.
	FromDomains []string `json:"from_domains"`
	Messages    int      `json:"messages"`
	// Encrypted counts messages with an encrypted archive at any depth;
	// WithPasswordMail those of them whose password mail was found.
	Encrypted        int                `json:"encrypted"`
	WithPasswordMail int                `json:"with_password_mail"`
	Encryption       map[Encryption]int `json:"encryption"`
	Risky            int                `json:"risky"`
	DMARCFail        int                `json:"dmarc_fail"`
	// DMARCPolicy is the partner's published p= ("" when it publishes
	// none) as met by its latest DMARC failure, else by its latest
	// message; DMARCTesting is t=y (RFC 9989).
	DMARCPolicy  Disposition `json:"dmarc_policy"`
	DMARCTesting bool        `json:"dmarc_testing,omitempty"`
	// Recipients are the distinct internal recipient addresses, sorted.
	Recipients     []string  `json:"recipients"`
	RecipientCount int       `json:"recipient_count"`
	FirstSeen      time.Time `json:"first_seen"`
	LastSeen       time.Time `json:"last_seen"`
	// Exception is the active exception covering the partner's mail, or
	// nil.
	Exception *PartnerException `json:"exception"`
	// Blocked counts the messages enforcing would stop: they trip a rule
	// no active exception fully covers. Allowed counts those an
	// exception lets through.
	Blocked           int           `json:"blocked"`
	Allowed           int           `json:"allowed_by_exception"`
	VerdictIfEnforced ImpactVerdict `json:"verdict_if_enforced"`

	recipients map[string]bool
	exceptions map[int]*PartnerException
	failSeen   time.Time // date of the latest DMARC failure, for DMARCPolicy
}

// PartnerException is the active exception a partner relies on.
type PartnerException struct {
	ID      int             `json:"id"`
	Scope   ExceptionScope  `json:"scope"`
	Value   string          `json:"value"`
	Kinds   []ExceptionKind `json:"kinds"`
	Expires time.Time       `json:"expires"`
	// Messages counts the partner's messages it covers.
	Messages int `json:"messages"`
}

// ImpactOptions tune the aggregation.
type ImpactOptions struct {
	// Since and Until bound the period by the message Date (Until
	// exclusive); zero means open. Undated messages are counted only
	// when the period is open on both sides.
	Since, Until time.Time
	// HomeDomains are the organisation's own domains: only recipients
	// in them (or their subdomains) are listed. Empty lists every
	// recipient.
	HomeDomains []string
	// Now is when exceptions are judged active.
	Now time.Time
}

// ImpactCounter aggregates messages into partners one at a time, so that
// a scan never holds the whole quarantine.
type ImpactCounter struct {
	opts     ImpactOptions
	policy   *Policy
	partners map[string]*Partner
}

// NewImpactCounter starts an aggregation judged against policy (nil for
// none).
func NewImpactCounter(policy *Policy, opts ImpactOptions) *ImpactCounter {
	if policy == nil {
		policy = &Policy{}
	}
	return &ImpactCounter{opts: opts, policy: policy, partners: map[string]*Partner{}}
}

// InPeriod reports whether m's date falls in the options' period.
func (o ImpactOptions) InPeriod(m *Message) bool { return o.inPeriod(m.Date) }

// inPeriod reports whether a message dated d falls in the period.
func (o ImpactOptions) inPeriod(d time.Time) bool {
	if d.IsZero() {
		return o.Since.IsZero() && o.Until.IsZero()
	}
	return (o.Since.IsZero() || !d.Before(o.Since)) && (o.Until.IsZero() || d.Before(o.Until))
}

// Add counts m when it is in the period. Password mails found by PPAP
// pairing count as messages of their partner like any other.
func (c *ImpactCounter) Add(m *Message) {
	if !c.opts.inPeriod(m.Date) {
		return
	}
	c.add(partnerFactsOf(m))
}

// add counts one message in the period by what the inventory reads of
// it (from a message, Add; from a row, AddRow).
func (c *ImpactCounter) add(f partnerFacts) {
	dom := f.partner
	p := c.partners[dom]
	if p == nil {
		p = &Partner{Domain: dom, Encryption: map[Encryption]int{}, recipients: map[string]bool{}, exceptions: map[int]*PartnerException{}}
		c.partners[dom] = p
	}
	p.Messages++
	if d := strings.ToLower(f.fromDomain); d != "" && !slices.Contains(p.FromDomains, d) {
		p.FromDomains = append(p.FromDomains, d)
		slices.Sort(p.FromDomains)
	}
	if f.encrypted {
		p.Encrypted++
		method := f.encryption
		if method == EncryptionNone {
			method = EncryptionUnknown // the verdict says encrypted, the method is not known
		}
		p.Encryption[method]++
		if f.passwordFound {
			p.WithPasswordMail++
		}
	}
	if f.risky {
		p.Risky++
	}
	if f.dmarcFail {
		p.DMARCFail++
	}
	// The policy shown is the one the latest failing message met, else
	// the latest one seen: a partner's subdomains may publish their own.
	if f.auth {
		if f.dmarcFail && (p.failSeen.IsZero() || !f.date.Before(p.failSeen)) {
			p.failSeen = f.date
			p.DMARCPolicy, p.DMARCTesting = f.dmarcPolicy, f.dmarcTesting
		} else if !f.dmarcFail && p.failSeen.IsZero() && (p.LastSeen.IsZero() || !f.date.Before(p.LastSeen)) {
			p.DMARCPolicy, p.DMARCTesting = f.dmarcPolicy, f.dmarcTesting
		}
	}
	if !f.date.IsZero() {
		if p.FirstSeen.IsZero() || f.date.Before(p.FirstSeen) {
			p.FirstSeen = f.date
		}
		if f.date.After(p.LastSeen) {
			p.LastSeen = f.date
		}
	}
	for a := range f.recipients {
		if c.internal(a) {
			p.recipients[a] = true
		}
	}
	if len(f.required) == 0 {
		return
	}
	x := c.policy.match(f.fromAddr, f.fromDomain, f.required, c.opts.Now)
	if x.Allows() {
		p.Allowed++
	} else {
		p.Blocked++
	}
	if x != nil {
		pe := p.exceptions[x.ID]
		if pe == nil {
			e := c.policy.Find(x.ID)
			pe = &PartnerException{ID: e.ID, Scope: e.Scope, Value: e.Value, Kinds: slices.Clone(e.Kinds), Expires: e.Expires}
			p.exceptions[x.ID] = pe
		}
		pe.Messages++
	}
}

// passwordFound reports whether some encrypted archive of m was opened
// with a password found in another mail.
func passwordFound(m *Message) bool {
	for i := range m.Attachments {
		if a := m.Attachments[i].Archive; a != nil && a.PasswordSource != "" {
			return true
		}
	}
	return false
}

// internal reports whether addr is in one of the home domains (always
// true when none are configured).
func (c *ImpactCounter) internal(addr string) bool {
	if len(c.opts.HomeDomains) == 0 {
		return true
	}
	dom := addr[strings.LastIndexByte(addr, '@')+1:]
	for _, h := range c.opts.HomeDomains {
		h = strings.ToLower(strings.TrimSpace(h))
		if dom == h || strings.HasSuffix(dom, "."+h) {
			return true
		}
	}
	return false
}

// Partners returns the partners, most blocked messages first, then most
// encrypted, most messages, and by domain.
func (c *ImpactCounter) Partners() []Partner {
	out := make([]Partner, 0, len(c.partners))
	for _, p := range c.partners {
		q := *p
		q.FromDomains = append([]string{}, p.FromDomains...)
		q.Recipients = make([]string, 0, len(p.recipients))
		for r := range p.recipients {
			q.Recipients = append(q.Recipients, r)
		}
		slices.Sort(q.Recipients)
		q.RecipientCount = len(q.Recipients)
		for _, e := range p.exceptions {
			if q.Exception == nil || e.Messages > q.Exception.Messages ||
				(e.Messages == q.Exception.Messages && e.ID < q.Exception.ID) {
				q.Exception = e
			}
		}
		switch {
		case q.Blocked > 0:
			q.VerdictIfEnforced = ImpactBlocked
		case q.Allowed > 0:
			q.VerdictIfEnforced = ImpactAllowedByException
		default:
			q.VerdictIfEnforced = ImpactUnaffected
		}
		q.recipients, q.exceptions, q.failSeen = nil, nil, time.Time{}
		out = append(out, q)
	}
	slices.SortFunc(out, func(a, b Partner) int {
		return cmp.Or(
			cmp.Compare(b.Blocked, a.Blocked),
			cmp.Compare(b.Encrypted, a.Encrypted),
			cmp.Compare(b.Messages, a.Messages),
			cmp.Compare(a.Domain, b.Domain),
		)
	})
	return out
}

// PartnerDomain is the partner m belongs to: the organizational domain
// the DMARC evaluation found (RFC 9989 tree walk, or the header's), else
// the registrable domain of the From domain by the public suffix list,
// else the From domain itself; "" when m has no single From address.
func PartnerDomain(m *Message) string {
	if m.Auth != nil && m.Auth.DMARC.OrgDomain != "" {
		return strings.ToLower(m.Auth.DMARC.OrgDomain)
	}
	if m.FromDomain == "" {
		return ""
	}
	if org, err := publicsuffix.EffectiveTLDPlusOne(m.FromDomain); err == nil {
		return org
	}
	return m.FromDomain
}

// recipientAddr returns the lower-cased address of one To or Cc entry
// ("Name <a@b>" or "a@b"), or "" when it has none.
func recipientAddr(s string) string {
	if a, err := mail.ParseAddress(s); err == nil {
		return strings.ToLower(a.Address)
	}
	if i := strings.LastIndexByte(s, '<'); i >= 0 {
		s = s[i+1:]
		if j := strings.IndexByte(s, '>'); j >= 0 {
			s = s[:j]
		}
	}
	s = strings.ToLower(strings.TrimSpace(s))
	if strings.Count(s, "@") != 1 {
		return ""
	}
	return s
}
