package store

import (
	"fmt"
	"time"

	"mxaudit/model"
)

// changeApproval approves exception entry.ExceptionID with change (which
// calls model.Policy.Approve) so that no crash leaves an approval the log
// does not show, nor one that cannot be completed: under the policy lock
// the audit record is appended (and fsynced) first, carrying the digest of
// the exception as approved, and then the policy is written once, with
// the approval and its approval_record together.
//
// A crash between the two leaves the record without the approval in the
// file. The next approval of that exception finds the record and binds it
// instead of asking for a second one (recoverApproval), so the approval
// the approver gave is the one that applies.
func changeApproval(ps *PolicyStore, log *AuditLog, entry *model.AuditEntry, change func(*model.Policy) error) (model.Policy, error) {
	var recovered *model.AuditEntry
	var written *model.AuditEntry
	p, err := ps.UpdateRecorded(func(p *model.Policy) error {
		rec, err := recoverApproval(p, log.Path(), ps.Path(), entry.ExceptionID)
		if err != nil || rec != nil {
			recovered = rec
			return err
		}
		return change(p)
	}, func(p *model.Policy) error {
		if recovered != nil {
			return nil // its record is in the log already
		}
		if entry.ExceptionID == 0 {
			entry.ExceptionID = justApproved(p)
		}
		e := p.Find(entry.ExceptionID)
		if e == nil {
			return fmt.Errorf("no exception %d", entry.ExceptionID)
		}
		entry.SetOutcome(nil)
		entry.ExceptionSHA256 = e.ApprovedContent() // what the approver vouches for
		if !e.Approved.IsZero() {
			// The record's time is the approval's, so that a lost policy
			// write can be rebuilt from the record (recoverApproval).
			entry.Time = e.Approved
		}
		rec, err := log.Append(*entry)
		if err != nil {
			written = entry // nothing was recorded: record no failure either
			return err
		}
		written = &rec
		bind(e, &rec)
		return nil
	})
	switch {
	case err == nil && recovered != nil:
		*entry = *recovered
		return p, nil
	case err == nil:
		*entry = *written
		return p, nil
	case written == nil:
		// Refused before anything was recorded.
		return p, recordFailure(log, entry, err)
	case written != entry:
		// Recorded, but the policy was not written: say so in the log as
		// well; the approval is recovered by approving again.
		err = fmt.Errorf("the approval is in audit record %d but the policy file could not be written (%w); run the approval again to bind it", written.Seq, err)
		failed := *entry
		failed.Time = time.Time{}
		return p, recordFailure(log, &failed, err)
	}
	return p, err
}

// bind ties approval e to its audit record.
func bind(e *model.Exception, rec *model.AuditEntry) {
	e.ApprovalRecord = Anchor{Seq: rec.Seq, Hash: rec.Hash}.String()
	e.Unverified = ""
}

// justApproved returns the ID of the one exception change has just
// approved, for a caller that did not name it in the record: approved,
// not yet bound, and not an approval read from the file (those were
// marked unverified on reading). 0 when there is not exactly one.
func justApproved(p *model.Policy) int {
	id := 0
	for i := range p.Exceptions {
		e := &p.Exceptions[i]
		if e.ApprovedBy != "" && e.ApprovalRecord == "" && e.Unverified == "" {
			if id != 0 {
				return 0
			}
			id = e.ID
		}
	}
	return id
}
