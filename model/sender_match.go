package model

import "strings"

// Sender is a message's sender as exceptions match it: its From address
// and domain, each normalised once, when an exception of its scope first
// asks, however many exceptions it is then matched against. Normalising
// runs IDNA over the domain: done again for every exception, it was most
// of the cost of annotating a scan under a policy of a few exceptions.
// A Sender is for one goroutine.
type Sender struct {
	addr, domain         string // as the message gives them
	normAddr, normDomain string // normalised; "" when not a valid one
	addrDone, domainDone bool
}

// NewSender is the sender of a message whose From address and domain are
// addr and domain (the domain may be empty: the address's is taken).
func NewSender(addr, domain string) Sender { return Sender{addr: addr, domain: domain} }

// address returns the normalised address, "" when it is not one.
func (s *Sender) address() string {
	if !s.addrDone {
		if a, err := normalizeAddress(s.addr); err == nil {
			s.normAddr = a
		}
		s.addrDone = true
	}
	return s.normAddr
}

// domainName returns the normalised domain, "" when it is not one.
func (s *Sender) domainName() string {
	if !s.domainDone {
		d := s.domain
		if d == "" {
			if at := strings.LastIndexByte(s.addr, '@'); at >= 0 {
				d = s.addr[at+1:]
			}
		}
		if n, err := normalizeDomain(d); err == nil {
			s.normDomain = n
		}
		s.domainDone = true
	}
	return s.normDomain
}

// CoversSender reports whether the exception's scope and value match s
// (MatchesSender).
func (e *Exception) CoversSender(s *Sender) bool {
	switch e.Scope {
	case ScopeAddress:
		a := s.address()
		return a != "" && a == e.Value
	case ScopeDomain:
		d := s.domainName()
		if d == "" {
			return false
		}
		if parent, ok := strings.CutPrefix(e.Value, "*."); ok {
			return strings.HasSuffix(d, "."+parent) && sameRegistrant(d, parent)
		}
		return d == e.Value
	}
	return false
}
