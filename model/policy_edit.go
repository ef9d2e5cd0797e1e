package model

import (
	"fmt"
	"slices"
	"strconv"
	"strings"
	"time"
)

// ExceptionRequest is what an operator fills in to ask for an exception.
type ExceptionRequest struct {
	Scope  ExceptionScope
	Value  string
	Kinds  []ExceptionKind
	Reason string
	// Expires is when the exception ends; zero means now plus
	// DefaultExceptionLifetime.
	Expires time.Time
}

// ParseExpiry reads an expiry as operators type it: a number of days
// ("90" or "90d"), a date ("2027-03-01", midnight UTC starting that day)
// or an RFC 3339 time. "never" and anything that is not in the future or
// is more than MaxExceptionLifetime away are refused.
func ParseExpiry(s string, now time.Time) (time.Time, error) {
	s = strings.TrimSpace(s)
	switch strings.ToLower(s) {
	case "":
		return now.Add(DefaultExceptionLifetime), nil
	case "never", "none", "forever", "0", "0d":
		return time.Time{}, fmt.Errorf("an exception must expire: give a date or a number of days up to 365")
	}
	var t time.Time
	if n, err := strconv.Atoi(strings.TrimSuffix(s, "d")); err == nil {
		if n <= 0 || n > 365 {
			return time.Time{}, fmt.Errorf("expiry %q: the number of days must be 1 to 365", s)
		}
		t = now.Add(time.Duration(n) * 24 * time.Hour)
	} else if d, err := time.Parse(time.DateOnly, s); err == nil {
		t = d
	} else if d, err := time.Parse(time.RFC3339, s); err == nil {
		t = d
	} else {
		return time.Time{}, fmt.Errorf("expiry %q: want a date (2027-03-01) or a number of days (90d)", s)
	}
	return t.UTC(), checkExpiry(t, now)
}

func checkExpiry(t, now time.Time) error {
	if !t.After(now) {
		return fmt.Errorf("expiry %s is not in the future", day(t))
	}
	if t.Sub(now) > MaxExceptionLifetime {
		return fmt.Errorf("expiry %s is more than 365 days away", day(t))
	}
	return nil
}

// Add records a new, pending exception requested by op and returns it.
// It does not approve it, even when op is an approver: the two-person
// rule needs someone else.
func (p *Policy) Add(req ExceptionRequest, op Operator, now time.Time) (Exception, error) {
	if op.ReadOnly {
		return Exception{}, ErrReadOnly
	}
	value, err := NormalizeExceptionValue(req.Scope, req.Value)
	if err != nil {
		return Exception{}, err
	}
	var kinds []ExceptionKind
	for _, k := range req.Kinds {
		k, err := ParseExceptionKind(string(k))
		if err != nil {
			return Exception{}, err
		}
		if !slices.Contains(kinds, k) {
			kinds = append(kinds, k)
		}
	}
	if len(kinds) == 0 {
		return Exception{}, fmt.Errorf("name at least one kind: encrypted-archive, dmarc-fail or risky-type")
	}
	reason := strings.TrimSpace(req.Reason)
	if err := checkText("reason", reason, true); err != nil {
		return Exception{}, err
	}
	expires := req.Expires
	if expires.IsZero() {
		expires = now.Add(DefaultExceptionLifetime)
	}
	if err := checkExpiry(expires, now); err != nil {
		return Exception{}, err
	}
	for i := range p.Exceptions {
		old := &p.Exceptions[i]
		st := p.Status(old, now)
		if (st == StatusActive || st == StatusPending) && old.Scope == req.Scope && old.Value == value && sameKinds(old.Kinds, kinds) {
			return Exception{}, fmt.Errorf("exception %d (%s) already exists for %s", old.ID, st, old.Describe())
		}
	}
	e := Exception{
		ID:            p.nextID(),
		Scope:         req.Scope,
		Value:         value,
		Kinds:         kinds,
		Reason:        reason,
		RequestedBy:   op.Identity(),
		RequestedFrom: op.SSHClient,
		Created:       now.UTC(),
		Expires:       expires.UTC(),
	}
	p.Exceptions = append(p.Exceptions, e)
	p.NextID = e.ID + 1
	return e, nil
}

// nextID is the larger of NextID and one past the highest ID in use.
func (p *Policy) nextID() int {
	id := max(p.NextID, 1)
	for i := range p.Exceptions {
		id = max(id, p.Exceptions[i].ID+1)
	}
	return id
}

func sameKinds(a, b []ExceptionKind) bool {
	if len(a) != len(b) {
		return false
	}
	for _, k := range a {
		if !slices.Contains(b, k) {
			return false
		}
	}
	return true
}

// Approve approves pending exception id as op. It refuses when op is not
// a verified approver, is the requester, or the exception is not pending.
func (p *Policy) Approve(id int, op Operator, now time.Time) (Exception, error) {
	if op.ReadOnly {
		return Exception{}, ErrReadOnly
	}
	e := p.Find(id)
	if e == nil {
		return Exception{}, fmt.Errorf("no exception %d", id)
	}
	if op.FromEnv {
		return Exception{}, fmt.Errorf("cannot approve: your identity comes from $USER, which anyone can set")
	}
	if !IsApprover(op.User, p.Approvers) {
		return Exception{}, fmt.Errorf("cannot approve: %s is not in the approvers list", op.User)
	}
	if SameUser(op.User, e.RequestedBy) {
		return Exception{}, fmt.Errorf("cannot approve exception %d: you requested it, and a second person must approve", id)
	}
	if st := p.Status(e, now); st != StatusPending {
		return Exception{}, fmt.Errorf("cannot approve exception %d: it is %s", id, st)
	}
	e.ApprovedBy, e.ApprovedFrom, e.Approved = op.User, op.SSHClient, now.UTC()
	return *e, nil
}

// Revoke ends exception id now. Any operator may revoke: it only makes
// the policy stricter, and it is audited. Revoking twice is an error, so
// that the first revocation's record is kept.
func (p *Policy) Revoke(id int, op Operator, reason string, now time.Time) (Exception, error) {
	if op.ReadOnly {
		return Exception{}, ErrReadOnly
	}
	e := p.Find(id)
	if e == nil {
		return Exception{}, fmt.Errorf("no exception %d", id)
	}
	if !e.Revoked.IsZero() {
		return Exception{}, fmt.Errorf("exception %d was already revoked by %s on %s", id, e.RevokedBy, day(e.Revoked))
	}
	reason = strings.TrimSpace(reason)
	if err := checkText("revoke reason", reason, false); err != nil {
		return Exception{}, err
	}
	e.RevokedBy, e.Revoked, e.RevokeReason = op.Identity(), now.UTC(), reason
	return *e, nil
}

// RecordHit counts a release that exception id allowed.
func (p *Policy) RecordHit(id int, now time.Time) error {
	e := p.Find(id)
	if e == nil {
		return fmt.Errorf("no exception %d", id)
	}
	e.Hits++
	e.LastHit = now.UTC()
	return nil
}

// Validate checks every exception and that IDs are unique, naming the
// first offender by its position (1-based) in the file.
func (p *Policy) Validate() error {
	seen := make(map[int]bool, len(p.Exceptions))
	for i := range p.Exceptions {
		e := &p.Exceptions[i]
		if err := e.Validate(); err != nil {
			return &ExceptionError{Index: i, ID: e.ID, Err: err}
		}
		if seen[e.ID] {
			return &ExceptionError{Index: i, ID: e.ID, Err: fmt.Errorf("id %d is used twice", e.ID)}
		}
		seen[e.ID] = true
	}
	return nil
}

// ExceptionError is a problem with one exception of a policy: Index is its
// position (0-based) in the policy's list, for a caller that can turn it
// into a line number.
type ExceptionError struct {
	Index int
	ID    int
	Err   error
}

func (e *ExceptionError) Error() string { return fmt.Sprintf("exception %d: %v", e.ID, e.Err) }

// Unwrap returns the underlying problem.
func (e *ExceptionError) Unwrap() error { return e.Err }
