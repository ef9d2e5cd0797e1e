package imap

import (
	"context"
	"crypto/rand"
	"encoding/hex"
	"fmt"
	"slices"
	"strings"
	"time"

	goimap "github.com/emersion/go-imap/v2"

	"mxaudit/model"
)

// A claim marks a quarantined message as taken by one operator's release
// or delete, so that of any number of operators, on any number of hosts,
// exactly one acts on it. A UID MOVE is no claim: against Dovecot, two
// sessions moving the same UID at once both succeed and leave two copies.
//
// Each Source has a claim keyword of its own, ClaimPrefix followed by a
// random token ($MxauditClaim-3f9c…). A claim (actConn.claim) is:
//
//  1. look (NOOP, UID FETCH FLAGS): the message carries no claim keyword;
//  2. store this Source's keyword (UID STORE +FLAGS.SILENT);
//  3. look again: the message carries this keyword and no other claim
//     keyword. Then the claim is won.
//
// When step 3 also shows other claim keywords, the operator whose keyword
// sorts lowest keeps its keyword and looks again until the others have
// withdrawn (or gives up after claimPolls looks); every other operator
// withdraws (removes its keyword) and is told the message is claimed.
//
// Why two operators can never both win: the server applies the flag
// changes of one mailbox in one order, and every look shows the state
// after some prefix of that order. An operator wins only on a look that
// shows its own keyword (nobody else sets it, so the look comes after its
// own store; a look that does not show it proves nothing, and the claim is
// refused: fail closed) and no other claim keyword. Of two winners A and
// B, say A stored first: B's winning look comes after B's store, so after
// A's, and shows A's keyword unless A removed it before — which A does
// only when it withdraws (then it does not win) or gives the claim back
// after its move failed (then it did not act) — or the message is gone
// (then B finds it gone). The lowest-sorts-first rule never lets anyone
// win with another keyword present; it only makes sure that when several
// collide, one of them goes on.
//
// This needs no CONDSTORE. mxaudit used to store one shared keyword with
// UNCHANGEDSINCE (RFC 7162 §3.1.3), but Dovecot (2.3.19) tests the
// mod-sequence against the session's own view of the mailbox, which may
// not yet hold a rival's store that committed a moment earlier: the STORE
// then answers OK without MODIFIED and changes nothing, and the session,
// finding the shared keyword on the message, took the rival's claim for
// its own — both operators moved the message (traced in notes/14c.md).
//
// The claim relies on all operators reaching one server that applies the
// mailbox's changes in one order; two replicas in multi-master
// replication (dsync) each have their own order.
//
// A keyword carries no time, so a claim whose process died before the
// move stays until it is removed by hand: every later release or delete of
// that message fails with an error wrapping mailsrc.ErrClaimed that names
// the keyword and the command that removes it (check the release or trash
// mailbox first: the process may have died after copying it there). The
// keywords never stay on the copy in the destination mailbox, nor on a
// message moved back by an undo.
const ClaimPrefix = "$MxauditClaim"

// claimPolls bounds the looks of the operator whose keyword sorts lowest
// while it waits for colliding operators to withdraw; claimPoll is the
// first wait, doubled up to claimPollMax. A rival withdraws within one
// command, so running out means a keyword left behind (a process that
// died), and the claim is given up.
const (
	claimPolls   = 8
	claimPoll    = 20 * time.Millisecond
	claimPollMax = 500 * time.Millisecond
)

// newClaimKeyword returns a claim keyword no other Source uses.
func newClaimKeyword() goimap.Flag {
	var token [8]byte
	rand.Read(token[:])
	return goimap.Flag(ClaimPrefix + "-" + hex.EncodeToString(token[:]))
}

// isClaim tells whether f is a claim keyword: this version's, or the
// shared "$MxauditClaim" of earlier versions (honoured as someone else's
// claim). Keywords compare without regard to case.
func isClaim(f goimap.Flag) bool {
	return len(f) >= len(ClaimPrefix) && strings.EqualFold(string(f[:len(ClaimPrefix)]), ClaimPrefix)
}

// actConn is the action connection as one release or delete uses it.
type actConn struct {
	ctx context.Context
	src *Source
	cn  conn
	id  model.MessageID
	// claimed is set while the message carries this action's keyword.
	claimed bool
}

// claimLook is what one look found on the message.
type claimLook struct {
	found  bool          // the message is in the mailbox
	mine   bool          // it carries this Source's keyword
	others []goimap.Flag // other claim keywords, sorted
}

// claim takes message uid for this action (see ClaimPrefix), or fails
// with an error wrapping mailsrc.ErrClaimed (someone else holds it),
// mailsrc.ErrNotFound (it is gone), or a plain error when the claim
// cannot be proven — also on a mailbox that does not keep new keywords:
// acting unclaimed could let two operators release one message, so
// nothing is done (fail closed).
func (a *actConn) claim(uid goimap.UID) error {
	var perm []goimap.Flag
	if mb := a.cn.c.Mailbox(); mb != nil {
		perm = mb.PermanentFlags
	}
	if why := unclaimable(perm, a.src.claimKeyword); why != "" {
		return permanentError{fmt.Errorf("message %s: %s, so it cannot be claimed against other operators and nothing was done "+
			"(a server that caps keywords per mailbox is full of claim keywords of earlier runs: remove the unused %s-… keywords)", a.id, why, ClaimPrefix)}
	}
	own := a.src.claimKeyword
	l, err := a.look(uid)
	switch {
	case err != nil:
		return err
	case !l.found:
		return notFound(a.id)
	case l.mine || len(l.others) > 0:
		// This Source's own keyword before its store is one an earlier
		// action could not remove: that action may have copied the
		// message already, so it counts as a claim too.
		return a.claimedError(uid, l.keywords(own))
	}
	a.step("looked")
	store := &goimap.StoreFlags{Op: goimap.StoreFlagsAdd, Silent: true, Flags: []goimap.Flag{own}}
	if err := a.cn.c.Store(goimap.UIDSetNum(uid), store, nil).Close(); err != nil {
		// The keyword may or may not be set: try to remove it.
		a.claimed = true
		a.unclaim(uid)
		return err
	}
	a.claimed = true
	a.step("stored")
	wait := claimPoll
	for poll := 1; ; poll++ {
		l, err := a.look(uid)
		if err != nil {
			// The keyword stays: a claim nobody can prove is kept, and
			// reported to whoever tries next.
			return err
		}
		switch {
		case !l.found:
			// Another operator acted first (our keyword, if it was set
			// by then, went with the message: its mover removes it).
			a.claimed = false
			return notFound(a.id)
		case !l.mine:
			a.unclaim(uid)
			return permanentError{fmt.Errorf("message %s: the claim keyword %s this action set is not on the message; "+
				"the server did not keep it, so the claim cannot be proven and nothing was done", a.id, own)}
		case len(l.others) == 0:
			a.step("won")
			return nil
		case lowest(own, l.others) && poll < claimPolls:
			a.step("waiting")
			if err := a.src.cfg.sleep(a.ctx, wait); err != nil {
				a.unclaim(uid)
				return err
			}
			wait = min(2*wait, claimPollMax)
		default:
			a.unclaim(uid)
			return a.claimedError(uid, l.others)
		}
	}
}

// look synchronises the session (NOOP: a server need not report other
// sessions' changes and expunges during FETCH or STORE, RFC 3501 §7.4.1)
// and reads the claim keywords on uid. Every FETCH answer for uid counts,
// the unsolicited ones included, so that nothing seen is ignored.
func (a *actConn) look(uid goimap.UID) (claimLook, error) {
	c := a.cn.c
	if err := c.Noop().Wait(); err != nil {
		return claimLook{}, err
	}
	msgs, err := collect(c.Fetch(goimap.UIDSetNum(uid), &goimap.FetchOptions{UID: true, Flags: true}))
	if err != nil {
		return claimLook{}, err
	}
	var l claimLook
	for _, m := range msgs {
		if m.UID != uid {
			continue
		}
		l.found = true
		for _, f := range m.Flags {
			switch {
			case strings.EqualFold(string(f), string(a.src.claimKeyword)):
				l.mine = true
			case isClaim(f) && !slices.Contains(l.others, f):
				l.others = append(l.others, f)
			}
		}
	}
	slices.Sort(l.others)
	return l, nil
}

// keywords lists every claim keyword the look found, own included.
func (l claimLook) keywords(own goimap.Flag) []goimap.Flag {
	if l.mine {
		return append([]goimap.Flag{own}, l.others...)
	}
	return l.others
}

// lowest tells whether own sorts before every one of others.
func lowest(own goimap.Flag, others []goimap.Flag) bool {
	for _, f := range others {
		if strings.ToLower(string(f)) < strings.ToLower(string(own)) {
			return false
		}
	}
	return true
}

// step calls the test hook, if any, at a step of the claim.
func (a *actConn) step(name string) {
	if a.src.claimHook != nil {
		a.src.claimHook(name)
	}
}

// unclaimable says why a claim keyword kw cannot be kept on a mailbox
// whose PERMANENTFLAGS are perm, or "" when it can: the mailbox lists \*
// (new keywords may be created, RFC 9051 §7.1) or kw itself. A server
// that sent no PERMANENTFLAGS (nil) is taken at its word that flags are
// kept; the look after the store then proves the keyword is there.
func unclaimable(perm []goimap.Flag, kw goimap.Flag) string {
	if perm == nil || slices.Contains(perm, goimap.FlagWildcard) ||
		slices.ContainsFunc(perm, func(f goimap.Flag) bool { return strings.EqualFold(string(f), string(kw)) }) {
		return ""
	}
	return "the mailbox does not keep new keywords (PERMANENTFLAGS lacks \\*)"
}
