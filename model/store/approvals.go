package store

import (
	"bufio"
	"bytes"
	"errors"
	"fmt"
	"io/fs"

	"mxaudit/model"
)

// verifyApprovals marks every approved exception of p whose approval the
// audit log at auditPath does not confirm (Exception.Unverified), so that
// an approval typed into the policy file by hand, or bound to a record
// that was changed, does not apply. An approval is confirmed when its
// approval_record "SEQ:HASH" names a record of the log that is whole
// (its hash matches its content), has that hash, and records the approval
// of this exception by this approver, with outcome ok.
//
// The log has no secret key: someone who can write both files can forge
// a record too. The anchor printed by "audit verify", kept off the host,
// is what catches that.
func verifyApprovals(p *model.Policy, auditPath string) {
	want := map[int]bool{}
	for i := range p.Exceptions {
		e := &p.Exceptions[i]
		e.Unverified = ""
		if e.ApprovedBy == "" {
			continue
		}
		seq, _, err := parseApprovalRecord(e.ApprovalRecord)
		if err != nil {
			e.Unverified = err.Error()
			continue
		}
		want[seq] = true
	}
	if len(want) == 0 {
		return
	}
	records, revoked, err := readRecords(auditPath, want)
	for i := range p.Exceptions {
		e := &p.Exceptions[i]
		if e.ApprovedBy == "" || e.Unverified != "" {
			continue
		}
		if err != nil {
			e.Unverified = "the audit log cannot be read to confirm the approval: " + err.Error()
			continue
		}
		seq, hash, _ := parseApprovalRecord(e.ApprovalRecord)
		e.Unverified = confirms(records[seq], e, seq, hash)
		if e.Unverified == "" && revoked[e.ID] > seq {
			// The revoked line was taken out of the policy file: the
			// log still says the approval ended.
			e.Unverified = fmt.Sprintf("audit record %d revoked exception %d after its approval in record %d", revoked[e.ID], e.ID, seq)
		}
	}
}

// parseApprovalRecord reads an approval_record, an Anchor written as
// "SEQ:HASH".
func parseApprovalRecord(s string) (int, string, error) {
	if s == "" {
		return 0, "", errors.New("no approval_record: the approval is not bound to an audit record (approve it with \"mxaudit exception approve\")")
	}
	a, err := ParseAnchor(s)
	if err != nil {
		return 0, "", fmt.Errorf("approval_record %q is not SEQ:HASH", s)
	}
	return a.Seq, a.Hash, nil
}

// confirms returns "" when rec is the approval e claims, else why not.
func confirms(rec *model.AuditEntry, e *model.Exception, seq int, hash string) string {
	switch {
	case rec == nil:
		return fmt.Sprintf("audit record %d is not in the log", seq)
	case rec.Hash != hash:
		return fmt.Sprintf("audit record %d is not the one the approval was bound to (hash differs)", seq)
	case rec.Action != model.ActionExceptionApprove || rec.ExceptionID != e.ID || rec.Outcome != model.OutcomeOK:
		return fmt.Sprintf("audit record %d is not the approval of exception %d", seq, e.ID)
	case !model.SameUser(rec.Operator, e.ApprovedBy):
		return fmt.Sprintf("audit record %d says %s approved, the policy says %s", seq, rec.Operator, e.ApprovedBy)
	case rec.ExceptionSHA256 != e.ApprovedContent():
		return fmt.Sprintf("the exception differs from what audit record %d approved (scope, value, kinds, reason, dates or requester changed since)", seq)
	}
	return ""
}

// readRecords returns the records of the log with the wanted sequence
// numbers, each checked to be whole and unedited (a damaged one is left
// out), and for each exception the sequence number of its last ok
// revocation. Sequence numbers are line numbers, so only those lines, and
// the lines naming a revocation, are decoded. A missing log has no
// records.
func readRecords(path string, want map[int]bool) (map[int]*model.AuditEntry, map[int]int, error) {
	if path == "" {
		return nil, nil, errors.New("no audit log is configured")
	}
	out, revoked := map[int]*model.AuditEntry{}, map[int]int{}
	err := scanRecords(path, func(line int, raw []byte) bool {
		return want[line] || bytes.Contains(raw, revokeMarker)
	}, func(rec *model.AuditEntry) {
		if want[rec.Seq] {
			out[rec.Seq] = rec
		}
		if rec.Action == model.ActionExceptionRevoke && rec.Outcome == model.OutcomeOK && rec.ExceptionID > 0 {
			revoked[rec.ExceptionID] = rec.Seq
		}
	})
	if err != nil {
		return nil, nil, err
	}
	return out, revoked, nil
}

// scanRecords reads the log at path as it was under the shared lock (see
// sharedSnapshot) and calls fn with each whole, unedited record whose
// line pick accepts; pick sees the line number (a record's sequence
// number) and its bytes, so that only the lines wanted are decoded. A
// missing log has no records.
func scanRecords(path string, pick func(line int, raw []byte) bool, fn func(*model.AuditEntry)) error {
	f, err := openShared(path)
	if errors.Is(err, fs.ErrNotExist) {
		return nil
	}
	if err != nil {
		return err
	}
	defer f.Close()
	sc := bufio.NewScanner(f)
	sc.Buffer(make([]byte, 64<<10), maxRecordLen)
	for line := 1; sc.Scan(); line++ {
		if !pick(line, sc.Bytes()) {
			continue
		}
		if rec, err := parseRecord(sc.Bytes()); err == nil && rec.Seq == line {
			fn(rec)
		}
	}
	return sc.Err()
}

// revokeMarker is how a revocation's line names its action; lines without
// it are not decoded.
var revokeMarker = []byte(`"action":"` + string(model.ActionExceptionRevoke) + `"`)
