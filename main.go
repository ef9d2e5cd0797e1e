// Command mxaudit is a terminal audit console for mail administrators: it
// triages a mail quarantine — password-encrypted ZIP attachments, risky
// files, SPF/DKIM/DMARC failures — from a Maildir, a directory of message
// files, an mbox or an IMAP folder. See README.md.
//
// main only wires the front ends: the command line (ui/cli) runs every
// command and is handed the console (ui/console) to run on the
// application core's workspace; neither imports the other.
package main

import (
	"context"
	"os"
	"os/signal"
	"syscall"

	"github.com/charmbracelet/x/term"

	"mxaudit/ui/cli"
	"mxaudit/ui/console"
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
	})
	stop()
	os.Exit(code)
}
