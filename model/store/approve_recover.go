package store

import (
	"bytes"
	"fmt"

	"mxaudit/model"
)

// recoverApproval completes an approval of exception id that the audit
// log holds but the policy file lost: the policy write after the record
// failed, or the process died between the two (or, before approvals were
// written in one step, between the first write and the binding). It
// returns the record it bound e to, nil when there is nothing to recover
// (then the approval goes ahead as usual), or an error when e carries an
// approval that nothing in the log proves.
//
// A record proves an approval only when it is an ok approval of this
// exception and its digest (Exception.ApprovedContent) is that of the
// exception as it stands, with the approver, and the time the record
// gives: the content approved is the content in force.
func recoverApproval(p *model.Policy, auditPath, policyPath string, id int) (*model.AuditEntry, error) {
	e := p.Find(id)
	if e == nil || !e.Revoked.IsZero() {
		return nil, nil // the approval refuses it in its own words
	}
	lost := e.ApprovedBy == ""                              // the record was written, the policy not
	unbound := e.ApprovedBy != "" && e.ApprovalRecord == "" // written, never bound
	if !lost && !unbound {
		return nil, nil
	}
	records, revokedAt, err := approvalRecords(auditPath, id)
	if err != nil {
		return nil, fmt.Errorf("cannot approve exception %d: the audit log cannot be read to look for its approval: %w", id, err)
	}
	for i := len(records) - 1; i >= 0; i-- { // the latest first
		rec := &records[i]
		if rec.Seq < revokedAt {
			break // approved before a revocation: that approval ended
		}
		cand := *e
		if lost {
			cand.ApprovedBy, cand.ApprovedFrom, cand.Approved = rec.Operator, rec.SSHClient, rec.Time.UTC()
		}
		if confirms(rec, &cand, rec.Seq, rec.Hash) == "" {
			*e = cand
			bind(e, rec)
			return rec, nil
		}
	}
	if unbound {
		return nil, fmt.Errorf("cannot approve exception %d: it already carries an approval by %s that no audit record confirms "+
			"(typed into the file, or left by a crash of an older mxaudit before its record was written); "+
			"it does not apply. Remove the approved_by, approved_from and approved lines of exception %d from %s, "+
			"or revoke it and request it again, then approve it",
			id, e.ApprovedBy, id, policyPath)
	}
	return nil, nil
}

// approvalRecords returns the whole, unedited approval records of
// exception id with outcome ok, in log order, and the sequence number of
// its last ok revocation (0 for none), reading the log under a shared
// lock. Only lines that name either action are decoded.
func approvalRecords(path string, id int) ([]model.AuditEntry, int, error) {
	approveMarker := []byte(`"action":"` + string(model.ActionExceptionApprove) + `"`)
	var out []model.AuditEntry
	revokedAt := 0
	err := scanRecords(path, func(_ int, raw []byte) bool {
		return bytes.Contains(raw, approveMarker) || bytes.Contains(raw, revokeMarker)
	}, func(rec *model.AuditEntry) {
		if rec.ExceptionID != id || rec.Outcome != model.OutcomeOK {
			return
		}
		switch rec.Action {
		case model.ActionExceptionApprove:
			out = append(out, *rec)
		case model.ActionExceptionRevoke:
			revokedAt = rec.Seq
		}
	})
	return out, revokedAt, err
}
