package app

import (
	"mxaudit/model/store"
)

// AuditStatus is what the console's audit view shows of the audit log:
// the anchor to ship off the host, and whether the chain behind it holds.
type AuditStatus struct {
	// Path is the audit log.
	Path string
	// Last is the anchor (SEQ:HASH) of the log's last record, checked to
	// be whole and unedited (store.LastAnchor); "" for an empty log or
	// when LastErr says why it could not be read.
	Last    string
	LastErr string
	// Records counts the records that verified from the first; Verified
	// says the whole chain did. Otherwise Line and Problem say where and
	// how it broke (store.VerifyReport).
	Records  int
	Verified bool
	Line     int
	Problem  string
}

// AuditStatus verifies the desk's audit log from its first record and
// gives its last anchor (the verified head, or for a broken chain the last
// record read on its own), under the log's shared lock. It reads the
// whole log: the console calls it in a command, never in Update. The
// error is for a log that cannot be read at all.
func (d *Desk) AuditStatus() (AuditStatus, error) {
	st := AuditStatus{Path: d.AuditPath}
	report, err := store.VerifyAuditLog(d.AuditPath)
	if err != nil {
		return st, err
	}
	st.Records, st.Verified, st.Line, st.Problem = report.Records, report.OK(), report.Line, report.Problem
	// A verified chain's head is its last record; only a broken one needs
	// the log's last record read on its own.
	last, err := report.Head, error(nil)
	if !report.OK() {
		last, err = store.LastAnchor(d.AuditPath)
	}
	switch {
	case err != nil:
		st.LastErr = err.Error()
	case last.Seq > 0:
		st.Last = last.String()
	}
	return st, nil
}
