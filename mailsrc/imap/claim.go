package imap

import (
	"errors"
	"fmt"
	"slices"

	goimap "github.com/emersion/go-imap/v2"
	"github.com/emersion/go-imap/v2/imapclient"

	"mxaudit/mailsrc"
	"mxaudit/model"
)

// ClaimKeyword is the IMAP keyword that marks a quarantined message as
// taken by one operator's release or delete. A UID MOVE is no claim:
// measured against Dovecot, two sessions moving the same UID at once both
// succeed and leave two copies. Setting this keyword with a conditional
// STORE (RFC 7162 CONDSTORE, UNCHANGEDSINCE the message's MODSEQ) is
// atomic on the server, so of any number of sessions, on any number of
// hosts, exactly one sets it; the others are told the message is claimed.
//
// A keyword carries neither a time nor an owner, so a claim whose process
// died before the move stays until it is cleared by hand: every later
// release or delete of that message fails with an error wrapping
// mailsrc.ErrClaimed that names the keyword and how to remove it. The
// keyword never stays on the copy in the destination mailbox.
const ClaimKeyword goimap.Flag = "$MxauditClaim"

// claimAttempts bounds the conditional STOREs tried when the message keeps
// changing under an unrelated flag update (someone marking it \Seen).
const claimAttempts = 5

// codeModified is RFC 7162's MODIFIED, which go-imap does not name.
const codeModified goimap.ResponseCode = "MODIFIED"

// actConn is the action connection as one release or delete uses it.
type actConn struct {
	src *Source
	cn  conn
	id  model.MessageID
	// claimed is set once this action holds the claim keyword.
	claimed bool
}

// claim takes message uid for this action, or fails with an error
// wrapping mailsrc.ErrClaimed (someone else holds it) or
// mailsrc.ErrNotFound (it is gone). On a server without CONDSTORE, or a
// mailbox that cannot keep keywords, it only checks that the message is
// there and warns once that concurrent actions are not excluded.
func (a *actConn) claim(uid goimap.UID) error {
	c := a.cn.c
	if !a.claimable() {
		return gone(c, uid, a.id)
	}
	set := goimap.UIDSetNum(uid)
	for range claimAttempts {
		msgs, err := collect(c.Fetch(set, &goimap.FetchOptions{UID: true, Flags: true, ModSeq: true}))
		if err != nil {
			return err
		}
		i := slices.IndexFunc(msgs, func(m *imapclient.FetchMessageBuffer) bool { return m.UID == uid })
		if i < 0 {
			return notFound(a.id)
		}
		m := msgs[i]
		if slices.Contains(m.Flags, ClaimKeyword) {
			return a.claimedError(uid)
		}
		if m.ModSeq == 0 {
			// NOMODSEQ: the mailbox keeps no mod-sequences after all.
			a.src.warnUnclaimed("the mailbox reports no MODSEQ")
			return nil
		}
		if a.src.claimProbe != nil {
			a.src.claimProbe()
		}
		store := &goimap.StoreFlags{Op: goimap.StoreFlagsAdd, Silent: true, Flags: []goimap.Flag{ClaimKeyword}}
		err = c.Store(set, store, &goimap.StoreOptions{UnchangedSince: m.ModSeq}).Close()
		var ierr *goimap.Error
		switch {
		case errors.As(err, &ierr) && ierr.Code == codeModified:
			continue
		case err != nil:
			return err
		}
		if _, modified := a.cn.tap.lastStoreModified(); modified {
			// Changed since the FETCH: by a rival claim, or by an
			// unrelated flag change; the next FETCH tells which.
			continue
		}
		// No MODIFIED is not yet a claim: Dovecot answers a plain OK, and
		// drops the change, when another session expunged the message
		// after this one last looked. So look again; the STORE's own
		// synchronisation has delivered that expunge by now.
		held, err := a.holds(uid)
		if err != nil || held {
			a.claimed = held
			return err
		}
	}
	return a.claimedError(uid)
}

// holds tells whether uid carries the claim keyword after this action's
// conditional STORE reported no conflict: then the STORE applied (a
// rival's would have been a conflict). It fails with an error wrapping
// mailsrc.ErrNotFound when the message is gone.
func (a *actConn) holds(uid goimap.UID) (bool, error) {
	// A NOOP first: a server need not report expunges during FETCH or
	// STORE (RFC 3501 §7.4.1), so without it a session that missed the
	// winner's EXPUNGE sees its stale copy of the message — with the
	// winner's keyword on it — and takes the claim for its own.
	if err := a.cn.c.Noop().Wait(); err != nil {
		return false, err
	}
	msgs, err := collect(a.cn.c.Fetch(goimap.UIDSetNum(uid), &goimap.FetchOptions{UID: true, Flags: true}))
	if err != nil {
		return false, err
	}
	i := slices.IndexFunc(msgs, func(m *imapclient.FetchMessageBuffer) bool { return m.UID == uid })
	if i < 0 {
		return false, notFound(a.id)
	}
	return slices.Contains(msgs[i].Flags, ClaimKeyword), nil
}

// claimable tells whether claims can be made on this connection.
func (a *actConn) claimable() bool {
	c := a.cn.c
	if a.cn.tap == nil || !c.Caps().Has(goimap.CapCondStore) {
		a.src.warnUnclaimed("the server does not offer CONDSTORE")
		return false
	}
	if mb := c.Mailbox(); mb != nil && mb.PermanentFlags != nil &&
		!slices.Contains(mb.PermanentFlags, goimap.FlagWildcard) && !slices.Contains(mb.PermanentFlags, ClaimKeyword) {
		a.src.warnUnclaimed("the mailbox does not keep new keywords (PERMANENTFLAGS lacks \\*)")
		return false
	}
	return true
}

// unclaim removes this action's claim from uid after the action failed
// without touching the message (a refused MOVE), so that it can be
// retried. A failure here only leaves the claim, which the next attempt
// reports with instructions.
func (a *actConn) unclaim(uid goimap.UID) {
	if !a.claimed {
		return
	}
	store := &goimap.StoreFlags{Op: goimap.StoreFlagsDel, Silent: true, Flags: []goimap.Flag{ClaimKeyword}}
	if err := a.cn.c.Store(goimap.UIDSetNum(uid), store, nil).Close(); err != nil {
		a.src.cfg.Logf("imap: %s: could not remove the %s keyword from %s after a failed action (%v); remove it by hand", a.src.ep, ClaimKeyword, a.id, err)
		return
	}
	a.claimed = false
}

// clearCopy removes the claim keyword, which MOVE and COPY carry over,
// from the message's copy in dest (its UIDs from the COPYUID answer), then
// selects the quarantine again. The action has happened by then: a
// failure is logged, not returned, and the connection is dropped when the
// quarantine cannot be selected again, so that the next action starts
// afresh.
func (a *actConn) clearCopy(dest string, copied goimap.NumSet) {
	if !a.claimed {
		return
	}
	c := a.cn.c
	destUIDs, _ := copied.(goimap.UIDSet)
	if len(destUIDs) == 0 {
		a.src.cfg.Logf("imap: %s: the server did not say which UID %s got in %q (no COPYUID): its copy keeps the %s keyword", a.src.ep, a.id, dest, ClaimKeyword)
		return
	}
	if _, err := c.Select(dest, nil).Wait(); err != nil {
		a.src.cfg.Logf("imap: %s: cannot open %q to remove the %s keyword from the copy of %s: %v", a.src.ep, dest, ClaimKeyword, a.id, err)
	} else {
		store := &goimap.StoreFlags{Op: goimap.StoreFlagsDel, Silent: true, Flags: []goimap.Flag{ClaimKeyword}}
		if err := c.Store(destUIDs, store, nil).Close(); err != nil {
			a.src.cfg.Logf("imap: %s: cannot remove the %s keyword from the copy of %s in %q: %v", a.src.ep, ClaimKeyword, a.id, dest, err)
		}
	}
	a.src.reselect(a.cn)
}

// reselect selects the quarantine again on the action connection after an
// action opened another mailbox, and drops the connection when that fails
// or the quarantine's UIDs changed, so that the next action starts afresh.
func (s *Source) reselect(cn conn) {
	c := cn.c
	opts := &goimap.SelectOptions{CondStore: c.Caps().Has(goimap.CapCondStore)}
	data, err := c.Select(s.ep.mailbox, opts).Wait()
	if err != nil || data.UIDValidity != cn.validity {
		s.action.drop(cn.gen)
	}
}

// claimedError is the error for a message another action holds.
func (a *actConn) claimedError(uid goimap.UID) error {
	return permanentError{fmt.Errorf("message %s: %w: it carries the %s keyword, so another operator is releasing or deleting it right now; "+
		"if nobody is (an interrupted action), check the release mailbox, then remove the keyword with an IMAP client or "+
		"`doveadm flags remove -u %s '%s' mailbox %q uid %d`",
		a.id, mailsrc.ErrClaimed, ClaimKeyword, a.src.ep.user, ClaimKeyword, a.src.ep.mailbox, uid)}
}

// notFound is the error for a message no longer in the quarantine.
func notFound(id model.MessageID) error {
	return permanentError{fmt.Errorf("message %s: %w (another operator already released or deleted it)", id, mailsrc.ErrNotFound)}
}

// warnUnclaimed logs, once per Source, that actions run without a claim.
func (s *Source) warnUnclaimed(why string) {
	s.unclaimedOnce.Do(func() {
		s.cfg.Logf("imap: %s: %s: releases and deletes are not claimed, so two operators acting on the same message at the same moment may both succeed and leave two copies", s.ep, why)
	})
}
