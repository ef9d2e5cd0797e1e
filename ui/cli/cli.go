// Package cli is mxaudit's command line: the subcommands (scan, demo, and
// the console on a source), their flags and the configuration file, and
// the non-interactive output formats. main only hands it the process's
// arguments and streams.
package cli

import (
	"context"
	"fmt"
	"io"
	"os"
	"strings"

	"mxaudit/analysis/scan"
	"mxaudit/model"
	"mxaudit/ui/app"
)

// Env is what a command may touch of the process: tests pass their own.
type Env struct {
	Stdin          io.Reader
	Stdout, Stderr io.Writer
	Getenv         func(string) string
	// IsTerminal reports whether stdout is a terminal (the console needs
	// one; the table output flushes per line on one).
	IsTerminal bool
	// Width is the terminal width for the table output; 0 for unknown.
	Width int
	// Console runs the interactive console on a workspace of the
	// application core until the operator quits. main hands in the
	// console front end (ui/console), which the command line does not
	// import; nil means no console is available.
	Console func(ctx context.Context, ws *app.Workspace, mouse bool) error
	// Serve runs "mxaudit serve" on a started hub until ctx is done; log
	// gets its messages. main hands in the SSH front end (ui/serve); nil
	// means serving is not available.
	Serve func(ctx context.Context, hub *app.Hub, settings app.ServeConfig, log io.Writer) error
	// Operator, when set, is who runs the command instead of the OS
	// user: the key's operator of a command run over "mxaudit serve".
	Operator *model.Operator
	// PolicyChanged, when set, is told of every change the command
	// writes to the policy: over "mxaudit serve", the other sessions.
	PolicyChanged func(model.AuditEntry, model.Policy)
	// Listing, when set, is where scan and stats take the analysed
	// messages from instead of scanning SOURCE: over "mxaudit serve",
	// the server's one shared scan.
	Listing Listing
}

// Listing is an analysed quarantine: what scan and stats read.
// *app.App scans its source; *app.View replays the shared scan of
// "mxaudit serve".
type Listing interface {
	Scan(ctx context.Context, emit func(model.Message) error, progress func(scan.Progress)) error
	Name() string
}

// getenv is Env.Getenv, or the process environment.
func (e Env) getenv(key string) string {
	if e.Getenv != nil {
		return e.Getenv(key)
	}
	return os.Getenv(key)
}

// Exit statuses.
const (
	ExitOK     = 0
	ExitFailed = 1 // the source could not be read, or the command failed
	ExitUsage  = 2 // wrong flags or arguments
)

const usage = `mxaudit — audit console for a mail quarantine

Usage:
  mxaudit SOURCE                      open the console on a quarantine
  mxaudit demo [--keep DIR] [--reports DIR]
                                      open the console on the built-in demo quarantine
  mxaudit scan [--json|--csv] SOURCE  analyse every message and print one record each
  mxaudit release SOURCE ID...|--all [--to ADDR] [--copy-to ADDR] [--yes]
                                      deliver quarantined messages (docs/actions.md)
  mxaudit delete SOURCE ID...|--all [--yes]
                                      move messages to the quarantine's trash
  mxaudit restore SOURCE ID...        move deleted messages back from the trash (audited)
  mxaudit purge SOURCE --older-than 30d
                                      remove trashed messages for good
  mxaudit stats [--json] [--encrypted|--dmarc-fail|--risky] SOURCE
                                      SPF/DKIM/DMARC ratios, encrypted archives per day
  mxaudit reports [--json|--csv] SOURCE
                                      summarise DMARC aggregate reports (mails, .xml, .xml.gz, .zip)
  mxaudit impact [--json|--csv] [--since DATE] [--until DATE] SOURCE
                                      per partner: what enforcing the release rules would stop
  mxaudit readiness DOMAIN --reports SOURCE [--quarantine SOURCE] [--json]
                                      per sending source: ready for the next DMARC step (RFC 9989)?
  mxaudit notify SOURCE ID... --template NAME [--dry-run] [--force] [--yes]
                                      draft and send a notice to the senders of held mail
  mxaudit check [--selector s1,s2] [--json] DOMAIN
                                      audit a domain's SPF, DMARC and DKIM records
  mxaudit exception add|list|approve|revoke|export ...
                                      the exception policy (docs/exceptions.md)
  mxaudit audit show|verify           the tamper-evident audit log
  mxaudit completion bash|zsh|fish    a shell completion script
  mxaudit man                         the manual page (roff), from the same flag definitions
  mxaudit CMD --help                  the usage and flags of one command
  mxaudit serve --authorized-keys FILE [--listen ADDR] [--host-key FILE] SOURCE
                                      the console over SSH for a team (README)
  mxaudit help                        this text

SOURCE is a Maildir, a directory of message files (.eml, amavis .gz), an
mbox file, or an IMAP mailbox: imaps://user@host[:port]/Quarantine (or
imap:// with STARTTLS). The IMAP password comes from MXAUDIT_IMAP_PASSWORD,
the [imap] password_file or password_command of the configuration, or a
prompt; never from the command line.

Common flags (after the command, before or after SOURCE):
  --config FILE          configuration file (default $XDG_CONFIG_HOME/mxaudit/config.toml)
  --trusted-hosts LIST   authserv-ids of your own MTAs, comma-separated
  --trusted-networks L   CIDR prefixes of your internal relays, comma-separated
  --dns HOST:PORT        DNS server for SPF/DKIM/DMARC (default: the system resolver)
  --dns-timeout D        per-query DNS timeout (default 2s)
  --offline              no DNS: take results from trusted headers only
  --workers N            messages analysed at once (default: one per CPU)
  --ca FILE              IMAP: PEM file of a private CA
  --verify-dkim MODE     IMAP: always | on-demand (default) | never fetch whole messages for DKIM
  --insecure-plaintext   IMAP: allow imap:// without TLS (loopback tests only)
`

// Main runs mxaudit with args (without the program name) and returns the
// exit status.
func Main(ctx context.Context, args []string, env Env) int {
	if env.Getenv == nil {
		env.Getenv = os.Getenv
	}
	if len(args) == 0 {
		fmt.Fprint(env.Stderr, usage)
		return ExitUsage
	}
	if c, ok := findCommand(args); ok && wantsHelp(args[len(strings.Fields(c.name)):]) {
		printHelp(ctx, env.Stdout, c)
		return ExitOK
	}
	return dispatch(ctx, args, env)
}

// dispatch runs the command args name.
func dispatch(ctx context.Context, args []string, env Env) int {
	switch args[0] {
	case "help", "-h", "--help", "-help":
		fmt.Fprint(env.Stdout, usage)
		return ExitOK
	case "scan":
		return runScan(ctx, args[1:], env)
	case "demo":
		return runDemo(ctx, args[1:], env)
	case "release":
		return runRelease(ctx, args[1:], env)
	case "delete":
		return runDelete(ctx, args[1:], env)
	case "purge":
		return runPurge(ctx, args[1:], env)
	case "stats":
		return runStats(ctx, args[1:], env)
	case "reports":
		return runReports(ctx, args[1:], env)
	case "check":
		return runCheck(ctx, args[1:], env)
	case "impact":
		return runImpact(ctx, args[1:], env)
	case "readiness":
		return runReadiness(ctx, args[1:], env)
	case "notify":
		return runNotify(ctx, args[1:], env)
	case "exception":
		return runException(ctx, args[1:], env)
	case "audit":
		return runAudit(ctx, args[1:], env)
	case "restore":
		return runRestore(ctx, args[1:], env)
	case "completion":
		return runCompletion(ctx, args[1:], env)
	case "man":
		return runMan(ctx, args[1:], env)
	case "serve":
		return runServe(ctx, args[1:], env)
	default:
		// "mxaudit SOURCE", flags before or after the source.
		return runConsole(ctx, args, env)
	}
}
