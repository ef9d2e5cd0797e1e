package action

import (
	"context"
	"errors"
	"fmt"

	"mxaudit/mailsrc"
	"mxaudit/model"
)

// deleteOne moves one message to the trash.
func (s *Service) deleteOne(ctx context.Context, m *model.Message) Result {
	now := s.cfg.Now().UTC()
	entry := model.NewMessageEntry(model.ActionDelete, s.cfg.Operator, now, s.cfg.SourceName, m)
	if s.ledger == nil {
		unlock, err := s.lockSource(ctx)
		if err != nil {
			return s.finish(entry, err)
		}
		defer unlock()
		rc, err := s.cfg.Source.Open(ctx, m.ID)
		if errors.Is(err, mailsrc.ErrNotFound) {
			return s.finish(entry, s.goneErr(m.ID, mailsrc.ReleaseState{}))
		}
		if err != nil {
			return s.finish(entry, err)
		}
		if sum, err := digestOf(rc); err == nil {
			entry.SHA256 = sum
		}
		if err := s.intent(entry); err != nil {
			return s.finish(entry, err)
		}
		var undo func(context.Context) error
		if u, ok := s.mover.(mailsrc.Undeleter); ok {
			undo, err = u.DeleteUndoable(ctx, m.ID)
		} else {
			err = s.mover.Delete(ctx, m.ID)
		}
		if errors.Is(err, mailsrc.ErrNotFound) {
			err = s.goneOrClaimed(m.ID, mailsrc.ReleaseState{}, err)
		}
		if err == nil {
			err = s.step("trashed")
		}
		r := s.finish(entry, err)
		if r.Err != nil && s.auditErr != nil && undo != nil {
			// Deleted, but the record could not be written: moved back
			// from the trash, as the ledger's Undo does.
			if uerr := undo(context.WithoutCancel(ctx)); uerr == nil {
				r.Err = fmt.Errorf("not deleted (moved back from the trash under a new ID): %w", r.Err)
			} else {
				r.Err = fmt.Errorf("%w; it could not be moved back from the trash: %w", r.Err, uerr)
			}
			r.Outcome = r.Err.Error()
		}
		return r
	}
	c, err := s.ledger.Claim(ctx, m.ID)
	if err != nil {
		return s.finish(entry, err)
	}
	defer c.Close()
	if !c.Present() {
		return s.finish(entry, s.goneErr(m.ID, c.State()))
	}
	if rc, err := c.Open(); err == nil {
		if sum, err := digestOf(rc); err == nil {
			entry.SHA256 = sum
		}
	}
	if err := s.intent(entry); err != nil {
		return s.finish(entry, err)
	}
	err = moveWarning(&entry, c.Trash(s.cfg.Operator.User, now))
	if err == nil {
		err = s.step("trashed")
	}
	r := s.finish(entry, err)
	if r.Err != nil && s.auditErr != nil && undone(c.Undo()) {
		// Deleted, but the record could not be written: a delete must
		// not stay done unrecorded.
		r.Err = fmt.Errorf("not deleted (undone): %w", r.Err)
		r.Outcome = r.Err.Error()
	}
	return r
}
