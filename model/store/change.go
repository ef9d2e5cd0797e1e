package store

import (
	"errors"
	"fmt"

	"mxaudit/model"
)

// ChangePolicy applies change to the policy file of ps and records the
// action in the audit log at auditPath, as every front end must (the
// exception commands and the console): the record is written, and
// fsynced, before the change is reported, and when it cannot be written
// the change is undone. An action that fails is recorded as failed.
// change fills in entry (exception ID, detail) before it is written. It
// returns the policy as written, or as read when change failed.
func ChangePolicy(ps *PolicyStore, auditPath string, entry *model.AuditEntry, change func(*model.Policy) error) (model.Policy, error) {
	// Open the log first: if it cannot be written, nothing is changed.
	log, err := OpenAuditLog(auditPath)
	if err != nil {
		return model.Policy{}, err
	}
	logged := false
	p, err := ps.Update(change, func(*model.Policy) error {
		logged = true
		entry.SetOutcome(nil)
		_, err := log.Append(*entry)
		return err
	})
	if err != nil && !logged {
		entry.SetOutcome(err)
		if _, logErr := log.Append(*entry); logErr != nil {
			return p, errors.Join(err, fmt.Errorf("the failure could not be recorded: %w", logErr))
		}
	}
	return p, err
}
