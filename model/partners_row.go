package model

import (
	"iter"
	"slices"
	"time"
)

// The partner inventory counts rows as it counts messages: the console
// lists rows, not full messages. Add and AddRow read the same facts
// (partnerFacts), one from the message, the other from its row, and
// share the counting.

// partnerFacts is what the inventory reads of a message.
type partnerFacts struct {
	date                 time.Time
	partner              string // PartnerDomain
	fromAddr, fromDomain string
	encrypted            bool
	encryption           Encryption
	passwordFound        bool
	risky, dmarcFail     bool
	// auth is set when the message was analysed with authentication;
	// dmarcPolicy and dmarcTesting are then the DMARC record's p= and
	// t=y.
	auth         bool
	dmarcPolicy  Disposition
	dmarcTesting bool
	// recipients yields the recipient addresses of To and Cc
	// (recipientAddr), those that have one.
	recipients iter.Seq[string]
	required   []ExceptionKind
}

// partnerFactsOf reads the inventory's facts from a message.
func partnerFactsOf(m *Message) partnerFacts {
	f := partnerFacts{
		date: m.Date, partner: PartnerDomain(m), fromAddr: m.FromAddr, fromDomain: m.FromDomain,
		encrypted: m.IsEncrypted(), encryption: m.Encryption(), passwordFound: passwordFound(m),
		risky: m.IsRisky(), dmarcFail: m.IsDMARCFail(), auth: m.Auth != nil,
		recipients: slices.Values(recipientAddrs(m)), required: RequiredKinds(m),
	}
	if m.Auth != nil {
		f.dmarcPolicy, f.dmarcTesting = m.Auth.DMARC.Policy, m.Auth.DMARC.Testing
	}
	return f
}

// partnerFactsOfRow reads the inventory's facts from a row.
func partnerFactsOfRow(r *Row) partnerFacts {
	f := partnerFacts{
		date: r.Date(), partner: r.Partner(), fromAddr: r.FromAddr(), fromDomain: r.Domain(),
		encrypted: r.Has(RowEncrypted), encryption: r.Encryption, passwordFound: r.Has(RowPasswordFound),
		risky: r.Has(RowRisky), dmarcFail: r.Has(RowDMARCFail), auth: !r.Has(RowNoAuth),
		recipients: rowRecipients(r), required: r.RequiredKinds(),
	}
	if f.auth {
		// The row's Policy column is the DMARC record's p= (DMARCResult).
		f.dmarcPolicy, f.dmarcTesting = r.Policy, r.Has(RowDMARCTesting)
	}
	return f
}

// AddRow counts the row's message when it is in the period, as Add
// counts the message.
func (c *ImpactCounter) AddRow(r *Row) {
	if !c.opts.inPeriod(r.Date()) {
		return
	}
	c.add(partnerFactsOfRow(r))
}

// recipientAddrs are the addresses of m's To and Cc entries that have
// one (recipientAddr), in order, repeats included.
func recipientAddrs(m *Message) []string {
	var out []string
	for _, l := range [][]string{m.To, m.Cc} {
		for _, s := range l {
			if a := recipientAddr(s); a != "" {
				out = append(out, a)
			}
		}
	}
	return out
}

// rowRecipients yields the recipient addresses of the row's To and Cc
// (recipientAddr) from the lower-cased list the to: term searches:
// recipientAddr lower-cases what it returns, and the case of the rest
// changes nothing it reads (the test checks that on generated headers,
// encoded words and non-ASCII included). It is worked out as the
// inventory counts, as Add does, rather than kept in every row.
func rowRecipients(r *Row) iter.Seq[string] {
	return func(yield func(string) bool) {
		anyPacked(r.to(), func(s string) bool {
			a := recipientAddr(s)
			return a != "" && !yield(a)
		})
	}
}
