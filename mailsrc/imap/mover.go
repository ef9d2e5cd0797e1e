package imap

import (
	"context"
	"errors"
	"fmt"

	goimap "github.com/emersion/go-imap/v2"
	"github.com/emersion/go-imap/v2/imapclient"

	"mxaudit/model"
)

// Release implements mailsrc.Mover: it moves the message to dest ("" =
// Config.ReleaseMailbox). See moveTo for the mechanics and ClaimPrefix
// for how concurrent releases of one message are excluded.
func (s *Source) Release(ctx context.Context, id model.MessageID, dest string) error {
	if dest == "" {
		dest = s.cfg.ReleaseMailbox
	}
	if dest == "" {
		return errors.New("imap: no release mailbox configured")
	}
	_, err := s.moveTo(ctx, id, dest, "release")
	return err
}

// Delete implements mailsrc.Mover: in DeleteToTrash mode it moves the
// message to Config.TrashMailbox; in DeleteExpunge mode it flags it
// \Deleted and expunges that UID only (UID EXPUNGE, which needs UIDPLUS).
func (s *Source) Delete(ctx context.Context, id model.MessageID) error {
	if s.cfg.DeleteMode == DeleteToTrash {
		_, err := s.moveTo(ctx, id, s.cfg.TrashMailbox, "delete")
		return err
	}
	return s.act(ctx, id, "delete", func(a *actConn, uid goimap.UID) error {
		if !a.cn.c.Caps().Has(goimap.CapUIDPlus) {
			return permanentError{ErrNoUIDPlus}
		}
		if err := a.claim(uid); err != nil {
			return err
		}
		return expungeOne(a.cn.c, uid)
	})
}

// moveTo claims the message (see ClaimPrefix) and moves it: UID MOVE
// when the server offers MOVE; otherwise UID COPY, and only once the copy
// is confirmed, UID STORE +FLAGS.SILENT (\Deleted) and UID EXPUNGE of
// that UID. A crash between the steps leaves a duplicate, never a loss; a
// server with neither MOVE nor UIDPLUS is refused rather than sent a
// plain EXPUNGE. The copy in dest is then rid of the claim keywords.
//
// It returns where the message landed in dest when the server said so
// (UIDPLUS COPYUID): what an undo needs (Undelete).
func (s *Source) moveTo(ctx context.Context, id model.MessageID, dest, what string) (moved, error) {
	landed := moved{mailbox: dest}
	err := s.act(ctx, id, what, func(a *actConn, uid goimap.UID) error {
		c := a.cn.c
		caps := c.Caps()
		set := goimap.UIDSetNum(uid)
		if !caps.Has(goimap.CapMove) && !caps.Has(goimap.CapUIDPlus) {
			return permanentError{ErrNoUIDPlus}
		}
		if err := a.claim(uid); err != nil {
			return err
		}
		if caps.Has(goimap.CapMove) {
			// Without a claim (a mailbox without keywords) a rival MOVE of
			// the same UID may also succeed; the claim is what excludes it.
			data, err := c.Move(set, dest).Wait()
			if err != nil {
				a.unclaimIfRefused(uid, err)
				return destError(dest, err)
			}
			a.clearCopy(dest, data.DestUIDs)
			landed.validity, landed.uids = data.UIDValidity, data.DestUIDs
			return nil
		}
		data, err := c.Copy(set, dest).Wait()
		if err != nil {
			a.unclaimIfRefused(uid, err)
			return destError(dest, err)
		}
		if data.SourceUIDs == nil || !data.SourceUIDs.Contains(uid) {
			if err := gone(c, uid, id); err != nil {
				return err
			}
		}
		if err := expungeOne(c, uid); err != nil {
			return err
		}
		a.clearCopy(dest, data.DestUIDs)
		landed.validity, landed.uids = data.UIDValidity, data.DestUIDs
		return nil
	})
	return landed, err
}

// expungeOne flags uid \Deleted and expunges that UID alone.
func expungeOne(c *imapclient.Client, uid goimap.UID) error {
	return expunge(c, goimap.UIDSetNum(uid))
}

// expunge flags the messages of set \Deleted and expunges those UIDs
// only (UID EXPUNGE), never another message marked \Deleted.
func expunge(c *imapclient.Client, set goimap.UIDSet) error {
	if err := c.Store(set, &goimap.StoreFlags{Op: goimap.StoreFlagsAdd, Silent: true, Flags: []goimap.Flag{goimap.FlagDeleted}}, nil).Close(); err != nil {
		return err
	}
	return c.UIDExpunge(set).Close()
}

// act runs a state-changing operation on the action connection (SELECT,
// read-write), one at a time per Source: a Source has one claim keyword,
// so it must not claim two messages at once (see ClaimPrefix). op must
// claim the message first (actConn.claim), which also tells "already
// gone" apart. A connection lost after op began is not retried — the
// change may have happened — but reported so.
func (s *Source) act(ctx context.Context, id model.MessageID, what string, op func(*actConn, goimap.UID) error) error {
	validity, uid, err := parseID(id)
	if err != nil {
		return err
	}
	s.actMu.Lock()
	defer s.actMu.Unlock()
	sent := false
	err = s.run(ctx, s.action, func(cn conn) error {
		if sent {
			return permanentError{fmt.Errorf("imap: the connection dropped during the %s of %s; it may or may not have happened: reload the list to see", what, id)}
		}
		if cn.validity != validity {
			return permanentError{staleID(id)}
		}
		sent = true
		return op(&actConn{ctx: ctx, src: s, cn: cn, id: id}, uid)
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
	return notFound(id)
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
