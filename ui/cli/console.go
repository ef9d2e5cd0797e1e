package cli

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"time"

	"mxaudit/analysis/auth"
	"mxaudit/analysis/ppap"
	"mxaudit/analysis/scan"
	"mxaudit/mailsrc"
	"mxaudit/model"
	"mxaudit/ui"
)

// runConsole is "mxaudit [flags] SOURCE": the interactive console.
func runConsole(ctx context.Context, args []string, env Env) int {
	fs := flag.NewFlagSet("mxaudit", flag.ContinueOnError)
	fs.SetOutput(env.Stderr)
	var common commonFlags
	common.register(fs)
	mouse := fs.Bool("mouse", false, "enable the mouse (click a header to sort; hold Shift to select text)")
	positional, err := parseArgs(fs, args)
	if err != nil {
		return ExitUsage
	}
	if len(positional) != 1 {
		fmt.Fprint(env.Stderr, usage)
		return ExitUsage
	}
	cfg, err := common.settings(fs)
	if err != nil {
		fmt.Fprintln(env.Stderr, "mxaudit:", err)
		return ExitUsage
	}
	src, err := openSourceWith(ctx, positional[0], cfg)
	if err != nil {
		fmt.Fprintln(env.Stderr, "mxaudit:", err)
		return ExitFailed
	}
	defer src.Close()
	return console(ctx, src, cfg, nil, *mouse, env)
}

// console runs the interactive console on src until the operator quits.
func console(ctx context.Context, src mailsrc.Source, cfg Config, resolver auth.Resolver, mouse bool, env Env) int {
	if !env.IsTerminal {
		fmt.Fprintln(env.Stderr, "mxaudit: the console needs a terminal; use \"mxaudit scan\" for output to a pipe or file")
		return ExitUsage
	}
	an := newAnalyzer(cfg, resolver)
	mode, err := verifyDKIMMode(cfg)
	if err != nil {
		fmt.Fprintln(env.Stderr, "mxaudit:", err)
		return ExitUsage
	}
	pc, err := ppapConfig(cfg)
	if err != nil {
		fmt.Fprintln(env.Stderr, "mxaudit:", err)
		return ExitUsage
	}
	err = ui.Run(ctx, ui.Config{
		Title: src.Name(),
		Scan: func(ctx context.Context, emit func(model.Message) error, progress func(scan.Progress)) error {
			// As in the scan command, encrypted-archive messages wait in
			// the PPAP stream for their password mail's window.
			pairing := ppap.NewStream(ctx, pc, src.Open, emit)
			runErr := scan.Run(ctx, src, an, scan.Options{Workers: cfg.Workers, Progress: progress, NeedPart: needPart(mode)}, pairing.Write)
			pairErr := pairing.Close()
			if errors.Is(runErr, pairErr) {
				pairErr = nil
			}
			return errors.Join(runErr, pairErr)
		},
		Open: func(ctx context.Context, id model.MessageID) (io.ReadCloser, error) {
			return src.Open(ctx, id)
		},
		Mouse: mouse,
		Now:   time.Now,
	})
	if err != nil {
		fmt.Fprintln(env.Stderr, "mxaudit:", err)
		return ExitFailed
	}
	return ExitOK
}
