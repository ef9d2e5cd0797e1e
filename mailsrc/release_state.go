package mailsrc

import (
	"context"
	"strings"
	"time"

	"mxaudit/model"
)

// Ledger is an optional interface of a local quarantine (a directory or a
// Maildir) that keeps, next to the messages, the state of the actions on
// them: which recipients each message was released to, and where it went
// when it left the quarantine. It lets one operator at a time act on a
// message, across goroutines and processes.
//
// The state lives in the quarantine's released area (".released/.state/",
// one small JSON file per message, replaced atomically), so that every
// operator acting on the quarantine sees it, whatever audit log their own
// configuration names.
type Ledger interface {
	Mover
	// Claim locks the quarantine for one step of an action on message id
	// and returns the message's state. The message may be gone already
	// (Claim.Present reports false): its state then says where it went.
	// The lock is the whole quarantine's, so the caller must Close the
	// claim as soon as the step is done, and never hold it across slow
	// work such as an SMTP delivery.
	Claim(ctx context.Context, id model.MessageID) (*Claim, error)
	// PurgeTrash offers fn, one at a time under the quarantine's lock,
	// the messages in the trash area that were moved there before cutoff
	// (by the state's time, else by the file's modification time), with a
	// function that removes the message for good; fn writes the audit
	// record of its intent before calling it, and of the outcome after.
	// A message that could not be examined comes with Err set and a nil
	// remove. PurgeTrash stops early when fn returns an error.
	PurgeTrash(ctx context.Context, cutoff time.Time, fn func(Purged, func() error) error) error
}

// Purged is one message PurgeTrash removed, or failed to.
type Purged struct {
	ID model.MessageID
	// Trashed is when it was moved to the trash; TrashedBy by whom ("" when
	// it was put there by hand).
	Trashed   time.Time
	TrashedBy string
	Size      int64
	Err       error
}

// Where a message went when it left the quarantine (ReleaseState.Moved).
const (
	MovedReleased = "released"
	MovedTrash    = "trash"
)

// ReleaseState is what is known of the actions on one message.
type ReleaseState struct {
	ID model.MessageID `json:"id"`
	// Releases are the deliveries, one per recipient, in order.
	Releases []ReleaseRecord `json:"releases,omitempty"`
	// Moved is MovedReleased or MovedTrash once the message has left the
	// quarantine, with who moved it and when.
	Moved   string    `json:"moved,omitempty"`
	MovedBy string    `json:"moved_by,omitempty"`
	MovedAt time.Time `json:"moved_at,omitzero"`
}

// ReleaseRecord is the delivery of a message to one recipient.
type ReleaseRecord struct {
	Recipient string `json:"recipient"`
	// Copy is set for a copy to an address that was not an original
	// recipient.
	Copy bool      `json:"copy,omitempty"`
	By   string    `json:"by"`
	At   time.Time `json:"at"`
	// Pending is set from just before the delivery starts until it is
	// confirmed. A pending record left behind (a crash, a connection lost
	// while the relay was answering) means the message may have been
	// delivered: it is not sent again without an operator's decision.
	Pending bool `json:"pending,omitempty"`
}

// Served returns the record of the delivery to addr (compared without
// case), or nil when the message was never sent there.
func (s *ReleaseState) Served(addr string) *ReleaseRecord {
	for i := range s.Releases {
		if strings.EqualFold(s.Releases[i].Recipient, addr) {
			return &s.Releases[i]
		}
	}
	return nil
}
