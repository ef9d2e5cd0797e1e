// Package ui is mxaudit's interactive console: a message list with
// sortable columns, a detail pane, header and raw-source viewers, an
// incremental filter and quick filters, fed by a scan that runs in the
// background while the operator already works.
//
// The root model (Model) routes every tea.Msg to small components — list,
// detail, rawview, help and the dialog stack — that share one
// common.Common. All I/O runs in tea.Cmds: the scan in a goroutine that
// hands results over a channel in batches, message bytes in one-shot
// commands. Every result carries the ID of the request it answers so that
// late answers to stale requests are dropped.
package ui

import (
	"context"
	"errors"
	"io"
	"os"
	"time"

	tea "charm.land/bubbletea/v2"

	"mxaudit/analysis/domaincheck"
	"mxaudit/analysis/ppap"
	"mxaudit/analysis/scan"
	"mxaudit/mailsrc/action"
	"mxaudit/model"
	"mxaudit/model/store"
)

// Config is what the console needs from the rest of mxaudit.
type Config struct {
	// Title names the source in the top bar ("maildir /var/quarantine").
	Title string
	// Scan runs the analysis. The console calls it once, in a goroutine;
	// it must call emit for each analysed message, in order, and progress
	// after each, and return when done or when ctx is cancelled. An error
	// other than ctx's means the source failed.
	Scan func(ctx context.Context, emit func(model.Message) error, progress func(scan.Progress)) error
	// Open returns a message's raw bytes for the header and raw views and
	// the Received chain. The caller closes it.
	Open func(ctx context.Context, id model.MessageID) (io.ReadCloser, error)
	// Mouse turns on mouse reporting: clicking a column title sorts by it,
	// clicking a row selects it, the wheel scrolls. It is off by default
	// because a terminal that reports the mouse no longer lets the operator
	// select text with it (most need Shift held), which hurts copying a
	// Message-ID over SSH.
	Mouse bool
	// Now is the clock; nil means time.Now.
	Now func() time.Time

	// Actions releases and deletes messages (the dry run, then the run);
	// nil leaves the console read-only, and ActionsUnavailable then says
	// why when the operator presses r or d ("an mbox cannot release").
	Actions            *action.Service
	ActionsUnavailable string
	// Policy is the exception policy file: the console annotates messages
	// with the exception covering them, and requests, approves and
	// revokes exceptions through it. Nil hides those features.
	Policy *store.PolicyStore
	// AuditLog is the path of the audit log that records every change to
	// the policy made from the console.
	AuditLog string
	// Operator is who runs the console: the requester of exceptions, the
	// approver, the name in audit records.
	Operator model.Operator
	// PPAP is the pairing configuration, used again to re-derive a ZIP
	// password when the operator asks to see it.
	PPAP ppap.Config

	// Watch, when set, follows the source once the first scan has
	// finished: it calls send for every change until ctx is done, then
	// returns ctx.Err() (an earlier return, with an error, ends live
	// updates with a note). send must be called from one goroutine; it
	// blocks while the console is busy. Nil means no live updates.
	Watch func(ctx context.Context, send func(Change)) error
	// Analyze analyses messages that arrived while the console runs, the
	// way Scan does (PPAP pairing included, as far as the arrivals allow).
	// IDs the source no longer holds are left out of the answer. It runs
	// in a command, never on the UI goroutine.
	Analyze func(ctx context.Context, ids []model.MessageID) ([]model.Message, error)
	// Reanalyse reads one message whole and analyses it again, DKIM body
	// hashes included, for the verify key (v) after a scan that
	// summarised messages and left DKIM unverified. Nil turns the key
	// off.
	Reanalyse func(ctx context.Context, id model.MessageID) (model.Message, error)
	// Check audits a domain's SPF and DMARC records for the domain check
	// key (c), through the resolver the scan uses. It runs in a command.
	// Nil turns the key off.
	Check func(ctx context.Context, domain string) (*domaincheck.Report, error)
}

// Run runs the console on the terminal, in the alternate screen, until the
// operator quits or ctx is cancelled. The alternate screen is always left
// on return, whatever the reason.
func Run(ctx context.Context, cfg Config) error {
	ctx, cancel := context.WithCancel(ctx)
	defer cancel()
	m := newModel(ctx, cfg, os.Getenv("NO_COLOR") != "")
	p := tea.NewProgram(m, tea.WithContext(ctx))
	_, err := p.Run()
	m.stopScan()
	// The caller closes the source when Run returns: the watch must have
	// let go of it by then.
	m.stopWatch()
	if errors.Is(err, tea.ErrProgramKilled) && ctx.Err() != nil {
		return ctx.Err()
	}
	return err
}

// New returns the console's root model, for tests and for embedding. It
// honours NO_COLOR.
func New(cfg Config) tea.Model {
	return newModel(context.Background(), cfg, os.Getenv("NO_COLOR") != "")
}
