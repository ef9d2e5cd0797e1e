package model

import "time"

// DateSource says where a message's Date came from.
type DateSource string

// Where a Date can come from.
const (
	// DateHeader is the message's own Date header (the zero value).
	DateHeader DateSource = ""
	// DateDelivered is the time the quarantine received the message (the
	// file's modification time, an mbox From_ line), used because the
	// message has no usable Date header. Screens mark it as such.
	DateDelivered DateSource = "delivered"
)

// earliestPlausible is the earliest Date taken at face value: before it,
// a date is a sender's broken clock or a forgery.
var earliestPlausible = time.Date(1990, 1, 1, 0, 0, 0, 0, time.UTC)

// DateSuspect reports whether d is implausible at now: more than a day in
// the future, or before 1990. Such dates are flagged on screen and kept
// out of chart ranges (one message dated 3609 must not stretch a chart
// over sixteen centuries).
func DateSuspect(d, now time.Time) bool {
	if d.IsZero() {
		return false
	}
	return d.After(now.Add(24*time.Hour)) || d.Before(earliestPlausible)
}
