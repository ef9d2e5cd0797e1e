// Package action carries out the operator actions on quarantined mail —
// release and delete, one message or a marked set, and purging the trash —
// for both the command line and the console. It is the one place where
// the release rules (model.ReleaseDecision), the release state (a message
// is never released twice to the same recipient), the delivery (SMTP to a
// relay, or a target Maildir), the move out of the quarantine and the
// audit record come together, so that every front end acts alike.
//
// An action runs in two steps. Plan is a dry run: it works out, for every
// message, the original envelope recipients, the recipients chosen, what
// the release rules say and who was served already, and sums it up in one
// sentence for the confirmation dialog ("release 37 messages to 52
// recipients (3 outside example.co.jp)"). Execute then acts on the plan,
// re-checking everything under the quarantine's lock, and writes one audit
// record per message before reporting it done.
package action

import (
	"errors"
	"fmt"
	"os"
	"time"

	"mxaudit/mailsrc"
	"mxaudit/model"
	"mxaudit/model/store"
)

// Kind is what an action does to the messages.
type Kind string

// Action kinds.
const (
	// Release delivers the messages to their recipients and moves them
	// out of the quarantine into its released area (kept, not deleted).
	Release Kind = "release"
	// Delete moves the messages to the quarantine's trash area, from which
	// they can be recovered until purged.
	Delete Kind = "delete"
)

// Request is what the operator asked for.
type Request struct {
	Kind Kind
	// IDs are the messages to act on, as the source names them.
	IDs []model.MessageID
	// To are the recipients chosen for a release; nil means every
	// original envelope recipient. A chosen address that is not an
	// original recipient of a message is ignored for that message, with a
	// warning: use CopyTo to send to someone else.
	To []string
	// CopyTo are further addresses that get a copy of every released
	// message.
	CopyTo []string
	// OverrideReason is an approver's typed reason for releasing messages
	// the release rules hold and no exception covers. It is only used for
	// such messages, and goes into their audit records.
	OverrideReason string
	// ResendUnconfirmed sends again to recipients whose earlier release
	// was never confirmed (the process died, or the relay's answer was
	// lost) and is older than UnconfirmedAfter. Set it only after the
	// relay's log shows that the earlier attempt did not deliver.
	ResendUnconfirmed bool
}

// UnconfirmedAfter is how old a pending release record must be before
// ResendUnconfirmed may override it: longer than any delivery can take
// (the SMTP timeouts), so that another operator's release still in
// progress is never taken for an interrupted one.
const UnconfirmedAfter = 10 * time.Minute

// Item is one message of a plan.
type Item struct {
	Message *model.Message
	// Recipients are the original envelope recipients the message goes
	// to now: the chosen ones, less those already served. Copies are the
	// CopyTo addresses not yet served.
	Recipients []string
	Copies     []string
	// Original are all the message's original envelope recipients, and
	// FromHeaders is set when they had to be taken from To/Cc because the
	// receiving side recorded none.
	Original    []string
	FromHeaders bool
	// SHA256 is the hex SHA-256 of the bytes the release decision rests
	// on: those the analysis read (Message.SHA256), else those read when
	// planning. Execute refuses a message whose bytes no longer match.
	SHA256 string
	// Sender is the envelope sender the release uses ("" for the null
	// sender <>).
	Sender string
	// Decision is what the release rules say for this operator.
	Decision model.Decision
	// AlreadyReleasedTo are chosen recipients (and copies) the message
	// was released to before; they are skipped.
	AlreadyReleasedTo []string
	// Blocked says why the message will not be acted on ("" when it
	// will): it needs an exception or an override, or nobody is left to
	// send it to.
	Blocked string
	// Warnings are caveats the operator should read before confirming.
	Warnings []string
}

// Plan is the dry run of a request: what Execute will do.
type Plan struct {
	Request Request
	Items   []Item
	// Recipients counts the distinct addresses the release sends to,
	// copies included; Outside those outside the home domains.
	Recipients int
	Outside    int
	// Summary is the plan in one sentence, for the confirmation dialog:
	// "release 37 messages to 52 recipients (3 outside example.co.jp)".
	Summary string
	// Blocked counts the items that will not be acted on (see
	// Item.Blocked).
	Blocked int
	// NeedsOverride is set when some items are releasable only with an
	// approver's override and the request has no valid reason yet: the
	// dialog should ask for one and plan again.
	NeedsOverride bool
}

// Result is the outcome of one message of an executed plan.
type Result struct {
	ID model.MessageID
	// Outcome is "ok", or what stopped the action: "already released by
	// sato at 2026-11-23 09:12 UTC", the release rules' refusal, an error.
	Outcome string
	// Err is nil when the action succeeded. It wraps ErrAlreadyDone when
	// another operator acted first, ErrRefused when the release rules or
	// the request stopped it.
	Err error
}

// Errors a Result may wrap.
var (
	// ErrAlreadyDone: another operator (or an earlier run) released or
	// deleted the message, or served every chosen recipient, first.
	ErrAlreadyDone = errors.New("already done")
	// ErrRefused: the release rules or the request stopped the action.
	ErrRefused = errors.New("refused")
)

// Config is what a Service needs.
type Config struct {
	// Source is the quarantine. It must implement mailsrc.Mover; the
	// directory and Maildir sources also keep the release state
	// themselves (mailsrc.Ledger), other movers (IMAP) are claimed by
	// their move.
	Source mailsrc.Source
	// SourceName is the source as the operator named it, for the audit
	// log (a password in a URL is removed before writing).
	SourceName string
	// Policy is the exception policy, re-read before every execution, and
	// where exception hits are counted.
	Policy *store.PolicyStore
	// Audit is the audit log every action is recorded in.
	Audit *store.AuditLog
	// Operator is who acts.
	Operator model.Operator
	// Approvers override the policy store's approvers when not nil.
	Approvers []string
	// Relay is the SMTP relay released mail is delivered to, HOST:PORT
	// ("localhost:10025" to bypass the content filter, as amavis does).
	Relay string
	// DeliverMaildir, when set instead of Relay, is a Maildir released
	// mail is delivered into.
	DeliverMaildir string
	// ReleaseMailbox is the destination given to mailsrc.Mover.Release
	// ("" for the source's own released area or configured mailbox).
	ReleaseMailbox string
	// HomeDomains are the organisation's own domains; recipients outside
	// them are counted in the plan's summary.
	HomeDomains []string
	// HeloName is the name given in EHLO; "" means the host name.
	HeloName string
	// Now is the clock; nil means time.Now.
	Now func() time.Time

	// hooks lets tests fail or crash between the steps of an action.
	hooks *hooks
}

// Service carries out actions on one source for one operator. It is safe
// for use by one goroutine at a time; two Services (two operators, two
// processes) on the same quarantine exclude each other per message.
type Service struct {
	cfg    Config
	mover  mailsrc.Mover
	ledger mailsrc.Ledger // nil for movers that keep no state (IMAP)
	// auditErr, once set, stops the run: the audit log failed (see
	// auditgate.go).
	auditErr error
}

// New checks cfg and returns a Service. A source that cannot move
// messages (an mbox, a single file) is refused here, so that the console
// can disable the actions up front.
func New(cfg Config) (*Service, error) {
	if cfg.Source == nil {
		return nil, errors.New("action: no source")
	}
	mover, ok := cfg.Source.(mailsrc.Mover)
	if !ok {
		return nil, fmt.Errorf("%s: this kind of quarantine cannot release or delete messages (use a Maildir, a directory or IMAP)", cfg.Source.Name())
	}
	if cfg.Operator.ReadOnly {
		return nil, model.ErrReadOnly
	}
	if cfg.Policy == nil || cfg.Audit == nil {
		return nil, errors.New("action: a policy store and an audit log are required")
	}
	if cfg.Relay != "" && cfg.DeliverMaildir != "" {
		return nil, errors.New("action: configure either an SMTP relay or a delivery Maildir, not both")
	}
	if cfg.Now == nil {
		cfg.Now = time.Now
	}
	if cfg.SourceName == "" {
		cfg.SourceName = cfg.Source.Name()
	}
	s := &Service{cfg: cfg, mover: mover}
	s.ledger, _ = cfg.Source.(mailsrc.Ledger)
	return s, nil
}

// CanRelease reports whether releases can be delivered with this
// configuration, and if not, why: a directory or Maildir quarantine needs
// an SMTP relay or a delivery Maildir. The console uses it to grey out
// the action rather than fail after the dialog.
func (s *Service) CanRelease() error {
	if s.ledger != nil && s.cfg.Relay == "" && s.cfg.DeliverMaildir == "" {
		return errors.New("no SMTP relay (relay) or delivery Maildir (deliver_maildir) is configured: released mail would have nowhere to go")
	}
	return nil
}

// heloName is the name given in EHLO: the configured one, else the host
// name.
func (s *Service) heloName() string {
	if s.cfg.HeloName != "" {
		return s.cfg.HeloName
	}
	if h, err := os.Hostname(); err == nil && h != "" {
		return h
	}
	return "localhost"
}
