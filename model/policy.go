package model

import (
	"fmt"
	"slices"
	"time"
)

// Policy is the exception policy: the exceptions of the policy file and
// the users allowed to approve them (from the configuration).
type Policy struct {
	Exceptions []Exception
	Approvers  []string
	// NextID is the ID the next exception gets. IDs are never reused,
	// even when entries are removed from the file by hand, so that an
	// audit record naming exception 12 always means the same one.
	NextID int
}

// Find returns the exception with the given ID, or nil.
func (p *Policy) Find(id int) *Exception {
	for i := range p.Exceptions {
		if p.Exceptions[i].ID == id {
			return &p.Exceptions[i]
		}
	}
	return nil
}

// Status returns e's status at now under the policy's approvers.
func (p *Policy) Status(e *Exception, now time.Time) ExceptionStatus {
	return e.Status(now, p.Approvers)
}

// Active returns the exceptions active at now, in ID order.
func (p *Policy) Active(now time.Time) []Exception {
	var out []Exception
	for i := range p.Exceptions {
		if p.Status(&p.Exceptions[i], now) == StatusActive {
			out = append(out, p.Exceptions[i])
		}
	}
	slices.SortFunc(out, func(a, b Exception) int { return a.ID - b.ID })
	return out
}

// Expiring returns the exceptions active at now that expire within
// ExpiringWindow, soonest first.
func (p *Policy) Expiring(now time.Time) []Exception {
	var out []Exception
	for _, e := range p.Active(now) {
		if e.Expires.Sub(now) <= ExpiringWindow {
			out = append(out, e)
		}
	}
	slices.SortStableFunc(out, func(a, b Exception) int { return a.Expires.Compare(b.Expires) })
	return out
}

// RequiredKinds returns the exception kinds m needs before any operator
// may release it: encrypted-archive for an encrypted archive, risky-type
// for a risky file, dmarc-fail when DMARC fails for a domain that asks
// receivers to reject (p=reject, or a reject disposition after sp=) or
// cannot be evaluated at all (permerror, temperror). A
// message that needs none is clean enough for any operator.
func RequiredKinds(m *Message) []ExceptionKind {
	var kinds []ExceptionKind
	if m.IsEncrypted() {
		kinds = append(kinds, KindEncryptedArchive)
	}
	if needsDMARCException(m) {
		kinds = append(kinds, KindDMARCFail)
	}
	if needsRiskyException(m) {
		kinds = append(kinds, KindRiskyType)
	}
	return kinds
}

// needsDMARCException reports whether m requires the dmarc-fail kind.
func needsDMARCException(m *Message) bool {
	return (m.IsDMARCFail() || m.IsAuthTempError()) && dmarcRejects(m)
}

// needsRiskyException reports whether m requires the risky-type kind.
func needsRiskyException(m *Message) bool { return m.IsRisky() || uncheckedForBudget(m) }

// uncheckedForBudget reports whether the PPAP work budget stopped before
// an opened archive's contents were all checked. The budget is partly
// time, so what it leaves unchecked depends on the host's load: what
// nobody could check is held as if risky, never released on an
// encrypted-archive exception alone.
func uncheckedForBudget(m *Message) bool {
	for i := range m.Attachments {
		if a := m.Attachments[i].Archive; a != nil && a.NotChecked == NotCheckedBudget {
			return true
		}
	}
	return false
}

// dmarcRejects reports whether the From domain's DMARC policy asks for
// rejection of failing mail — or whether DMARC could not be evaluated
// (several or no From addresses, a DNS failure), in which case nobody
// knows the policy and a forger must not profit from it: two From fields
// naming a p=reject domain would otherwise pass for unauthenticated mail
// any operator may release.
func dmarcRejects(m *Message) bool {
	if m.Auth == nil {
		return false
	}
	d := m.Auth.DMARC
	if d.Result == ResultPermError || d.Result == ResultTempError {
		return true
	}
	return d.Policy == DispositionReject || d.Disposition == DispositionReject
}

// Covering returns the active exception that best covers m at now, and
// which of m's required kinds it covers; nil when no active exception
// matches m's sender with any kind m needs.
//
// One exception must cover everything for a release: kinds from two
// exceptions are not combined, since each was approved for its own risk.
// Among candidates, the one covering more kinds wins, then an address
// over a domain (the narrower grant), then the later expiry, then the
// lower ID, so that the choice is stable.
func (p *Policy) Covering(m *Message, now time.Time) (*Exception, []ExceptionKind) {
	return p.covering(m.FromAddr, m.FromDomain, RequiredKinds(m), now)
}

// covering is Covering for a sender (its From address and domain, as
// Exception.MatchesSender takes them) that needs the kinds required.
func (p *Policy) covering(addr, domain string, required []ExceptionKind, now time.Time) (*Exception, []ExceptionKind) {
	if len(required) == 0 {
		return nil, nil
	}
	var best *Exception
	var bestKinds []ExceptionKind
	sender := NewSender(addr, domain)
	for i := range p.Exceptions {
		e := &p.Exceptions[i]
		if p.Status(e, now) != StatusActive || !e.CoversSender(&sender) {
			continue
		}
		var kinds []ExceptionKind
		for _, k := range required {
			if e.HasKind(k) {
				kinds = append(kinds, k)
			}
		}
		if len(kinds) == 0 {
			continue
		}
		if best == nil || better(e, len(kinds), best, len(bestKinds)) {
			best, bestKinds = e, kinds
		}
	}
	return best, bestKinds
}

// better reports whether candidate a (covering na kinds) beats b.
func better(a *Exception, na int, b *Exception, nb int) bool {
	if na != nb {
		return na > nb
	}
	if a.Scope != b.Scope {
		return a.Scope == ScopeAddress
	}
	if !a.Expires.Equal(b.Expires) {
		return a.Expires.After(b.Expires)
	}
	return a.ID < b.ID
}

// ExceptionMatch is what a message's verdict shows of the exception that
// covers it.
type ExceptionMatch struct {
	ID         int             `json:"id"`
	Scope      ExceptionScope  `json:"scope"`
	Value      string          `json:"value"` // the address or domain ("*.example.co.jp") the exception names
	ApprovedBy string          `json:"approved_by"`
	Expires    time.Time       `json:"expires"`
	Kinds      []ExceptionKind `json:"kinds"` // the message's required kinds the exception covers
	// Missing are required kinds the exception does not cover; the
	// message cannot be released on the exception while any remain.
	Missing []ExceptionKind `json:"missing,omitempty"`
}

// Allows reports whether the exception covers everything the message
// needs.
func (x *ExceptionMatch) Allows() bool { return x != nil && len(x.Missing) == 0 }

// String is the sentence the verdict shows: "allowed by exception 12,
// approved by sato, expires 2027-03-01", or for a partial cover "exception
// 12 (approved by sato, expires 2027-03-01) covers encrypted-archive but
// not dmarc-fail".
func (x *ExceptionMatch) String() string {
	if x.Allows() {
		return fmt.Sprintf("allowed by exception %d, approved by %s, expires %s", x.ID, x.ApprovedBy, day(x.Expires))
	}
	return fmt.Sprintf("exception %d (approved by %s, expires %s) covers %s but not %s",
		x.ID, x.ApprovedBy, day(x.Expires), joinKinds(x.Kinds), joinKinds(x.Missing))
}

// Match returns what m's verdict shows of the exception covering it at
// now, or nil when none does.
func (p *Policy) Match(m *Message, now time.Time) *ExceptionMatch {
	return p.match(m.FromAddr, m.FromDomain, RequiredKinds(m), now)
}

// match is Match for a sender that needs the kinds required.
func (p *Policy) match(addr, domain string, required []ExceptionKind, now time.Time) *ExceptionMatch {
	e, kinds := p.covering(addr, domain, required, now)
	if e == nil {
		return nil
	}
	x := &ExceptionMatch{ID: e.ID, Scope: e.Scope, Value: e.Value, ApprovedBy: e.ApprovedBy, Expires: e.Expires, Kinds: kinds}
	for _, k := range required {
		if !slices.Contains(kinds, k) {
			x.Missing = append(x.Missing, k)
		}
	}
	return x
}

// Annotate sets m.Exception to the exception covering m at now, or clears
// it when none does (any longer).
func (p *Policy) Annotate(m *Message, now time.Time) { m.Exception = p.Match(m, now) }
