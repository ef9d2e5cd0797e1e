package cli

import (
	"context"
	"flag"
	"fmt"
	"os"
	"path/filepath"
	"time"

	"mxaudit/analysis/auth"
	"mxaudit/mailsrc"
	"mxaudit/mailsrc/demo"
	"mxaudit/model"
	"mxaudit/model/store"
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
	src, err := mailsrc.Open(dir)
	if err != nil {
		fmt.Fprintln(env.Stderr, "mxaudit demo:", err)
		return ExitFailed
	}
	defer src.Close()

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
		if err := scanToWith(ctx, src, cfg, resolver, format, env); err != nil {
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
	pe := &policyEnv{
		policy:    store.NewPolicyStore(filepath.Join(state, "policy.toml"), filepath.Join(state, "audit.jsonl"), nil),
		auditPath: filepath.Join(state, "audit.jsonl"),
		op:        model.CurrentOperator(env.Getenv, lookupOSUser()),
		now:       time.Now().UTC(),
	}
	return console(ctx, src, cfg, resolver, *mouse, env, consoleState{sourceName: dir, policy: pe})
}
