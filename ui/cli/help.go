package cli

import (
	"bytes"
	"context"
	"flag"
	"fmt"
	"io"
	"slices"
	"strings"
)

// Per-command help (item 9 of issue 15): "mxaudit CMD --help" prints a
// usage line, a one-line description and only the flags CMD defines, to
// stdout, exit 0. The flags come from the command's own FlagSet: Main
// runs the command with "--help" and a helpSink as its stderr, and
// parseArgs hands the sink the FlagSet instead of parsing. The shell
// completions and the man page are generated from the same FlagSets.

// command describes one command for its help, the completions and the
// man page.
type command struct {
	name  string // "scan", "exception add"
	usage string // the arguments after the name
	desc  string // one line
}

// commands lists every command, in the order of the man page.
var commands = []command{
	{"scan", "[--json|--csv] SOURCE", "analyse every message and print one record each"},
	{"demo", "[--json|--csv|--table]", "open the console on the built-in demo quarantine"},
	{"release", "SOURCE ID...|--all [--to ADDR] [--copy-to ADDR] [--yes]", "deliver quarantined messages"},
	{"delete", "SOURCE ID...|--all [--yes]", "move messages to the quarantine's trash"},
	{"restore", "SOURCE ID...", "move deleted messages back from the trash (audited)"},
	{"purge", "SOURCE --older-than 30d", "remove trashed messages for good"},
	{"stats", "[--json] SOURCE", "SPF/DKIM/DMARC ratios, encrypted archives per day"},
	{"reports", "[--json|--csv] SOURCE", "summarise DMARC aggregate reports"},
	{"check", "[--selector s1,s2] [--json] DOMAIN", "audit a domain's SPF, DMARC and DKIM records"},
	{"exception add", "--domain D|--address A --kind K --reason TEXT", "request an exception"},
	{"exception list", "[--all]", "list the exceptions"},
	{"exception approve", "ID [--yes]", "approve a requested exception (two-person rule)"},
	{"exception revoke", "ID --reason TEXT", "revoke an exception"},
	{"exception export", "", "export the active exceptions for the gateway"},
	{"audit show", "", "print the audit log"},
	{"audit verify", "", "check the audit log's hash chain"},
	{"completion", "bash|zsh|fish", "print a shell completion script"},
	{"man", "", "print the manual page (roff)"},
}

// findCommand returns the command args name ("exception approve …"), if
// any.
func findCommand(args []string) (command, bool) {
	for _, c := range commands {
		words := strings.Fields(c.name)
		if len(args) >= len(words) && slices.Equal(args[:len(words)], words) {
			return c, true
		}
	}
	return command{}, false
}

// wantsHelp reports whether args ask for help before any "--".
func wantsHelp(args []string) bool {
	for _, a := range args {
		switch a {
		case "--":
			return false
		case "-h", "-help", "--help":
			return true
		}
	}
	return false
}

// helpSink stands in for a command's stderr while its help is asked
// for: parseArgs gives it the FlagSet.
type helpSink struct {
	bytes.Buffer
	fs *flag.FlagSet
}

// captureHelp hands fs to the sink when fs writes to one and args ask
// for help; the command then stops as on a usage error.
func captureHelp(fs *flag.FlagSet, args []string) bool {
	sink, ok := fs.Output().(*helpSink)
	if !ok || !wantsHelp(args) {
		return false
	}
	sink.fs = fs
	return true
}

// flagsOf runs command c with "--help" and returns its FlagSet (nil when
// it takes no flags).
func flagsOf(ctx context.Context, c command) *flag.FlagSet {
	sink := &helpSink{}
	env := Env{Stdin: strings.NewReader(""), Stdout: io.Discard, Stderr: sink, Getenv: func(string) string { return "" }}
	dispatch(ctx, append(strings.Fields(c.name), "--help"), env)
	return sink.fs
}

// printHelp writes c's help to w.
func printHelp(ctx context.Context, w io.Writer, c command) {
	fmt.Fprintf(w, "usage: mxaudit %s %s\n\n%s.\n", c.name, c.usage, upperFirst(c.desc))
	fs := flagsOf(ctx, c)
	if fs == nil {
		return
	}
	fmt.Fprintln(w, "\nFlags:")
	fs.VisitAll(func(f *flag.Flag) {
		fmt.Fprintf(w, "  %s\n", flagLine(f))
	})
}

// flagLine is "--name VALUE   what it does (default X)".
func flagLine(f *flag.Flag) string {
	name, usage := flag.UnquoteUsage(f)
	left := "--" + f.Name
	if name != "" {
		left += " " + strings.ToUpper(name)
	}
	line := fmt.Sprintf("%-24s %s", left, usage)
	if f.DefValue != "" && f.DefValue != "false" && f.DefValue != "0" && f.DefValue != "0s" {
		line += " (default " + f.DefValue + ")"
	}
	return line
}

func upperFirst(s string) string {
	if s == "" {
		return s
	}
	return strings.ToUpper(s[:1]) + s[1:]
}
