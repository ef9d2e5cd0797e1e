package model

import "strings"

// Interner shares the repeated strings of messages that are kept for a
// while outside a Table, as the table's own interner does for its rows
// (see interner): PPAP pairing holds ZIP mails and their candidate
// password mails for a day's window, and indexes every message of two
// windows by sender. Interning replaces strings with equal ones, so what
// readers see does not change. The zero value is ready; an Interner is
// not safe for concurrent use.
type Interner struct{ in interner }

// String returns the shared copy of s (s itself past the bounds, or on a
// nil Interner, as for the other methods).
func (x *Interner) String(s string) string {
	if x == nil {
		return s
	}
	return x.in.str(s)
}

// Owned is String for a string kept long after the message it came
// from: where no shared copy is made (past the bounds, or on a nil
// Interner), a copy of s rather than s, which may be cut from a larger
// buffer — a cached message's head, whose strings share one allocation
// — and would keep all of it alive.
func (x *Interner) Owned(s string) string {
	if x == nil {
		return strings.Clone(s)
	}
	if c, shared := x.in.intern(s); shared {
		return c
	}
	return strings.Clone(s)
}

// Strings returns ss with its elements shared, in a new slice when any
// changes (ss is never written).
func (x *Interner) Strings(ss []string) []string {
	if x == nil {
		return ss
	}
	return x.in.strs(ss)
}

// Message returns m with its repeated strings shared; what changes is
// copied, never written in place.
func (x *Interner) Message(m Message) Message {
	if x == nil {
		return m
	}
	return x.in.message(m)
}

// Len is the number of strings held.
func (x *Interner) Len() int {
	if x == nil {
		return 0
	}
	return len(x.in.m)
}
