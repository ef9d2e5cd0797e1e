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
	approvers []string
	ops       fsx.Ops
}

// NewPolicyStore returns the store for the policy file at path. The
// approvers list comes from the configuration and is set on every policy
// the store returns.
func NewPolicyStore(path string, approvers []string) *PolicyStore {
	return &PolicyStore{path: path, approvers: approvers, ops: fsx.Ops{}}
}

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
	return p, err
}

// LoadPolicy reads the policy file at path with the given approvers.
func LoadPolicy(path string, approvers []string) (model.Policy, error) {
	return NewPolicyStore(path, approvers).Load()
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
	if err := change(&p); err != nil {
		return p, err
	}
	if err := p.Validate(); err != nil {
		return p, fmt.Errorf("policy %s: refusing to write an invalid policy: %w", s.path, err)
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
