package store

import (
	"errors"
	"fmt"
	"strconv"

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
	p, err := ps.Update(change, func(p *model.Policy) error {
		logged = true
		entry.SetOutcome(nil)
		if e := p.Find(entry.ExceptionID); e != nil && entry.Action == model.ActionExceptionApprove {
			entry.ExceptionSHA256 = e.ApprovedContent() // what the approver vouches for
		}
		rec, err := log.Append(*entry)
		if err != nil {
			return err
		}
		// An approval is bound to its record, so that one typed into the
		// file by hand is told apart (verifyApprovals).
		if e := p.Find(entry.ExceptionID); e != nil && entry.Action == model.ActionExceptionApprove {
			e.ApprovalRecord = strconv.Itoa(rec.Seq) + ":" + rec.Hash
			e.Unverified = ""
		}
		return nil
	})
	if err != nil && !logged {
		entry.SetOutcome(err)
		if _, logErr := log.Append(*entry); logErr != nil {
			return p, errors.Join(err, fmt.Errorf("the failure could not be recorded: %w", logErr))
		}
	}
	return p, err
}
