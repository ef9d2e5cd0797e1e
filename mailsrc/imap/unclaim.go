package imap

import (
	"errors"
	"fmt"
	"strings"

	goimap "github.com/emersion/go-imap/v2"
	"github.com/emersion/go-imap/v2/imapclient"

	"mxaudit/mailsrc"
	"mxaudit/model"
)

// unclaim removes this action's keyword from uid: when it withdraws from
// a claim, or after the action failed without touching the message (a
// refused MOVE), so that it can be retried. A failure here only leaves
// the keyword, which the next attempt reports with instructions.
func (a *actConn) unclaim(uid goimap.UID) {
	if !a.claimed {
		return
	}
	store := &goimap.StoreFlags{Op: goimap.StoreFlagsDel, Silent: true, Flags: []goimap.Flag{a.src.claimKeyword}}
	if err := a.cn.c.Store(goimap.UIDSetNum(uid), store, nil).Close(); err != nil {
		a.src.cfg.Logf("imap: %s: could not remove the %s keyword from %s (%v); remove it by hand", a.src.ep, a.src.claimKeyword, a.id, err)
		return
	}
	a.claimed = false
}

// unclaimIfRefused gives the claim back after a MOVE or COPY failed with
// err only when the server refused the command (a tagged NO or BAD): RFC
// 6851 §3.3 and RFC 9051 §6.4.7 then promise nothing was moved or
// copied. Any other failure (the connection lost, a timeout) leaves
// unknown whether the message reached the destination, so the keyword
// stays and blocks a rival's action until someone checks (fail closed).
func (a *actConn) unclaimIfRefused(uid goimap.UID, err error) {
	var refused *goimap.Error
	if !errors.As(err, &refused) {
		a.src.cfg.Logf("imap: %s: %s: %v: it may have reached the destination, so the %s keyword stays on it", a.src.ep, a.id, err, a.src.claimKeyword)
		return
	}
	a.unclaim(uid)
}

// clearCopy removes the claim keywords, which MOVE and COPY carry over,
// from the message's copy in dest (its UIDs from the COPYUID answer), then
// selects the quarantine again. Every claim keyword goes, not only this
// action's: a rival that stored its keyword between this action's claim
// and its move withdraws from a message that is no longer there. The
// action has happened by then: a failure is logged, not returned, and the
// connection is dropped when the quarantine cannot be selected again, so
// that the next action starts afresh.
func (a *actConn) clearCopy(dest string, copied goimap.NumSet) {
	if !a.claimed {
		return
	}
	a.claimed = false
	c := a.cn.c
	destUIDs, _ := copied.(goimap.UIDSet)
	if len(destUIDs) == 0 {
		a.src.cfg.Logf("imap: %s: the server did not say which UID %s got in %q (no COPYUID): its copy keeps the %s keyword", a.src.ep, a.id, dest, a.src.claimKeyword)
		return
	}
	if _, err := c.Select(dest, nil).Wait(); err != nil {
		a.src.cfg.Logf("imap: %s: cannot open %q to remove the %s keyword from the copy of %s: %v", a.src.ep, dest, a.src.claimKeyword, a.id, err)
	} else if err := clearClaims(c, destUIDs, a.src.claimKeyword); err != nil {
		a.src.cfg.Logf("imap: %s: cannot remove the claim keywords from the copy of %s in %q: %v", a.src.ep, a.id, dest, err)
	}
	a.src.reselect(a.cn)
}

// clearClaims removes every claim keyword from the messages of set in the
// selected mailbox: own (always) and whichever others they carry.
func clearClaims(c *imapclient.Client, set goimap.UIDSet, own goimap.Flag) error {
	msgs, err := collect(c.Fetch(set, &goimap.FetchOptions{UID: true, Flags: true}))
	if err != nil {
		return err
	}
	flags := []goimap.Flag{own}
	for _, m := range msgs {
		for _, f := range m.Flags {
			if isClaim(f) && !containsFold(flags, f) {
				flags = append(flags, f)
			}
		}
	}
	return c.Store(set, &goimap.StoreFlags{Op: goimap.StoreFlagsDel, Silent: true, Flags: flags}, nil).Close()
}

// containsFold tells whether flags holds f, regardless of case.
func containsFold(flags []goimap.Flag, f goimap.Flag) bool {
	for _, g := range flags {
		if strings.EqualFold(string(g), string(f)) {
			return true
		}
	}
	return false
}

// reselect selects the quarantine again on the action connection after an
// action opened another mailbox, and drops the connection when that fails
// or the quarantine's UIDs changed, so that the next action starts afresh.
func (s *Source) reselect(cn conn) {
	data, err := cn.c.Select(s.ep.mailbox, nil).Wait()
	if err != nil || data.UIDValidity != cn.validity {
		s.action.drop(cn.gen)
	}
}

// claimedError is the error for a message carrying other claim keywords.
func (a *actConn) claimedError(uid goimap.UID, keywords []goimap.Flag) error {
	remove := make([]string, len(keywords))
	for i, k := range keywords {
		remove[i] = fmt.Sprintf("`doveadm flags remove -u %s '%s' mailbox %q uid %d`", a.src.ep.user, k, a.src.ep.mailbox, uid)
	}
	return permanentError{fmt.Errorf("message %s: %w: it carries the claim keyword %s, so another operator is releasing or deleting it right now; "+
		"if nobody is (an interrupted action), check the release and trash mailboxes for a copy, then remove the keyword with an IMAP client or %s",
		a.id, mailsrc.ErrClaimed, joinFlags(keywords), strings.Join(remove, " and "))}
}

// joinFlags lists keywords for a message.
func joinFlags(flags []goimap.Flag) string {
	s := make([]string, len(flags))
	for i, f := range flags {
		s[i] = string(f)
	}
	return strings.Join(s, " and ")
}

// notFound is the error for a message no longer in the quarantine.
func notFound(id model.MessageID) error {
	return permanentError{fmt.Errorf("message %s: %w (another operator already released or deleted it)", id, mailsrc.ErrNotFound)}
}
