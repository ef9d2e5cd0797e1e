package action

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"fmt"
	"io"
	"slices"
	"strings"
	"time"

	"mxaudit/mailsrc"
	"mxaudit/model"
)

// outcomeError is an action's failure with the words the operator reads,
// wrapping ErrAlreadyDone or ErrRefused.
type outcomeError struct {
	kind error
	text string
}

func (e *outcomeError) Error() string { return e.text }
func (e *outcomeError) Unwrap() error { return e.kind }

func already(text string) error { return &outcomeError{ErrAlreadyDone, text} }
func refused(text string) error { return &outcomeError{ErrRefused, text} }

// step runs the test hook between two steps of an action.
func (s *Service) step(name string) error {
	if s.cfg.hooks == nil || s.cfg.hooks.step == nil {
		return nil
	}
	return s.cfg.hooks.step(name)
}

func (s *Service) execute(ctx context.Context, p Plan, progress func(Result)) []Result {
	results := make([]Result, 0, len(p.Items))
	report := func(r Result) {
		results = append(results, r)
		if progress != nil {
			progress(r)
		}
	}
	policy, policyErr := s.loadPolicy()
	var d deliverer
	var deliverErr error
	if p.Request.Kind == Release {
		d, deliverErr = s.newDeliverer()
		if d != nil {
			defer d.close()
		}
	}
	s.preflight()
	for i, it := range p.Items {
		if err := s.auditStopped(); err != nil {
			for _, rest := range p.Items[i:] {
				report(notDone(rest.Message.ID, err))
			}
			break
		}
		if err := ctx.Err(); err != nil {
			for _, rest := range p.Items[i:] {
				report(Result{ID: rest.Message.ID, Outcome: "not done: " + err.Error(), Err: err})
			}
			break
		}
		m := it.Message
		switch {
		case p.Request.Kind == Delete:
			report(s.deleteOne(ctx, m))
		case policyErr != nil:
			report(s.finish(model.NewMessageEntry(model.ActionRelease, s.cfg.Operator, s.cfg.Now(), s.cfg.SourceName, m), policyErr))
		case deliverErr != nil:
			report(s.finish(model.NewMessageEntry(model.ActionRelease, s.cfg.Operator, s.cfg.Now(), s.cfg.SourceName, m), deliverErr))
		case s.ledger != nil:
			report(s.releaseLocal(ctx, p.Request, m, it.SHA256, &policy, d))
		default:
			report(s.releaseMoved(ctx, p.Request, m, it.SHA256, &policy, d))
		}
	}
	return results
}

// newDeliverer returns the configured delivery, or nil when there is
// none; a local quarantine then cannot release.
func (s *Service) newDeliverer() (deliverer, error) {
	switch {
	case s.cfg.Relay != "":
		return &smtpDeliverer{relay: s.cfg.Relay, helo: s.heloName()}, nil
	case s.cfg.DeliverMaildir != "":
		return newMaildirDeliverer(s.cfg.DeliverMaildir)
	}
	return nil, s.CanRelease()
}

// finish writes the action's audit record and turns the outcome into the
// Result: an action whose record cannot be written is reported as failed,
// whatever it did.
func (s *Service) finish(entry model.AuditEntry, err error) Result {
	entry.SetOutcome(err)
	r := Result{ID: entry.MessageID, Outcome: entry.Outcome, Err: err}
	if _, aerr := s.cfg.Audit.Append(entry); aerr != nil {
		s.auditErr = fmt.Errorf("not done: %w: %w", errAuditDown, aerr)
		aerr = fmt.Errorf("the audit record could not be written: %w", aerr)
		if err == nil {
			aerr = fmt.Errorf("done, but %w", aerr)
		}
		r.Err = errors.Join(err, aerr)
		r.Outcome = r.Err.Error()
	}
	return r
}

// releaseItem is a release worked out under the lock.
type releaseItem struct {
	Item
	body body
	env  envelope
}

// prepareRelease checks one message for release against the rules, the
// request and its state, and reads it. Errors are ready for the record.
//
// analysed is the SHA-256 the plan's decision rests on ("" when there is
// none to compare: an IMAP message analysed from its summary, whose bytes
// cannot change under its UID); bytes that differ are refused, so that a
// file swapped between the dry run and the confirmation is not released
// on the verdict of the one analysed.
//
// msg is the message as read under the lock (envelope, digest, size); b
// delivers it (its digest is set here).
func (s *Service) prepareRelease(req Request, m *model.Message, analysed string, policy *model.Policy, st mailsrc.ReleaseState,
	msg scanned, b body, now time.Time, entry *model.AuditEntry) (*releaseItem, error) {
	entry.SHA256 = msg.sum
	b.sha256, b.size = msg.sum, msg.size
	if analysed != "" && analysed != entry.SHA256 {
		entry.Detail = "analysed SHA-256 " + analysed
		return nil, refused("refused: the message changed since it was analysed (its SHA-256 differs): scan the quarantine again")
	}
	env := msg.env
	it := &releaseItem{Item: Item{Message: m}, body: b, env: env}
	it.Decision = model.ReleaseDecision(m, policy, s.cfg.Operator, now)
	it.Decision.Note(entry, req.OverrideReason)
	if why := blockedBy(it.Decision, req.OverrideReason); why != "" {
		return nil, refused("refused: " + why)
	}
	s.fillRecipients(&it.Item, req, env, st)
	if len(it.Recipients)+len(it.Copies) == 0 {
		if len(it.AlreadyReleasedTo) > 0 {
			return it, already(it.Blocked)
		}
		return nil, refused("refused: " + it.Blocked)
	}
	entry.Recipients = append(append([]string(nil), it.Recipients...), it.Copies...)
	entry.Detail = s.detail(it)
	return it, nil
}

// detail words how a release went out, for the audit record.
func (s *Service) detail(it *releaseItem) string {
	var parts []string
	switch {
	case s.cfg.Relay != "":
		parts = append(parts, "via SMTP relay "+s.cfg.Relay)
	case s.cfg.DeliverMaildir != "":
		parts = append(parts, "into Maildir "+s.cfg.DeliverMaildir)
	}
	if len(it.Copies) > 0 {
		parts = append(parts, "copies to "+strings.Join(it.Copies, ", "))
	}
	if it.FromHeaders {
		parts = append(parts, "recipients taken from To/Cc")
	}
	return strings.Join(parts, "; ")
}

// releaseLocal releases one message of a local quarantine in two short
// steps under its lock, with the delivery between them outside it:
//
//  1. check the message is still there, apply the rules, pick the
//     recipients not yet served and record them as pending;
//  2. deliver;
//  3. record them as served (or drop the pending records when the relay
//     certainly refused; keep them when its answer was lost), and once
//     every original recipient is served move the message to the
//     released area.
//
// A second operator sees the pending records of the first and stops with
// "already released by X", so a message never goes twice to the same
// recipient, even when one operator's process dies after step 2.
func (s *Service) releaseLocal(ctx context.Context, req Request, m *model.Message, analysed string, policy *model.Policy, d deliverer) Result {
	now := s.cfg.Now().UTC()
	op := s.cfg.Operator
	entry := model.NewMessageEntry(model.ActionRelease, op, now, s.cfg.SourceName, m)
	it, err := s.claimRecipients(ctx, req, m, analysed, policy, now, &entry)
	if err != nil {
		return s.finish(entry, err)
	}
	rcpts := append(append([]string(nil), it.Recipients...), it.Copies...)
	if err := s.step("pending"); err != nil {
		return s.finish(entry, err) // as a crash here would: the records stay pending
	}
	if err := s.intent(entry); err != nil {
		// Not delivered: the pending records go, so that the message can
		// be released once the log is repaired.
		err = s.confirm(context.WithoutCancel(ctx), m.ID, it, rcpts, err, now)
		return s.finish(entry, err)
	}
	derr := d.deliver(ctx, it.Sender, rcpts, it.body)
	if derr == nil {
		// A failure after the relay accepted the message leaves its
		// delivery in doubt, as a crash there would.
		if err := s.step("delivered"); err != nil {
			derr = fmt.Errorf("%w (%v)", errUncertain, err)
		}
	}
	// The confirmation must run even when ctx was cancelled meanwhile.
	err = moveWarning(&entry, s.confirm(context.WithoutCancel(ctx), m.ID, it, rcpts, derr, now))
	if err == nil && it.Decision.Exception != nil {
		if herr := s.cfg.Policy.RecordHit(it.Decision.Exception.ID, now); herr != nil {
			entry.Detail += "; the exception's hit could not be counted: " + herr.Error()
		}
	}
	return s.finish(entry, err)
}

// claimRecipients is step 1 of releaseLocal.
func (s *Service) claimRecipients(ctx context.Context, req Request, m *model.Message, analysed string, policy *model.Policy,
	now time.Time, entry *model.AuditEntry) (*releaseItem, error) {
	c, err := s.ledger.Claim(ctx, m.ID)
	if err != nil {
		return nil, err
	}
	defer c.Close()
	if !c.Present() {
		return nil, s.goneErr(m.ID, c.State())
	}
	rc, err := c.Open()
	if err != nil {
		return nil, err
	}
	msg, err := scanMessage(rc)
	if err != nil {
		return nil, fmt.Errorf("cannot read the message: %w", err)
	}
	// Delivered from the quarantine afresh, streamed, and checked against
	// this pass's digest on the way (body).
	open := func() (io.ReadCloser, error) { return s.cfg.Source.Open(ctx, m.ID) }
	st := c.State()
	it, err := s.prepareRelease(req, m, analysed, policy, st, msg, body{open: open}, now, entry)
	if err != nil {
		if errors.Is(err, ErrAlreadyDone) && allServed(st, it) {
			// An earlier release served everyone but died before filing
			// the message away: finish that now.
			if aerr := c.Archive(st.Releases[len(st.Releases)-1].By, now); aerr != nil {
				err = errors.Join(err, aerr)
			}
		}
		return nil, err
	}
	// Records of unconfirmed releases being sent again are replaced.
	st.Releases = slices.DeleteFunc(st.Releases, func(r mailsrc.ReleaseRecord) bool {
		return r.Pending && (containsAddr(it.Recipients, r.Recipient) || containsAddr(it.Copies, r.Recipient))
	})
	for _, a := range it.Recipients {
		st.Releases = append(st.Releases, mailsrc.ReleaseRecord{Recipient: a, By: s.cfg.Operator.User, At: now, Pending: true})
	}
	for _, a := range it.Copies {
		st.Releases = append(st.Releases, mailsrc.ReleaseRecord{Recipient: a, Copy: true, By: s.cfg.Operator.User, At: now, Pending: true})
	}
	if err := c.Save(st); err != nil {
		return nil, err
	}
	return it, nil
}

// confirm is step 3 of releaseLocal; derr is the delivery's outcome.
func (s *Service) confirm(ctx context.Context, id model.MessageID, it *releaseItem, rcpts []string, derr error, now time.Time) error {
	uncertain := errors.Is(derr, errUncertain)
	c, err := s.ledger.Claim(ctx, id)
	if err != nil {
		// The pending records stay: the recipients are not served twice.
		return errors.Join(derr, fmt.Errorf("the release state could not be updated (the recipients stay marked as pending): %w", err))
	}
	defer c.Close()
	st := c.State()
	kept := st.Releases[:0]
	for _, r := range st.Releases {
		if r.Pending && r.By == s.cfg.Operator.User && r.At.Equal(now) && containsAddr(rcpts, r.Recipient) {
			switch {
			case derr == nil:
				r.Pending = false
			case !uncertain:
				continue // certainly not delivered: may be released again
			}
		}
		kept = append(kept, r)
	}
	st.Releases = kept
	if derr != nil || !allServed(st, it) || !c.Present() {
		// The message stays for the recipients not yet served.
		if err := c.Save(st); err != nil {
			return errors.Join(derr, err)
		}
		return errors.Join(derr, s.step("confirmed"))
	}
	// Confirmed and filed away with one state write. A crash before that
	// write leaves the records pending (not sent again); after it, the
	// message found in the quarantine is filed away by the next release.
	c.Stage(st)
	if err := s.step("confirmed"); err != nil {
		return err
	}
	if err := c.Archive(s.cfg.Operator.User, now); err != nil {
		if errors.Is(err, mailsrc.ErrNotDurable) {
			return err // filed away: the caller records the warning
		}
		// The message could not be filed away, but its delivery was
		// confirmed: that must reach the disk, or a later "resend
		// unconfirmed" would deliver it a second time.
		if serr := c.Save(st); serr != nil {
			err = errors.Join(err, serr)
		}
		return fmt.Errorf("delivered to %s, but %w", strings.Join(rcpts, ", "), err)
	}
	return nil
}

// allServed reports whether every original recipient of the message got
// it, confirmed.
func allServed(st mailsrc.ReleaseState, it *releaseItem) bool {
	if it == nil {
		return false
	}
	for _, a := range it.env.Recipients {
		if r := st.Served(a); r == nil || r.Pending {
			return false
		}
	}
	return len(st.Releases) > 0
}

func digest(raw []byte) string {
	sum := sha256.Sum256(raw)
	return hex.EncodeToString(sum[:])
}
