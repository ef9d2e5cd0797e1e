package model

import (
	"fmt"
	"time"
)

// Why explains, for people, an exception that does not apply although it
// was approved: the broken two-person rule, a date in the future (which
// would stretch the 365-day limit), or an approval the audit log does not
// confirm. It is "" for any other status.
func (e *Exception) Why(now time.Time, approvers []string) string {
	switch e.Status(now, approvers) {
	case StatusInvalid:
		switch {
		case SameUser(e.ApprovedBy, e.RequestedBy):
			return fmt.Sprintf("approved by its requester %s: a second person must approve", e.RequestedBy)
		case !IsApprover(e.ApprovedBy, approvers):
			return fmt.Sprintf("%s is not in the approvers list", e.ApprovedBy)
		case e.Created.After(now):
			return fmt.Sprintf("created %s is in the future", e.Created.UTC().Format(time.RFC3339))
		case e.Approved.After(now):
			return fmt.Sprintf("approved %s is in the future", e.Approved.UTC().Format(time.RFC3339))
		}
	case StatusUnverified:
		return e.Unverified
	}
	return ""
}
