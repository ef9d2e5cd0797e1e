package cli

import (
	"context"
	"flag"
	"fmt"

	"mxaudit/analysis/auth"
	"mxaudit/ui/app"
)

// runConsole is "mxaudit [flags] SOURCE": the interactive console.
func runConsole(ctx context.Context, args []string, env Env) int {
	fs := flag.NewFlagSet("mxaudit", flag.ContinueOnError)
	fs.SetOutput(env.Stderr)
	var common commonFlags
	common.register(fs)
	mouse := fs.Bool("mouse", false, "enable the mouse (click a header to sort; hold Shift to select text)")
	spec, cfg, code := common.parseSource(fs, args, env, usage, nil)
	if code != ExitOK {
		return code
	}
	// The policy and the audit log are found as the exception and
	// release commands find them; when they cannot be, the console still
	// opens, read-only, and says why on r, d and w.
	pf := policyFlags{config: common.config}
	desk, deskErr := pf.desk(env)
	return console(ctx, spec, cfg, nil, desk, deskErr, *mouse, env)
}

// console opens spec through the application core and runs the console
// on it until the operator quits. resolver, when set, replaces the
// configured DNS (the demo's zone).
func console(ctx context.Context, spec string, cfg Config, resolver auth.Resolver, desk *app.Desk, deskErr error, mouse bool, env Env) int {
	if !env.IsTerminal || env.Console == nil {
		fmt.Fprintln(env.Stderr, "mxaudit: the console needs a terminal; use \"mxaudit scan\" for output to a pipe or file")
		return ExitUsage
	}
	a, err := openApp(ctx, spec, cfg, env, resolver)
	if err != nil {
		fmt.Fprintln(env.Stderr, "mxaudit:", err)
		return ExitFailed
	}
	defer a.Close()
	// Warnings would scribble over the console's screen: it shows its
	// own notes.
	a.SetWarn(nil)
	// The console stops its watch before it returns, so the deferred
	// Close never closes the source under it.
	if err := env.Console(ctx, app.NewWorkspace(a, desk, deskErr), mouse); err != nil {
		fmt.Fprintln(env.Stderr, "mxaudit:", err)
		return ExitFailed
	}
	return ExitOK
}
