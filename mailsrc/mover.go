package mailsrc

import (
	"context"
	"fmt"

	"mxaudit/model"
)

// ErrClaimed is returned (wrapped) by a Mover whose message another
// operator's release or delete has claimed but not yet finished: the
// message is still in the quarantine, yet it is not this caller's to act
// on. It wraps ErrNotFound, so that a caller that only knows "someone
// else got there first" treats it so; a caller that tells the two apart
// can say "being released by another operator" rather than "already gone".
// A claim whose owner died stays until an administrator clears it; the
// wrapping error says how.
var ErrClaimed = fmt.Errorf("claimed by another operator's action in progress: %w", ErrNotFound)

// Mover is an optional interface of a Source that can act on its messages:
// release them to a mailbox where the recipient will see them, or delete
// them. Both fail with an error wrapping ErrNotFound when the message is
// already gone (another operator acted first), or ErrClaimed (which wraps
// ErrNotFound) when another operator is acting on it at that moment, so
// that the caller can say so rather than report a failure.
type Mover interface {
	// Release moves the message to dest; "" means the source's configured
	// release mailbox.
	Release(ctx context.Context, id model.MessageID, dest string) error
	// Delete removes the message the way the source is configured to:
	// typically by moving it to a trash mailbox.
	Delete(ctx context.Context, id model.MessageID) error
}

// Undeleter is an optional interface of a Mover whose Delete moves the
// message to a holding mailbox it can be moved back from (IMAP deleting
// to a trash mailbox): a delete whose audit record cannot be written must
// not stay done, and a source without a ledger has no Claim.Undo.
type Undeleter interface {
	// DeleteUndoable is Delete, and returns the function that moves the
	// message back into the quarantine (under a new ID where the source
	// numbers messages by arrival), or nil when this delete cannot be
	// undone (the message was expunged, or where it went is not known).
	DeleteUndoable(ctx context.Context, id model.MessageID) (undo func(context.Context) error, err error)
}
