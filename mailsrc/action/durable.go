package action

import (
	"errors"

	"mxaudit/mailsrc"
	"mxaudit/model"
)

// moveWarning handles the error of a move in the quarantine: one that was
// done but may not survive a crash of the host (mailsrc.ErrNotDurable)
// counts as done, since the message has moved; the warning goes into the
// audit record's detail, so that an auditor who later finds the message
// at its old place knows why. Any other error is returned as it is.
func moveWarning(entry *model.AuditEntry, err error) error {
	if err == nil || !errors.Is(err, mailsrc.ErrNotDurable) {
		return err
	}
	if entry.Detail != "" {
		entry.Detail += "; "
	}
	entry.Detail += "warning: " + err.Error()
	return nil
}

// undone reports whether an undo moved the message back: it did when it
// succeeded, or when only its directory fsync failed.
func undone(err error) bool { return err == nil || errors.Is(err, mailsrc.ErrNotDurable) }
