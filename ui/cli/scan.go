package cli

import (
	"context"
	"errors"
	"flag"
	"fmt"

	"mxaudit/analysis/auth"
	"mxaudit/analysis/scan"
	"mxaudit/model"
	"mxaudit/ui/app"
)

// runScan is "mxaudit scan [--json|--csv] SOURCE".
func runScan(ctx context.Context, args []string, env Env) int {
	fs := flag.NewFlagSet("scan", flag.ContinueOnError)
	fs.SetOutput(env.Stderr)
	var common commonFlags
	common.register(fs)
	asJSON := fs.Bool("json", false, "print JSON Lines, one object per message")
	asCSV := fs.Bool("csv", false, "print CSV with a header row")
	spec, cfg, code := common.parseSource(fs, args, env, "usage: mxaudit scan [--json|--csv] SOURCE\n",
		exclusive("--json and --csv", asJSON, asCSV))
	if code != ExitOK {
		return code
	}
	if env.Listing == nil {
		// The collector is this process's own (a scan served from a
		// shared listing runs in the server, whose settings it keeps).
		defer keepHeapFloor(env.getenv, app.ScansAnalysing)()
	}
	a, closeApp, err := listing(ctx, spec, cfg, env)
	if err != nil {
		fmt.Fprintln(env.Stderr, "mxaudit:", err)
		return ExitFailed
	}
	defer closeApp()

	format := formatTable
	switch {
	case *asJSON:
		format = formatJSON
	case *asCSV:
		format = formatCSV
	}
	if err := scanTo(ctx, a, format, env, annotator(cfg, env)); err != nil {
		fmt.Fprintln(env.Stderr, "mxaudit:", err)
		return ExitFailed
	}
	return ExitOK
}

// listing is what scan and stats read: Env.Listing when set (the
// shared scan of "mxaudit serve"), else the source spec names, opened
// through the application core. The caller calls done when finished.
func listing(ctx context.Context, spec string, cfg Config, env Env) (l Listing, done func(), err error) {
	if env.Listing != nil {
		return env.Listing, func() {}, nil
	}
	a, err := openApp(ctx, spec, cfg, env, nil)
	if err != nil {
		return nil, nil, err
	}
	return a, func() { a.Close() }, nil
}

// openApp opens the source spec names through the application core, with
// warnings to stderr; resolver, when set, replaces the configured DNS
// (the demo's zone).
func openApp(ctx context.Context, spec string, cfg Config, env Env, resolver auth.Resolver) (*app.App, error) {
	return app.Open(ctx, spec, cfg, appOptions(env, resolver))
}

// appOptions are the application core's options for a command: warnings
// to stderr, the command's environment.
func appOptions(env Env, resolver auth.Resolver) app.Options {
	return app.Options{Resolver: resolver, Warn: func(s string) { warnf(env, "%s", s) }, Getenv: env.getenv}
}

func warnf(env Env, format string, args ...any) {
	if env.Stderr != nil {
		fmt.Fprintf(env.Stderr, "mxaudit: "+format+"\n", args...)
	}
}

// encodedScanner is a Listing that can hand over cached messages encoded
// (app.App.ScanEncoded), for the JSON output.
type encodedScanner interface {
	ScanEncoded(ctx context.Context, emit func(model.Message) error, progress func(scan.Progress)) error
}

type outputFormat int

const (
	formatTable outputFormat = iota
	formatJSON
	formatCSV
)

// scanTo analyses every message of a and prints the records in format.
// Findings are data, not errors: only a source that cannot be read (or an
// output that cannot be written) makes it fail. annotate, when set,
// gives each message its exception before it is printed (see annotator).
func scanTo(ctx context.Context, a Listing, format outputFormat, env Env, annotate func(model.Message) model.Message) error {
	var out recordWriter
	switch format {
	case formatJSON:
		out = newJSONWriter(env.Stdout)
	case formatCSV:
		w, err := newCSVWriter(env.Stdout)
		if err != nil {
			return err
		}
		out = w
	default:
		out = newTableWriter(env.Stdout, env.Width)
	}
	emit := out.Write
	if annotate != nil {
		emit = func(m model.Message) error { return out.Write(annotate(m)) }
	}
	run := a.Scan
	if e, ok := a.(encodedScanner); ok && format == formatJSON {
		run = e.ScanEncoded // unchanged messages written out as cached
	}
	runErr := run(ctx, emit, nil)
	closeErr := out.Close()
	return errors.Join(runErr, closeErr)
}
