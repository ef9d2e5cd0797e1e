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
//
// An approval goes the other way round (see changeApproval): its record
// first, then one write of the policy bound to it.
func ChangePolicy(ps *PolicyStore, auditPath string, entry *model.AuditEntry, change func(*model.Policy) error) (model.Policy, error) {
	// Open the log first: if it cannot be written, nothing is changed.
	log, err := OpenAuditLog(auditPath)
	if err != nil {
		return model.Policy{}, err
	}
	if entry.Action == model.ActionExceptionApprove {
		return changeApproval(ps, log, entry, change)
	}
	logged := false
	p, err := ps.Update(change, func(p *model.Policy) error {
		logged = true
		entry.SetOutcome(nil)
		_, err := log.Append(*entry)
		return err
	})
	if err != nil && !logged {
		return p, recordFailure(log, entry, err)
	}
	return p, err
}

// recordFailure appends entry with err as its outcome and returns err,
// joined with the reason when the record could not be written either.
func recordFailure(log *AuditLog, entry *model.AuditEntry, err error) error {
	entry.SetOutcome(err)
	if _, logErr := log.Append(*entry); logErr != nil {
		return errors.Join(err, fmt.Errorf("the failure could not be recorded: %w", logErr))
	}
	return err
}
