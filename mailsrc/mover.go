package mailsrc

import (
	"context"

	"mxaudit/model"
)

// Mover is an optional interface of a Source that can act on its messages:
// release them to a mailbox where the recipient will see them, or delete
// them. Both fail with an error wrapping ErrNotFound when the message is
// already gone (another operator acted first), so that the caller can say
// so rather than report a failure.
type Mover interface {
	// Release moves the message to dest; "" means the source's configured
	// release mailbox.
	Release(ctx context.Context, id model.MessageID, dest string) error
	// Delete removes the message the way the source is configured to:
	// typically by moving it to a trash mailbox.
	Delete(ctx context.Context, id model.MessageID) error
}
