package console

import (
	"context"
	"io"
	"iter"

	"mxaudit/analysis/domaincheck"
	"mxaudit/analysis/scan"
	"mxaudit/mailsrc"
	"mxaudit/mailsrc/action"
	"mxaudit/model"
	"mxaudit/ui/app"
)

// The console reaches the rest of mxaudit only through these interfaces,
// declared here where they are used and implemented by the application
// core (ui/app): *app.App, *app.Desk and *action.Service. Tests put
// their own behind them. Every method runs in a tea.Cmd or a goroutine of
// the console's, never in Update.

// Source is the quarantine: the scan that fills the list, and the bytes
// of one message for the viewers.
type Source interface {
	// Scan analyses every message: it calls emit for each, in order, and
	// progress after each, and returns when done or when ctx is
	// cancelled. An error other than ctx's means the source failed.
	Scan(ctx context.Context, emit func(model.Message) error, progress func(scan.Progress)) error
	// Open returns a message's raw bytes; the caller closes them.
	Open(ctx context.Context, id model.MessageID) (io.ReadCloser, error)
}

// SharedSource is a Source whose scan hands out the rows of messages
// shared with other consoles (the SSH server's hub, ui/app.View): the
// table points at them instead of building its own, and never changes
// them; the messages are read back whole through SharedMessages. A
// console over one is found by a type assertion.
type SharedSource interface {
	ScanShared(ctx context.Context, emit func(*model.Row) error, progress func(scan.Progress)) error
}

// RowSource is a Source that can hand out, on an unchanged source, the
// rows of the list it kept from an earlier scan (ui/app's row snapshot)
// instead of every message: the table lists them as they are, and the
// messages are read back whole through SharedMessages, which a RowSource
// also is. Otherwise it emits each message with its row, which the
// table lists as it is, the message going to Kept only (it may be
// encoded, model.Encoded: Kept writes its bytes). A scan whose list may
// be kept for the next start returns the function that keeps it, which
// the console calls with that scan's rows. ahead is given the first rows
// of the kept list before the source is checked, and nil should the scan
// not hand that list out: the console shows them as not yet checked
// (rows ahead, scanahead.go). emit may be called from another goroutine
// than emitRow, ahead and progress (one at a time, in order), but never
// while emitRow hands rows out; a scan's messages come all with their
// rows or all without (within a batch, the console lists the rows it
// makes itself before those that came made).
type RowSource interface {
	ScanRows(ctx context.Context, emit func(model.Message, *model.Row) error, emitRow func(*model.Row) error,
		ahead func([]model.Row), progress func(scan.Progress)) (keep func([]*model.Row) error, err error)
}

// Kept keeps the full analysed messages of which the console's table
// holds only rows (model.Row): the scan puts every message it lists, and
// a view or an action reads one back whole, in a command, through
// Message. ui/app.Spill implements it.
type Kept interface {
	Put(msgs ...model.Message)
	// Message returns the message kept under id, or an error (never
	// another message): app.ErrNotSpilled when none is kept,
	// app.ErrSpillDamaged when its kept copy is not what was put.
	Message(ctx context.Context, id model.MessageID) (model.Message, error)
	// Degraded says why messages are kept in memory, nil when they are
	// not.
	Degraded() error
	// Reset forgets every message kept: a reload's IDs may name other
	// messages.
	Reset()
	Close() error
}

// SharedMessages is a SharedSource that keeps the messages it shares
// (ui/app.View): a console over one reads them back from it and keeps
// only the messages it changed itself.
type SharedMessages interface {
	Message(ctx context.Context, id model.MessageID) (model.Message, error)
}

// Live follows the source once the first scan has finished.
type Live interface {
	// Watch calls send for every change until ctx is done, then returns
	// ctx.Err(); an earlier return, with an error, ends live updates.
	// known are the messages the console lists, which the first changes
	// are taken against; Watch reads them once, on its own goroutine.
	// send is called from one goroutine and blocks while the console is
	// busy.
	Watch(ctx context.Context, known iter.Seq[model.MessageID], send func(mailsrc.Change)) error
	// Analyze analyses messages that arrived, as Scan does (PPAP pairing
	// included, as far as the arrivals allow); IDs the source no longer
	// holds are left out.
	Analyze(ctx context.Context, ids []model.MessageID) ([]model.Message, error)
}

// Verifier reads one message whole and analyses it again, DKIM body
// hashes included, for the verify key (v), keeping what only the scan
// knew of old (the PPAP pairing).
type Verifier interface {
	Verify(ctx context.Context, old model.Message) (model.Message, error)
}

// Actions releases and deletes messages: a dry run, then the run.
type Actions interface {
	// CanRelease says why releasing is impossible (no relay configured),
	// or nil.
	CanRelease() error
	// Plan is the dry run of req on msgs.
	Plan(ctx context.Context, req action.Request, msgs []*model.Message) (action.Plan, error)
	// Execute runs a confirmed plan, reporting each message's outcome.
	Execute(ctx context.Context, p action.Plan, progress func(action.Result)) []action.Result
}

// Policy is the exception policy with its audit log.
type Policy interface {
	// Load reads the policy as it is now (another operator may have
	// changed it).
	Load() (model.Policy, error)
	// Change applies change and records entry in the audit log, or
	// neither; it returns the policy as written.
	Change(entry *model.AuditEntry, change func(*model.Policy) error) (model.Policy, error)
}

// Passwords re-derives the password of a PPAP pair for the P key.
type Passwords interface {
	Password(ctx context.Context, link model.PasswordLink, src model.MessageID) (string, error)
}

// Reports reads the DMARC aggregate reports among the messages (D).
type Reports interface {
	// ReadReports reads the messages ids name and sums up their reports.
	ReadReports(ctx context.Context, ids []model.MessageID) app.Reports
	// LookupNames returns the reverse DNS names of the addresses ips
	// that have one; offline, none.
	LookupNames(ctx context.Context, ips []string) map[string]string
}

// DomainChecker audits a domain's SPF and DMARC records (c).
type DomainChecker interface {
	CheckDomain(ctx context.Context, domain string) (*domaincheck.Report, error)
}

// AuditTrail is the audit log, for the audit view (A).
type AuditTrail interface {
	// AuditStatus verifies the log and reads its last anchor.
	AuditStatus() (app.AuditStatus, error)
}

// The application core implements every interface the console declares.
var (
	_ Source         = (*app.App)(nil)
	_ Live           = (*app.App)(nil)
	_ Verifier       = (*app.App)(nil)
	_ Passwords      = (*app.App)(nil)
	_ Reports        = (*app.App)(nil)
	_ DomainChecker  = (*app.App)(nil)
	_ Policy         = (*app.Desk)(nil)
	_ AuditTrail     = (*app.Desk)(nil)
	_ Actions        = (*action.Service)(nil)
	_ Kept           = (*app.Spill)(nil)
	_ SharedSource   = (*app.View)(nil)
	_ SharedMessages = (*app.View)(nil)
	_ RowSource      = (*app.App)(nil)
	_ SharedMessages = (*app.App)(nil)
)

// The methods below hand the configured back end to a command as a plain
// function value (nil when it is not configured), so that the command
// closure copies it and never reads the model.

func (c Config) opener() func(context.Context, model.MessageID) (io.ReadCloser, error) {
	if c.Source == nil {
		return nil
	}
	return c.Source.Open
}

func (c Config) scanner() func(context.Context, func(model.Message) error, func(scan.Progress)) error {
	if c.Source == nil {
		return nil
	}
	return c.Source.Scan
}

// sharedScanner is the source's ScanShared, nil when it has none.
func (c Config) sharedScanner() func(context.Context, func(*model.Row) error, func(scan.Progress)) error {
	if s, ok := c.Source.(SharedSource); ok {
		return s.ScanShared
	}
	return nil
}

// rowScanner is the source's ScanRows, nil when it has none.
func (c Config) rowScanner() func(context.Context, func(model.Message, *model.Row) error, func(*model.Row) error,
	func([]model.Row), func(scan.Progress)) (func([]*model.Row) error, error) {
	if s, ok := c.Source.(RowSource); ok {
		return s.ScanRows
	}
	return nil
}

func (c Config) watcher() func(context.Context, iter.Seq[model.MessageID], func(mailsrc.Change)) error {
	if c.Live == nil {
		return nil
	}
	return c.Live.Watch
}

func (c Config) analyzer() func(context.Context, []model.MessageID) ([]model.Message, error) {
	if c.Live == nil {
		return nil
	}
	return c.Live.Analyze
}

func (c Config) reanalyser() func(context.Context, model.Message) (model.Message, error) {
	if c.Verifier == nil {
		return nil
	}
	return c.Verifier.Verify
}
