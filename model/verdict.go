package model

// AttachmentVerdict is the one-word judgement on a message's attachments.
type AttachmentVerdict string

// Attachment verdicts, from harmless to unreadable. A message with both an
// encrypted archive and a risky file is "encrypted": nothing inside can be
// checked, which is the stronger reason to hold it.
const (
	AttachmentClean     AttachmentVerdict = "clean"
	AttachmentRisky     AttachmentVerdict = "risky"
	AttachmentEncrypted AttachmentVerdict = "encrypted"
	AttachmentError     AttachmentVerdict = "error"
)

// Rank orders attachment verdicts by how much attention they need; it is
// the sort key of the attachment column.
func (v AttachmentVerdict) Rank() int {
	switch v {
	case AttachmentClean:
		return 0
	case AttachmentRisky:
		return 2
	case AttachmentEncrypted:
		return 3
	case AttachmentError:
		return 1
	}
	return -1
}

// AuthVerdict is the one-word judgement on the sender's authentication.
type AuthVerdict string

// Authentication verdicts.
const (
	AuthPass AuthVerdict = "pass" // DMARC passes (an aligned SPF or DKIM pass)
	AuthFail AuthVerdict = "fail" // DMARC fails, or a temporary/permanent error prevents a pass
	AuthNone AuthVerdict = "none" // the From domain publishes no DMARC policy and nothing aligned passed
	// AuthTempError: DNS could not be reached, so nothing could be
	// checked; not a failure (issue 13; the console's side is issue 15).
	AuthTempError AuthVerdict = "temperror"
)

// Verdict sums up a message for the operator.
type Verdict struct {
	Attachment AttachmentVerdict `json:"attachment"`
	Auth       AuthVerdict       `json:"auth,omitempty"`
	// Reasons are sentences for humans, most important first.
	Reasons []string `json:"reasons"`
}
