package cli

import (
	"flag"
	"fmt"

	"mxaudit/model"
	"mxaudit/model/store/fsx"
)

// exceptionExport is "mxaudit exception export": the active exceptions as
// a map the mail gateway loads (docs/exceptions.md). With --output the
// file is replaced atomically, so that a gateway watching it never reads
// half a map.
func exceptionExport(args []string, env Env) error {
	fs := flag.NewFlagSet("exception export", flag.ContinueOnError)
	fs.SetOutput(env.Stderr)
	var pf policyFlags
	pf.register(fs)
	format := fs.String("format", "", "map format: postfix or rspamd (required)")
	kind := fs.String("kind", "", "only exceptions relaxing this rule (default: all)")
	action := fs.String("action", "OK", "right-hand side of the postfix entries")
	output := fs.String("output", "", "write the map to this file (atomically) instead of stdout")
	if _, err := parseCommand(fs, args, 0); err != nil {
		return err
	}
	opt := model.GatewayMapOptions{Action: *action}
	var err error
	if opt.Format, err = model.ParseMapFormat(*format); err != nil {
		return usagef("%v", err)
	}
	if *kind != "" {
		if opt.Kind, err = model.ParseExceptionKind(*kind); err != nil {
			return usagef("%v", err)
		}
	}
	pe, err := pf.open(env)
	if err != nil {
		return err
	}
	p, err := pe.policy.Load()
	if err != nil {
		return err
	}
	data, err := model.ExportMap(&p, opt, pe.now)
	if err != nil {
		return usagef("%v", err)
	}
	if *output == "" {
		_, err = env.Stdout.Write(data)
		return err
	}
	if err := fsx.WriteFile(*output, data, 0o644, fsx.Ops{}); err != nil {
		return err
	}
	fmt.Fprintf(env.Stderr, "mxaudit exception export: %s map written to %s\n", opt.Format, *output)
	return nil
}
