package model

import (
	"fmt"
	"slices"
	"strings"
	"time"
	"unicode"
)

// ExceptionScope says what an exception's Value names: one sender address
// or one sender domain.
type ExceptionScope string

// Exception scopes.
const (
	// ScopeAddress matches one From address, compared case-insensitively.
	ScopeAddress ExceptionScope = "address"
	// ScopeDomain matches the From domain exactly ("example.co.jp"), or,
	// written "*.example.co.jp", every subdomain of it but not the domain
	// itself. A plain domain never covers its subdomains: a partner's
	// exception must not extend to whatever host names someone can create
	// under it.
	ScopeDomain ExceptionScope = "domain"
)

// ExceptionKind is a rule an exception relaxes.
type ExceptionKind string

// Exception kinds, one per release rule a message can trip.
const (
	KindEncryptedArchive ExceptionKind = "encrypted-archive" // a password-protected archive nobody can inspect
	KindDMARCFail        ExceptionKind = "dmarc-fail"        // DMARC fails while the domain publishes p=reject
	KindRiskyType        ExceptionKind = "risky-type"        // an executable, macro, disk image or other risky file
)

// ExceptionKinds lists every kind, in the order they are shown.
var ExceptionKinds = []ExceptionKind{KindEncryptedArchive, KindDMARCFail, KindRiskyType}

// ParseExceptionKind returns the kind named s, or an error listing the
// valid names.
func ParseExceptionKind(s string) (ExceptionKind, error) {
	k := ExceptionKind(strings.ToLower(strings.TrimSpace(s)))
	if slices.Contains(ExceptionKinds, k) {
		return k, nil
	}
	return "", fmt.Errorf("unknown exception kind %q (want encrypted-archive, dmarc-fail or risky-type)", s)
}

// Expiry limits. An exception always ends: "never" is refused, so that
// every exception is looked at again at least once a year.
const (
	DefaultExceptionLifetime = 90 * 24 * time.Hour
	MaxExceptionLifetime     = 365 * 24 * time.Hour
	// ExpiringWindow is how far ahead the "expiring soon" view looks.
	ExpiringWindow = 14 * 24 * time.Hour
)

// Exception is one entry of the exception policy: a sender (address or
// domain) whose messages may be released although they trip the rules
// named in Kinds. It becomes active only once a second person, an
// approver, has approved it; it ends at Expires or when revoked.
//
// Users are compared by their OS user name (Operator.User); the SSH
// client addresses are recorded for the audit but play no part in the
// two-person rule, so that one person logged in twice is still one person.
type Exception struct {
	ID     int
	Scope  ExceptionScope
	Value  string // normalised by NormalizeExceptionValue
	Kinds  []ExceptionKind
	Reason string // why the exception is needed; required

	RequestedBy   string // OS user who asked for it
	RequestedFrom string // their SSH client address, "" when local
	Created       time.Time

	ApprovedBy   string // "" while pending
	ApprovedFrom string
	Approved     time.Time
	// ApprovalRecord binds the approval to its audit record: "SEQ:HASH"
	// of the exception-approve record, written by mxaudit once the record
	// is in the log. An approval typed into the file by hand has none.
	ApprovalRecord string
	// Unverified, set when the policy is read from its file, says why the
	// approval could not be matched with its audit record ("" when it
	// was). It is not stored: it is worked out again on every load.
	Unverified string

	Expires time.Time

	RevokedBy    string
	Revoked      time.Time // zero unless revoked
	RevokeReason string

	// Hits counts the releases the exception allowed; LastHit is the
	// latest one (zero when never used).
	Hits    int
	LastHit time.Time
}

// ExceptionStatus is where an exception stands at a given time.
type ExceptionStatus string

// Exception statuses. Only an active exception covers messages.
const (
	StatusPending ExceptionStatus = "pending" // requested, waiting for an approver
	StatusActive  ExceptionStatus = "active"
	StatusExpired ExceptionStatus = "expired"
	StatusRevoked ExceptionStatus = "revoked"
	// StatusInvalid is an approval that breaks the two-person rule: the
	// approver is the requester or is not (any longer) in the approvers
	// list. It is what a hand-edited policy file gets.
	StatusInvalid ExceptionStatus = "invalid"
	// StatusUnverified is an approval the audit log does not confirm
	// (Exception.Unverified says why): written by hand, or bound to a
	// record that is missing or different. It does not apply.
	StatusUnverified ExceptionStatus = "unverified"
)

// Status returns the exception's status at now, given the users allowed
// to approve. Revocation wins over expiry, expiry over approval.
func (e *Exception) Status(now time.Time, approvers []string) ExceptionStatus {
	switch {
	case !e.Revoked.IsZero():
		return StatusRevoked
	case !now.Before(e.Expires):
		return StatusExpired
	case e.ApprovedBy == "":
		return StatusPending
	case SameUser(e.ApprovedBy, e.RequestedBy) || !IsApprover(e.ApprovedBy, approvers),
		e.Created.After(now) || e.Approved.After(now):
		return StatusInvalid
	case e.Unverified != "":
		return StatusUnverified
	}
	return StatusActive
}

// SameUser reports whether two user names are the same person. The
// comparison ignores case and the "(from $USER)" mark: treating "Sato"
// and "sato", or "sato (from $USER)" and "sato", as two people would let
// one person satisfy the two-person rule alone.
func SameUser(a, b string) bool {
	return strings.EqualFold(bareName(a), bareName(b))
}

// bareName is a recorded user name without the mark.
func bareName(s string) string {
	return strings.TrimSpace(strings.TrimSuffix(strings.TrimSpace(s), strings.TrimSpace(FromEnvMark)))
}

// IsApprover reports whether user is in the approvers list. A name marked
// as taken from $USER never is: anyone can set $USER.
func IsApprover(user string, approvers []string) bool {
	if strings.TrimSpace(user) == "" || strings.HasSuffix(strings.TrimSpace(user), strings.TrimSpace(FromEnvMark)) {
		return false
	}
	for _, a := range approvers {
		if SameUser(a, user) {
			return true
		}
	}
	return false
}

// Covers reports whether the exception's sender matches m's From address
// or domain. It ignores status and kinds.
func (e *Exception) Covers(m *Message) bool {
	return e.MatchesSender(m.FromAddr, m.FromDomain)
}

// MatchesSender reports whether the exception's scope and value match a
// sender address and domain. Both sides are normalised, so that an
// address with an upper-case or Unicode domain still matches. A sender
// matched against many exceptions is normalised once (CoversSender).
func (e *Exception) MatchesSender(addr, domain string) bool {
	s := NewSender(addr, domain)
	return e.CoversSender(&s)
}

// HasKind reports whether the exception relaxes rule k.
func (e *Exception) HasKind(k ExceptionKind) bool { return slices.Contains(e.Kinds, k) }

// Describe sums up the exception in one line for lists and audit records:
// "domain partner.example.co.jp: encrypted-archive, dmarc-fail".
func (e *Exception) Describe() string {
	return fmt.Sprintf("%s %s: %s", e.Scope, e.Value, joinKinds(e.Kinds))
}

func joinKinds(kinds []ExceptionKind) string {
	s := make([]string, len(kinds))
	for i, k := range kinds {
		s[i] = string(k)
	}
	return strings.Join(s, ", ")
}

// Validate checks an exception as read from the policy file: a known
// scope, a valid normalised value, known kinds, a reason, a requester, a
// creation time, and an expiry within MaxExceptionLifetime of it.
func (e *Exception) Validate() error {
	if e.ID <= 0 {
		return fmt.Errorf("id %d: must be a positive number", e.ID)
	}
	v, err := NormalizeExceptionValue(e.Scope, e.Value)
	if err != nil {
		return err
	}
	if v != e.Value {
		return fmt.Errorf("value %q: write it as %q", e.Value, v)
	}
	if len(e.Kinds) == 0 {
		return fmt.Errorf("no kinds: name at least one of encrypted-archive, dmarc-fail, risky-type")
	}
	for i, k := range e.Kinds {
		if _, err := ParseExceptionKind(string(k)); err != nil {
			return err
		}
		if slices.Contains(e.Kinds[:i], k) {
			return fmt.Errorf("kind %s listed twice", k)
		}
	}
	if err := checkText("reason", e.Reason, true); err != nil {
		return err
	}
	if strings.TrimSpace(e.RequestedBy) == "" {
		return fmt.Errorf("requested_by is empty")
	}
	for _, f := range []struct{ name, value string }{
		{"requested_by", e.RequestedBy}, {"requested_from", e.RequestedFrom},
		{"approved_by", e.ApprovedBy}, {"approved_from", e.ApprovedFrom},
		{"revoked_by", e.RevokedBy}, {"revoke_reason", e.RevokeReason},
	} {
		if err := checkText(f.name, f.value, false); err != nil {
			return err
		}
	}
	if e.ApprovedBy != "" && e.Approved.IsZero() {
		return fmt.Errorf("approved_by is set but approved (the time) is not")
	}
	if e.Created.IsZero() || e.Expires.IsZero() {
		return fmt.Errorf("created and expires are both required")
	}
	if !e.Expires.After(e.Created) {
		return fmt.Errorf("expires %s is not after created %s", day(e.Expires), day(e.Created))
	}
	if e.Expires.Sub(e.Created) > MaxExceptionLifetime {
		return fmt.Errorf("expires %s is more than 365 days after created %s", day(e.Expires), day(e.Created))
	}
	if e.Hits < 0 {
		return fmt.Errorf("hits %d is negative", e.Hits)
	}
	return nil
}

// maxTextLen bounds reasons typed by operators: long enough for a
// ticket reference and a sentence or two.
const maxTextLen = 500

// checkText rejects control characters (they would reach terminals and
// exported maps) and over-long text; required text must not be blank.
func checkText(what, s string, required bool) error {
	if required && strings.TrimSpace(s) == "" {
		return fmt.Errorf("%s is required", what)
	}
	if len(s) > maxTextLen {
		return fmt.Errorf("%s is longer than %d bytes", what, maxTextLen)
	}
	for _, r := range s {
		if unicode.IsControl(r) || unicode.Is(unicode.Bidi_Control, r) || r == '\u2028' || r == '\u2029' {
			return fmt.Errorf("%s contains a control or bidi character", what)
		}
	}
	return nil
}

// day formats a time as the date people read in lists: "2027-03-01".
func day(t time.Time) string { return t.UTC().Format(time.DateOnly) }
