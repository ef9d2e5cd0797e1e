// Command mxaudit is a terminal audit console for mail administrators: it
// triages a mail quarantine — password-encrypted ZIP attachments, risky
// files, SPF/DKIM/DMARC failures — from a Maildir, a directory of message
// files, an mbox or an IMAP folder. See README.md.
//
// main only wires the front ends: the command line (ui/cli) runs every
// command and is handed the console (ui/console) to run on the
// application core's workspace, and the SSH server (ui/serve) to run on
// the core's shared hub; the server in turn is handed a console per
// session and the command line for commands over SSH. No front end
// imports another.
package main

import (
	"context"
	"io"
	"os"
	"os/signal"
	"syscall"

	tea "charm.land/bubbletea/v2"
	"github.com/charmbracelet/x/term"

	"mxaudit/ui/app"
	"mxaudit/ui/cli"
	"mxaudit/ui/console"
	"mxaudit/ui/serve"
)

func main() {
	// SIGHUP too (a closed SSH session): the commands end through their
	// context and remove what they made, such as the demo's temporary
	// folders.
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM, syscall.SIGHUP)
	defer stop()
	width, _, err := term.GetSize(os.Stdout.Fd())
	if err != nil {
		width = 0
	}
	code := cli.Main(ctx, os.Args[1:], cli.Env{
		Stdin:      os.Stdin,
		Stdout:     os.Stdout,
		Stderr:     os.Stderr,
		IsTerminal: term.IsTerminal(os.Stdout.Fd()) && term.IsTerminal(os.Stdin.Fd()),
		Width:      width,
		Console:    console.RunWorkspace,
		Serve:      runServer,
	})
	stop()
	os.Exit(code)
}

// runServer is "mxaudit serve"'s front end: the SSH server, with a
// console per session and the command line for commands over SSH.
func runServer(ctx context.Context, hub *app.Hub, settings app.ServeConfig, log io.Writer) error {
	return serve.Run(ctx, hub, settings, log, sessionConsole, sessionCommand)
}

// sessionConsole is one SSH session's console.
func sessionConsole(ctx context.Context, s *app.Session, environ []string) tea.Model {
	return console.NewSession(ctx, console.ConfigForSession(s), environ)
}

// sessionCommand runs a command line for an SSH session, as its
// operator: scan and stats read the server's shared scan.
func sessionCommand(ctx context.Context, args []string, s *app.Session, stdout, stderr io.Writer) int {
	op := s.Operator
	return cli.Main(ctx, args, cli.Env{Stdout: stdout, Stderr: stderr, Operator: &op, PolicyChanged: s.PolicyChanged,
		Listing: s.View})
}
