package model

import (
	"slices"
	"time"
)

// Exceptions on rows: a changed policy (an exception approved, revoked,
// expired) is applied to the rows a console lists without their full
// messages. A row carries what Match reads of a message: the sender as
// the message has it (FromAddr and Domain) and the kinds the release
// rules require (RequiredKinds).

// RequiredKinds is RequiredKinds of the row's message, in the same
// order.
func (r *Row) RequiredKinds() []ExceptionKind {
	var kinds []ExceptionKind
	if r.Has(RowEncrypted) {
		kinds = append(kinds, KindEncryptedArchive)
	}
	if r.Has(RowNeedsDMARCFail) {
		kinds = append(kinds, KindDMARCFail)
	}
	if r.Has(RowNeedsRiskyType) {
		kinds = append(kinds, KindRiskyType)
	}
	return kinds
}

// MatchRow is Match for the row's message.
func (p *Policy) MatchRow(r *Row, now time.Time) *ExceptionMatch {
	return p.match(r.FromAddr(), r.Domain(), r.RequiredKinds(), now)
}

// AnnotateRow returns r as Annotate would leave its message at now, and
// whether that changes what the row shows (Same). An unchanged row is
// returned as it is.
func (p *Policy) AnnotateRow(r *Row, now time.Time) (Row, bool) {
	x := p.MatchRow(r, now)
	if x.Same(r.Exception) {
		return *r, false
	}
	return r.WithException(x), true
}

// WithException returns a copy of r covered by x instead (nil: by no
// exception).
func (r *Row) WithException(x *ExceptionMatch) Row {
	c := *r
	c.Exception = x
	return c
}

// Same reports whether x and y show the same cover: the same exception
// with the same expiry, covering the same kinds and missing the same
// ones. Two nil matches are the same.
func (x *ExceptionMatch) Same(y *ExceptionMatch) bool {
	if x == nil || y == nil {
		return x == y
	}
	return x.ID == y.ID && x.Scope == y.Scope && x.Value == y.Value && x.ApprovedBy == y.ApprovedBy &&
		x.Expires.Equal(y.Expires) && slices.Equal(x.Kinds, y.Kinds) && slices.Equal(x.Missing, y.Missing)
}
