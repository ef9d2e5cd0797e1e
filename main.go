// Command mxaudit is a terminal audit console for mail administrators: it
// triages a mail quarantine — password-encrypted ZIP attachments, risky
// files, SPF/DKIM/DMARC failures — from a Maildir, a directory of message
// files, an mbox or an IMAP folder. See README.md.
package main

import (
	"context"
	"os"
	"os/signal"
	"syscall"

	"github.com/charmbracelet/x/term"

	"mxaudit/ui/cli"
)

func main() {
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
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
	})
	stop()
	os.Exit(code)
}
