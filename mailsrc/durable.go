package mailsrc

import (
	"errors"
	"fmt"
)

// ErrNotDurable is wrapped by the error of a move that was done — the
// message is at its new place and no longer at the old one — but whose
// directory fsync failed, so that a crash of the host before the file
// system writes its directories back might show the message at the old
// place again. The move must count as done: a caller that took it for a
// failure would believe a deleted message still in the quarantine, or
// move it "back" from where it is not. Callers act on it as on success
// and record the warning (action records it in the audit detail).
var ErrNotDurable = errors.New("moved, but the move may not survive a crash of the host (directory fsync failed)")

// notDurable wraps a fsync error of a move done in ErrNotDurable; nil
// stays nil.
func notDurable(err error) error {
	if err == nil {
		return nil
	}
	return fmt.Errorf("%w: %w", ErrNotDurable, err)
}
