package imap

import (
	"context"
	"fmt"

	goimap "github.com/emersion/go-imap/v2"

	"mxaudit/model"
)

// moved is where a message landed in another mailbox: its UIDs there
// under that mailbox's UIDVALIDITY, from the server's COPYUID answer
// (none when the server gave none).
type moved struct {
	mailbox  string
	validity uint32
	uids     goimap.NumSet
}

// DeleteUndoable implements mailsrc.Undeleter: Delete, and in
// DeleteToTrash mode the function that moves the message back from the
// trash into the quarantine, for a delete that must not stay done (its
// audit record could not be written). The undo is nil when there is none:
// in DeleteExpunge mode the message is gone for good, and without a
// COPYUID answer mxaudit cannot tell which message of the trash it is.
func (s *Source) DeleteUndoable(ctx context.Context, id model.MessageID) (func(context.Context) error, error) {
	if s.cfg.DeleteMode != DeleteToTrash {
		return nil, s.Delete(ctx, id)
	}
	landed, err := s.moveTo(ctx, id, s.cfg.TrashMailbox, "delete")
	if err != nil {
		return nil, err
	}
	uids, _ := landed.uids.(goimap.UIDSet)
	if len(uids) == 0 || landed.validity == 0 {
		return nil, nil
	}
	return func(ctx context.Context) error { return s.moveBack(ctx, id, landed, uids) }, nil
}

// moveBack moves the message landed in a mailbox back to the quarantine:
// on the action connection it selects that mailbox, checks its
// UIDVALIDITY is still the one the UIDs belong to, removes any claim
// keyword the copy kept (a failed clean-up after the delete; a failure
// here is logged, not fatal), so that it does not come back claimed,
// moves them (UID MOVE, or UID COPY then UID
// EXPUNGE of those UIDs only), and selects the quarantine again. The
// message comes back under a new UID: a new ID.
func (s *Source) moveBack(ctx context.Context, id model.MessageID, landed moved, uids goimap.UIDSet) error {
	s.actMu.Lock()
	defer s.actMu.Unlock()
	sent := false
	err := s.run(ctx, s.action, func(cn conn) error {
		if sent {
			return permanentError{fmt.Errorf("the connection dropped while moving %s back from %q; it may or may not be back: look in both", id, landed.mailbox)}
		}
		sent = true
		c := cn.c
		defer s.reselect(cn)
		data, err := c.Select(landed.mailbox, nil).Wait()
		if err != nil {
			return permanentError{fmt.Errorf("cannot open %q: %w", landed.mailbox, err)}
		}
		if data.UIDValidity != landed.validity {
			return permanentError{fmt.Errorf("the UIDs of %q changed (UIDVALIDITY %d, was %d): find %s there by hand", landed.mailbox, data.UIDValidity, landed.validity, id)}
		}
		if err := clearClaims(c, uids, s.claimKeyword); err != nil {
			// Back with a claim keyword is better than left in the trash.
			s.cfg.Logf("imap: %s: cannot remove the claim keywords from %s in %q before moving it back: %v", s.ep, id, landed.mailbox, err)
		}
		if c.Caps().Has(goimap.CapMove) {
			_, err = c.Move(uids, s.ep.mailbox).Wait()
			return err
		}
		if !c.Caps().Has(goimap.CapUIDPlus) {
			return permanentError{ErrNoUIDPlus}
		}
		if _, err := c.Copy(uids, s.ep.mailbox).Wait(); err != nil {
			return err
		}
		return expunge(c, uids)
	}, nil)
	if err != nil {
		return fmt.Errorf("imap: moving %s back from %q: %w", id, landed.mailbox, err)
	}
	s.cfg.Logf("imap: %s: %s moved back from %q (undo of its delete)", s.ep, id, landed.mailbox)
	return nil
}
