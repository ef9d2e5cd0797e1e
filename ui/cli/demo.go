package cli

import (
	"context"
	"flag"
	"fmt"
	"os"

	"mxaudit/analysis/auth"
	"mxaudit/mailsrc/demo"
	"mxaudit/ui/app"
)

// demoTrustedHost is the gateway that stamps the demo quarantine's
// Received and Authentication-Results headers.
const demoTrustedHost = "mx1.quarantine.example"

// runDemo is "mxaudit demo": the console (or, with an output flag, the
// scan) on a quarantine generated into a temporary Maildir, authenticated
// live against the demo's own DNS zone, with no network and no files
// needed.
func runDemo(ctx context.Context, args []string, env Env) int {
	fs := flag.NewFlagSet("demo", flag.ContinueOnError)
	fs.SetOutput(env.Stderr)
	asJSON := fs.Bool("json", false, "print the scan as JSON Lines instead of opening the console")
	asCSV := fs.Bool("csv", false, "print the scan as CSV instead of opening the console")
	asTable := fs.Bool("table", false, "print the scan as a table instead of opening the console")
	mouse := fs.Bool("mouse", false, "enable the mouse in the console")
	keep := fs.String("keep", "", "write the demo Maildir to this directory and keep it")
	reports := fs.String("reports", "", "also write the demo's DMARC aggregate reports (for readiness) to this directory")
	if _, err := parseArgs(fs, args); err != nil {
		return ExitUsage
	}

	dir := *keep
	if dir == "" {
		tmp, err := os.MkdirTemp("", "mxaudit-demo-")
		if err != nil {
			fmt.Fprintln(env.Stderr, "mxaudit demo:", err)
			return ExitFailed
		}
		defer os.RemoveAll(tmp)
		dir = tmp
	}
	if err := demo.WriteMaildir(dir, demo.Samples(demo.Options{})); err != nil {
		fmt.Fprintln(env.Stderr, "mxaudit demo:", err)
		return ExitFailed
	}
	if *reports != "" {
		if err := demo.WriteReports(*reports); err != nil {
			fmt.Fprintln(env.Stderr, "mxaudit demo:", err)
			return ExitFailed
		}
	}
	cfg := Config{TrustedHosts: []string{demoTrustedHost}}
	resolver := auth.NewCachingResolver(auth.NewZoneResolver(demo.Zone()))
	format, interactive := formatTable, true
	switch {
	case *asJSON:
		format, interactive = formatJSON, false
	case *asCSV:
		format, interactive = formatCSV, false
	case *asTable:
		interactive = false
	}
	if !interactive {
		a, err := openApp(ctx, dir, cfg, env, resolver)
		if err == nil {
			err = scanTo(ctx, a, format, env, nil)
			a.Close()
		}
		if err != nil {
			fmt.Fprintln(env.Stderr, "mxaudit demo:", err)
			return ExitFailed
		}
		return ExitOK
	}
	// The demo keeps its policy and audit log in a temporary directory:
	// exceptions requested on made-up mail must not reach the real policy.
	state, err := os.MkdirTemp("", "mxaudit-demo-state-")
	if err != nil {
		fmt.Fprintln(env.Stderr, "mxaudit demo:", err)
		return ExitFailed
	}
	defer os.RemoveAll(state)
	desk := app.NewDeskIn(state, env.getenv, lookupOSUser())
	// Released mail goes to a temporary Maildir, so that a new user can
	// try release, delete and exceptions end to end.
	delivered, err := demoDeliveryMaildir(state)
	if err != nil {
		fmt.Fprintln(env.Stderr, "mxaudit demo:", err)
		return ExitFailed
	}
	cfg.DeliverMaildir = delivered
	code := console(ctx, dir, cfg, resolver, desk, nil, *mouse, env)
	if n := countDelivered(delivered); n > 0 {
		fmt.Fprintf(env.Stderr, "mxaudit demo: %d released messages were delivered to the demo Maildir %s (removed now)\n", n, delivered)
	}
	return code
}
