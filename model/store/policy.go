package store

import (
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"time"

	"mxaudit/model"
	"mxaudit/model/store/fsx"
)

// PolicyStore is the exception policy file at one path, with the
// approvers from the configuration.
type PolicyStore struct {
	path      string
	auditPath string
	approvers []string
	ops       fsx.Ops
}

// NewPolicyStore returns the store for the policy file at path, whose
// approvals are checked against the audit log at auditPath on every load
// (see verifyApprovals; with auditPath "" every approval is unverified).
// The approvers list comes from the configuration and is set on every
// policy the store returns.
func NewPolicyStore(path, auditPath string, approvers []string) *PolicyStore {
	return &PolicyStore{path: path, auditPath: auditPath, approvers: approvers, ops: fsx.Ops{}}
}

// AuditPath returns the audit log the approvals are checked against.
func (s *PolicyStore) AuditPath() string { return s.auditPath }

// Path returns the policy file's path.
func (s *PolicyStore) Path() string { return s.path }

// Load reads the policy. A missing file is an empty policy; a malformed
// one is an error naming the line.
func (s *PolicyStore) Load() (model.Policy, error) {
	data, _, err := readIfExists(s.path)
	if err != nil {
		return model.Policy{}, fmt.Errorf("policy %s: %w", s.path, err)
	}
	p, err := parsePolicy(s.path, data)
	p.Approvers = s.approvers
	if err == nil {
		verifyApprovals(&p, s.auditPath)
	}
	return p, err
}

// LoadPolicy reads the policy file at path with the given approvers,
// checking its approvals against the audit log at auditPath.
func LoadPolicy(path, auditPath string, approvers []string) (model.Policy, error) {
	return NewPolicyStore(path, auditPath, approvers).Load()
}

// Update changes the policy file safely against other mxaudit processes
// and crashes: under an exclusive lock on path+".lock" it reads the file
// afresh (so that a concurrent change is never lost), calls change on it,
// and writes the result atomically. A malformed file or an error from
// change leaves the file as it was.
//
// commit, when not nil, runs after the new file is in place and before
// the lock is released; when it fails the old content is put back and its
// error returned. The CLI appends the audit record there, so that a change
// whose record could not be written does not stay in force.
func (s *PolicyStore) Update(change func(*model.Policy) error, commit func(*model.Policy) error) (model.Policy, error) {
	return s.update(change, nil, commit)
}

// UpdateRecorded is Update for a change that must be in the audit log
// before it is in the file: an approval, whose policy entry carries its
// record's SEQ:HASH. Under the lock it reads the file, calls change,
// validates the result, then calls record, which writes (and fsyncs) the
// audit record and binds it into the policy; only then is the file
// written, once. When record fails nothing is written. A crash (or a
// failed write) after record leaves a record whose change is not in the
// file: nothing applies that the log does not show, and the next approval
// of that exception recovers it (see recoverApproval).
func (s *PolicyStore) UpdateRecorded(change func(*model.Policy) error, record func(*model.Policy) error) (model.Policy, error) {
	return s.update(change, record, nil)
}

// update is Update and UpdateRecorded: record runs before the write,
// commit after it.
func (s *PolicyStore) update(change, record, commit func(*model.Policy) error) (model.Policy, error) {
	if err := os.MkdirAll(filepath.Dir(s.path), 0o700); err != nil {
		return model.Policy{}, fmt.Errorf("policy %s: %w", s.path, err)
	}
	// The lock is a separate file that is never removed or replaced: the
	// policy file itself is replaced by rename on every write, and a lock
	// on a replaced inode would exclude no one.
	lock, err := fsx.Create(s.path+".lock", os.O_RDWR, 0o600)
	if err != nil {
		return model.Policy{}, fmt.Errorf("policy %s: %w", s.path, err)
	}
	defer lock.Close()
	if err := fsx.LockWithin(lock, lockTimeout); err != nil {
		return model.Policy{}, fmt.Errorf("policy %s: %w", s.path, err)
	}
	defer fsx.Unlock(lock)

	old, existed, err := readIfExists(s.path)
	if err != nil {
		return model.Policy{}, fmt.Errorf("policy %s: %w", s.path, err)
	}
	p, err := parsePolicy(s.path, old)
	if err != nil {
		return model.Policy{}, err
	}
	p.Approvers = s.approvers
	verifyApprovals(&p, s.auditPath)
	if err := change(&p); err != nil {
		return p, err
	}
	if err := p.Validate(); err != nil {
		return p, fmt.Errorf("policy %s: refusing to write an invalid policy: %w", s.path, err)
	}
	if record != nil {
		if err := record(&p); err != nil {
			return p, err
		}
	}
	if err := fsx.WriteFile(s.path, encodePolicy(&p), 0o640, s.ops); err != nil {
		return p, err
	}
	if commit == nil {
		return p, nil
	}
	if err := commit(&p); err != nil {
		var restoreErr error
		if existed {
			restoreErr = fsx.WriteFile(s.path, old, 0o640, s.ops)
		} else {
			restoreErr = os.Remove(s.path)
		}
		if restoreErr != nil {
			return p, errors.Join(err, fmt.Errorf("policy %s: the change could not be undone: %w", s.path, restoreErr))
		}
		return p, fmt.Errorf("%w (the policy change was undone)", err)
	}
	return p, nil
}

// RecordHit counts a release that exception id allowed, at now.
func (s *PolicyStore) RecordHit(id int, now time.Time) error {
	_, err := s.Update(func(p *model.Policy) error { return p.RecordHit(id, now) }, nil)
	return err
}
