// Package console is mxaudit's interactive console: a message list with
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
package console

import (
	"context"
	"errors"
	"os"
	"time"

	tea "charm.land/bubbletea/v2"
	"charm.land/lipgloss/v2"

	"mxaudit/model"
	"mxaudit/ui/app"
)

// Config is what the console needs from the rest of mxaudit: the
// interfaces of backend.go, each optional but Source. ConfigFor fills it
// from the application core.
type Config struct {
	// Title names the source in the top bar ("maildir /var/quarantine").
	Title string
	// Mouse turns on mouse reporting: clicking a column title sorts by it,
	// clicking a row selects it, the wheel scrolls. It is off by default
	// because a terminal that reports the mouse no longer lets the operator
	// select text with it (most need Shift held), which hurts copying a
	// Message-ID over SSH.
	Mouse bool
	// Now is the clock; nil means time.Now.
	Now func() time.Time
	// Getenv reads the environment (TERM, MXAUDIT_NO_OSC52, PAGER); nil
	// means os.Getenv.
	Getenv func(string) string
	// NoticeTTL is how long a status message stays (errors: twice as
	// long); zero means six seconds, negative forever (tests that run
	// commands themselves).
	NoticeTTL time.Duration

	// Source scans the quarantine and reads messages.
	Source Source
	// Live, when set, follows the source once the first scan has
	// finished. Nil means no live updates.
	Live Live
	// Verifier re-analyses one message whole for the verify key (v); nil
	// turns the key off.
	Verifier Verifier
	// Actions releases and deletes messages; nil leaves the console
	// read-only, and ActionsUnavailable then says why when the operator
	// presses r or d ("an mbox cannot release").
	Actions            Actions
	ActionsUnavailable string
	// Policy is the exception policy: the console annotates messages
	// with the exception covering them, and requests, approves and
	// revokes exceptions through it. Nil hides those features.
	Policy Policy
	// Audit is the audit log the audit view (A) verifies and shows the
	// last anchor of; nil turns the key off.
	Audit AuditTrail
	// Operator is who runs the console: the requester of exceptions, the
	// approver, the name in audit records.
	Operator model.Operator
	// Passwords shows a PPAP pair's password (P); nil turns the key off.
	Passwords Passwords
	// Reports reads the DMARC aggregate reports among the messages (D);
	// nil turns the view off.
	Reports Reports
	// Checker audits a domain's records (c); nil turns the key off.
	Checker DomainChecker
	// Kept keeps the full messages the list shows rows of; nil means a
	// spill of the console's own (app.NewSpill) in SpillDir, closed
	// when the console's context ends (Run returns, the SSH session
	// ends).
	Kept Kept
	// SpillDir is where that spill's file goes (app.App.SpillDir); ""
	// means the system's temporary directory.
	SpillDir string
	// PolicyFeed, under "mxaudit serve", brings the other sessions'
	// policy changes (session.go); nil for a console of its own.
	PolicyFeed PolicyFeed
}

// ConfigFor is the console's configuration over a workspace of the
// application core: everything the scan command uses (the same analyser,
// cache, PPAP setting), plus live updates where the source can report
// changes, and the desk and actions where they could be opened.
func ConfigFor(ws *app.Workspace) Config {
	a := ws.App
	cfg := Config{
		Title:              a.Name(),
		Source:             a,
		Verifier:           a,
		Passwords:          a,
		Reports:            a,
		ActionsUnavailable: ws.ActionsUnavailable,
		SpillDir:           a.SpillDir(),
	}
	if a.CanWatch() {
		cfg.Live = a
	}
	if a.Online() {
		cfg.Checker = a
	}
	if ws.Actions != nil {
		cfg.Actions = ws.Actions
	}
	if ws.Desk != nil {
		cfg.Policy, cfg.Audit, cfg.Operator = ws.Desk, ws.Desk, ws.Desk.Operator
	}
	return cfg
}

// RunWorkspace runs the console on ws until the operator quits or ctx is
// cancelled: what "mxaudit SOURCE" and "mxaudit demo" do.
func RunWorkspace(ctx context.Context, ws *app.Workspace, mouse bool) error {
	cfg := ConfigFor(ws)
	cfg.Mouse = mouse
	return Run(ctx, cfg)
}

// frameRate is how often a frame may be written: a key's frame waits for
// the next tick, up to 8.3 ms at 120 (Bubble Tea's ceiling) rather than
// 16.7 at its default of 60. A tick writes a frame only when the view
// changed: idle, the faster tick costs wakeups (about 5 ms of CPU a
// second more); while a scan runs, its batches come ten times a second,
// and a frame each is all it draws.
const frameRate = 120

// Run runs the console on the terminal, in the alternate screen, until the
// operator quits or ctx is cancelled. The alternate screen is always left
// on return, whatever the reason.
func Run(ctx context.Context, cfg Config) error {
	defer app.TuneLongLivedGC(os.Getenv)()
	ctx, cancel := context.WithCancel(ctx)
	defer cancel()
	m := newModel(ctx, cfg, os.Getenv("NO_COLOR") != "")
	m.beginScan() // Init waits for it
	// The terminal's colour profile is the one lipgloss detected for
	// stdout as the program started: detecting it again ran "tmux info"
	// again under tmux, 60–70 ms before the first frame.
	p := tea.NewProgram(m, tea.WithContext(ctx), tea.WithColorProfile(lipgloss.Writer.Profile), tea.WithFPS(frameRate))
	_, err := p.Run()
	m.stopScan()
	// The caller closes the source when Run returns: the watch must have
	// let go of it by then, and a release or delete still running must
	// have finished the message it is on (its delivery, its records): the
	// run stops between messages once ctx is cancelled.
	cancel()
	m.stopActions()
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
