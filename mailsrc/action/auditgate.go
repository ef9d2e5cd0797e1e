package action

import (
	"errors"
	"fmt"

	"mxaudit/model"
)

// The audit log gates every action (it fails closed): a run checks the
// log before its first message (writable, last record whole and chained),
// each message's action writes an intent record (fsynced) before mail
// leaves or a file moves, and the outcome record after. When any of these
// writes fails the run stops: the remaining messages are reported "not
// done" and nothing more is delivered, moved or removed. A delete whose
// outcome record fails is undone; a release cannot be undone, but its
// intent record is in the log.

// errAuditDown wraps the audit log's failure in the results of a run it
// stopped.
var errAuditDown = errors.New("the audit log cannot be written")

// auditStopped returns the error that stops the rest of the run, or nil.
func (s *Service) auditStopped() error { return s.auditErr }

// preflight checks the audit log before a run's first action.
func (s *Service) preflight() {
	s.auditErr = nil
	if err := s.cfg.Audit.Check(); err != nil {
		s.auditErr = fmt.Errorf("not done: %w: %w", errAuditDown, err)
	}
}

// intent writes the intent record of entry's action; an error means the
// action must not be taken, and stops the run.
func (s *Service) intent(entry model.AuditEntry) error {
	if s.auditErr != nil {
		return s.auditErr
	}
	entry.Outcome = model.OutcomeStarted
	if err := s.step("intent"); err != nil {
		s.auditErr = fmt.Errorf("not done: %w: %w", errAuditDown, err)
		return s.auditErr
	}
	if _, err := s.cfg.Audit.Append(entry); err != nil {
		s.auditErr = fmt.Errorf("not done: %w: %w", errAuditDown, err)
		return s.auditErr
	}
	return nil
}

// notDone is the Result of a message the run did not reach because the
// audit log failed; nothing is recorded (the log cannot take it).
func notDone(id model.MessageID, err error) Result {
	return Result{ID: id, Outcome: err.Error(), Err: err}
}
