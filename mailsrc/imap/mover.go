package imap

import (
	"context"
	"errors"
	"fmt"

	goimap "github.com/emersion/go-imap/v2"
	"github.com/emersion/go-imap/v2/imapclient"

	"mxaudit/mailsrc"
	"mxaudit/model"
)

// Release implements mailsrc.Mover: it moves the message to dest ("" =
// Config.ReleaseMailbox). See moveTo for the mechanics.
func (s *Source) Release(ctx context.Context, id model.MessageID, dest string) error {
	if dest == "" {
		dest = s.cfg.ReleaseMailbox
	}
	if dest == "" {
		return errors.New("imap: no release mailbox configured")
	}
	return s.moveTo(ctx, id, dest, "release")
}

// Delete implements mailsrc.Mover: in DeleteToTrash mode it moves the
// message to Config.TrashMailbox; in DeleteExpunge mode it flags it
// \Deleted and expunges that UID only (UID EXPUNGE, which needs UIDPLUS).
func (s *Source) Delete(ctx context.Context, id model.MessageID) error {
	if s.cfg.DeleteMode == DeleteToTrash {
		return s.moveTo(ctx, id, s.cfg.TrashMailbox, "delete")
	}
	return s.act(ctx, id, "delete", func(c *imapclient.Client, uid goimap.UID) error {
		if !c.Caps().Has(goimap.CapUIDPlus) {
			return permanentError{ErrNoUIDPlus}
		}
		return expungeOne(c, uid)
	})
}

// moveTo moves one message: UID MOVE when the server offers MOVE;
// otherwise UID COPY, and only once the copy is confirmed, UID STORE
// +FLAGS.SILENT (\Deleted) and UID EXPUNGE of that UID. A crash between
// the steps leaves a duplicate, never a loss; a server with neither MOVE
// nor UIDPLUS is refused rather than sent a plain EXPUNGE.
func (s *Source) moveTo(ctx context.Context, id model.MessageID, dest, what string) error {
	return s.act(ctx, id, what, func(c *imapclient.Client, uid goimap.UID) error {
		caps := c.Caps()
		set := goimap.UIDSetNum(uid)
		if caps.Has(goimap.CapMove) {
			// The existence check in act narrows, but cannot close, the
			// window in which another operator moves it first; MOVE then
			// succeeds having done nothing, which is the outcome wanted.
			if _, err := c.Move(set, dest).Wait(); err != nil {
				return destError(dest, err)
			}
			return nil
		}
		if !caps.Has(goimap.CapUIDPlus) {
			return permanentError{ErrNoUIDPlus}
		}
		data, err := c.Copy(set, dest).Wait()
		if err != nil {
			return destError(dest, err)
		}
		if data.SourceUIDs == nil || !data.SourceUIDs.Contains(uid) {
			if err := gone(c, uid, id); err != nil {
				return err
			}
		}
		return expungeOne(c, uid)
	})
}

// expungeOne flags uid \Deleted and expunges that UID alone.
func expungeOne(c *imapclient.Client, uid goimap.UID) error {
	set := goimap.UIDSetNum(uid)
	if err := c.Store(set, &goimap.StoreFlags{Op: goimap.StoreFlagsAdd, Silent: true, Flags: []goimap.Flag{goimap.FlagDeleted}}, nil).Close(); err != nil {
		return err
	}
	return c.UIDExpunge(set).Close()
}

// act runs a state-changing operation on the action connection (SELECT,
// read-write). The message's existence is checked first so that "already
// gone" is told apart. A connection lost after the change was sent is
// not retried — the change may have happened — but reported so.
func (s *Source) act(ctx context.Context, id model.MessageID, what string, op func(*imapclient.Client, goimap.UID) error) error {
	validity, uid, err := parseID(id)
	if err != nil {
		return err
	}
	sent := false
	err = s.run(ctx, s.action, func(cn conn) error {
		if sent {
			return permanentError{fmt.Errorf("imap: the connection dropped during the %s of %s; it may or may not have happened: reload the list to see", what, id)}
		}
		if cn.validity != validity {
			return permanentError{staleID(id)}
		}
		if err := gone(cn.c, uid, id); err != nil {
			return err
		}
		sent = true
		return op(cn.c, uid)
	}, nil)
	if err != nil {
		return fmt.Errorf("imap: %s of %s: %w", what, id, err)
	}
	s.cfg.Logf("imap: %s: %s of %s done", s.ep, what, id)
	return nil
}

// gone returns an error wrapping mailsrc.ErrNotFound when uid is no
// longer in the selected mailbox, nil when it is.
func gone(c *imapclient.Client, uid goimap.UID, id model.MessageID) error {
	msgs, err := collect(c.Fetch(goimap.UIDSetNum(uid), &goimap.FetchOptions{UID: true}))
	if err != nil {
		return err
	}
	for _, m := range msgs {
		if m.UID == uid {
			return nil
		}
	}
	return permanentError{fmt.Errorf("message %s: %w (another operator already released or deleted it)", id, mailsrc.ErrNotFound)}
}

// destError explains a refused MOVE or COPY.
func destError(dest string, err error) error {
	var ierr *goimap.Error
	if errors.As(err, &ierr) {
		if ierr.Code == goimap.ResponseCodeTryCreate || ierr.Code == goimap.ResponseCodeNonExistent {
			return permanentError{fmt.Errorf("the mailbox %q does not exist: create it or configure another (%w)", dest, err)}
		}
		return permanentError{fmt.Errorf("mailbox %q: %w", dest, err)}
	}
	return err
}
