package action

import (
	"context"
	"errors"
	"fmt"
	"io"
	"time"

	"mxaudit/mailsrc"
	"mxaudit/model"
	"mxaudit/model/store"
)

// loadPolicy reads the exception policy, with the configured approvers
// when they are given.
func (s *Service) loadPolicy() (model.Policy, error) {
	p, err := s.cfg.Policy.Load()
	if err != nil {
		return p, err
	}
	if s.cfg.Approvers != nil {
		p.Approvers = s.cfg.Approvers
	}
	return p, nil
}

// peekState returns message id's release state and whether the
// quarantine still holds it. For a source without a ledger (IMAP) the
// state is empty and presence is checked by opening the message.
func (s *Service) peekState(ctx context.Context, id model.MessageID) (mailsrc.ReleaseState, bool, error) {
	if s.ledger != nil {
		c, err := s.ledger.Claim(ctx, id)
		if err != nil {
			return mailsrc.ReleaseState{}, false, err
		}
		defer c.Close()
		return c.State(), c.Present(), nil
	}
	rc, err := s.cfg.Source.Open(ctx, id)
	if errors.Is(err, mailsrc.ErrNotFound) {
		return mailsrc.ReleaseState{ID: id}, false, nil
	}
	if err != nil {
		return mailsrc.ReleaseState{}, false, err
	}
	rc.Close()
	return mailsrc.ReleaseState{ID: id}, true, nil
}

// goneErr says what became of a message the quarantine no longer holds:
// from its release state, else from the audit log's last successful
// action on it (both wrap ErrAlreadyDone), else that it is not there,
// wrapping mailsrc.ErrNotFound: a mistyped ID, or a message removed
// outside mxaudit.
func (s *Service) goneErr(id model.MessageID, st mailsrc.ReleaseState) error {
	return s.goneOrClaimed(id, st, nil)
}

// goneOrClaimed is goneErr for a source error err that may say another
// operator holds the message right now (mailsrc.ErrClaimed: an IMAP claim
// made from another host, whose audit record may not exist yet).
func (s *Service) goneOrClaimed(id model.MessageID, st mailsrc.ReleaseState, err error) error {
	if errors.Is(err, mailsrc.ErrClaimed) {
		if e := s.lastAction(id); e == nil {
			return already("being released or deleted by another operator right now (" + err.Error() + ")")
		}
	}
	switch st.Moved {
	case mailsrc.MovedReleased:
		return already(fmt.Sprintf("already released by %s at %s", st.MovedBy, stamp(st.MovedAt)))
	case mailsrc.MovedTrash:
		return already(fmt.Sprintf("already deleted by %s at %s", st.MovedBy, stamp(st.MovedAt)))
	}
	if e := s.lastAction(id); e != nil {
		verb := "released"
		if e.Action == model.ActionDelete {
			verb = "deleted"
		}
		return already(fmt.Sprintf("already %s by %s at %s", verb, e.Operator, stamp(e.Time)))
	}
	return fmt.Errorf("not in the quarantine (any more), and no record says who removed it: %w", mailsrc.ErrNotFound)
}

// lastAction returns the audit log's last successful release or delete of
// message id in this source, or nil. It reads the whole log, so it is
// only used for the rare message that vanished.
func (s *Service) lastAction(id model.MessageID) *model.AuditEntry {
	entries, err := store.ReadAuditLog(s.cfg.Audit.Path())
	if err != nil {
		return nil
	}
	source := model.RedactSource(s.cfg.SourceName)
	for i := len(entries) - 1; i >= 0; i-- {
		e := &entries[i]
		if e.MessageID == id && e.Source == source && e.Outcome == model.OutcomeOK &&
			(e.Action == model.ActionRelease || e.Action == model.ActionDelete) {
			return e
		}
	}
	return nil
}

// stamp formats a time for the operator: "2026-11-23 09:12 UTC".
func stamp(t time.Time) string { return t.UTC().Format("2006-01-02 15:04 UTC") }

// maxMessageBytes bounds a message read for release; a quarantine holding
// larger ones has a problem no release should paper over.
const maxMessageBytes = 256 << 20

// spoolMessage copies a message into a private temporary file
// (mailsrc.Spool) in one pass that also parses its envelope and hashes
// it, closing rc; the caller closes the spool. A message over
// maxMessageBytes is refused.
func spoolMessage(rc io.ReadCloser) (*mailsrc.Spool, scanned, error) {
	defer rc.Close()
	spool := mailsrc.NewSpool("")
	msg, err := scanMessage(io.NopCloser(io.TeeReader(io.LimitReader(rc, maxMessageBytes+1), spool)))
	if err == nil && msg.size > maxMessageBytes {
		err = fmt.Errorf("the message is larger than %d MiB", maxMessageBytes>>20)
	}
	if err != nil {
		spool.Close()
		return nil, scanned{}, err
	}
	return spool, msg, nil
}

// digestNow returns the SHA-256 of message id's bytes as they are now: the
// plan's digest for a message whose analysis recorded none (a result from
// an older cache, a message built by hand), so that at least a change
// between the dry run and the confirmation is caught.
func (s *Service) digestNow(ctx context.Context, id model.MessageID) (string, error) {
	rc, err := s.cfg.Source.Open(ctx, id)
	if err != nil {
		return "", err
	}
	sum, err := digestOf(rc)
	if err != nil {
		return "", fmt.Errorf("cannot read the message: %w", err)
	}
	return sum, nil
}
