package cli

import (
	"context"
	"errors"
	"flag"
	"fmt"

	"mxaudit/analysis/auth"
	"mxaudit/analysis/ppap"
	"mxaudit/analysis/scan"
	"mxaudit/mailsrc"
	"mxaudit/model"
	"mxaudit/ui/termtext"
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
	src, err := openSourceWith(ctx, spec, cfg)
	if err != nil {
		fmt.Fprintln(env.Stderr, "mxaudit:", err)
		return ExitFailed
	}
	defer src.Close()

	format := formatTable
	switch {
	case *asJSON:
		format = formatJSON
	case *asCSV:
		format = formatCSV
	}
	if err := scanTo(ctx, src, cfg, format, env); err != nil {
		fmt.Fprintln(env.Stderr, "mxaudit:", err)
		return ExitFailed
	}
	return ExitOK
}

type outputFormat int

const (
	formatTable outputFormat = iota
	formatJSON
	formatCSV
)

// scanTo analyses every message of src and prints the records in format.
// Findings are data, not errors: only a source that cannot be read (or an
// output that cannot be written) makes it fail.
// Each message gets the exception covering it from the configured policy
// (see annotator).
func scanTo(ctx context.Context, src mailsrc.Source, cfg Config, format outputFormat, env Env) error {
	return scanOut(ctx, src, cfg, nil, format, env, annotator(cfg, env))
}

// scanToWith is scanTo with a given resolver (nil: the one cfg names) and
// without the exception policy (the demo's made-up mail).
func scanToWith(ctx context.Context, src mailsrc.Source, cfg Config, resolver auth.Resolver, format outputFormat, env Env) error {
	return scanOut(ctx, src, cfg, resolver, format, env, nil)
}

// scanOut is scanToWith calling annotate, when set, on every message
// before it is printed.
func scanOut(ctx context.Context, src mailsrc.Source, cfg Config, resolver auth.Resolver, format outputFormat, env Env,
	annotate func(*model.Message)) error {
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
		emit = func(m model.Message) error { annotate(&m); return out.Write(m) }
	}
	runErr := analyseSource(ctx, src, cfg, resolver, env, nil, emit)
	closeErr := out.Close()
	return errors.Join(runErr, closeErr)
}

// analyseSource is the whole analysis of a source, shared by every
// command: the parallel scan (summaries for IMAP unless DKIM must be
// verified on every message), then the PPAP pairing, which holds messages
// with encrypted archives until their password mail's window has passed.
// emit gets each finished message; progress, when set, the scan's counts.
func analyseSource(ctx context.Context, src mailsrc.Source, cfg Config, resolver auth.Resolver, env Env,
	progress func(scan.Progress), emit func(model.Message) error) error {
	mode, err := verifyDKIMMode(cfg)
	if err != nil {
		return err
	}
	pc, err := ppapConfig(cfg)
	if err != nil {
		return err
	}
	opts := scan.Options{
		Workers:  cfg.Workers,
		NeedPart: needPart(mode),
		Progress: progress,
		Warn: func(e mailsrc.Entry) {
			if env.Stderr != nil {
				fmt.Fprintf(env.Stderr, "mxaudit: skipped %s: %s\n", termtext.Sanitize(string(e.ID)), termtext.Sanitize(e.Err.Error()))
			}
		},
	}
	if resolver == nil {
		if cache := openCache(src, cfg, env, mode); cache != nil {
			defer cache.Close()
			opts.Cache, opts.CacheWarm = cache, cache.Stats().Entries > 0
			opts.CacheByID = isIMAP(src.Name())
		}
	}
	an := newAnalyzer(cfg, resolver)
	if cfg.NoPPAP {
		return scan.Run(ctx, src, an, opts, emit)
	}
	// Pairings read a sender's recent mails again for each of its ZIP
	// mails: remember the last 8 MiB of them.
	pairing := ppap.NewStream(ctx, pc, ppap.MemoOpener(src.Open, 8<<20), emit)
	runErr := scan.Run(ctx, src, an, opts, pairing.Write)
	pairErr := pairing.Close() // emits what is still held, even after a failure
	if errors.Is(runErr, pairErr) {
		pairErr = nil // emit's failure, already in runErr
	}
	return errors.Join(runErr, pairErr)
}
