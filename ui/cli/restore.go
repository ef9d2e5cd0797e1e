package cli

import (
	"context"
	"flag"
	"fmt"

	"mxaudit/model"
	"mxaudit/ui/termtext"
)

// runRestore is "mxaudit restore SOURCE ID...": the undo of delete. It
// moves the messages back from the quarantine's trash, each recorded in
// the audit log as "restore".
func runRestore(ctx context.Context, args []string, env Env) int {
	fs := flag.NewFlagSet("restore", flag.ContinueOnError)
	fs.SetOutput(env.Stderr)
	var f actionFlags
	f.common.register(fs)
	fs.StringVar(&f.policy, "policy", "", "exception policy file (default: policy_file from the configuration)")
	fs.StringVar(&f.auditLog, "audit-log", "", "audit log (default: audit_log from the configuration)")
	positional, err := parseArgs(fs, args)
	if err != nil {
		return ExitUsage
	}
	if len(positional) < 2 {
		fmt.Fprintln(env.Stderr, "mxaudit restore: name the quarantine and the IDs of the deleted messages (as \"mxaudit delete\" took them)")
		return ExitUsage
	}
	svc, a, err := f.service(ctx, fs, positional[0], env)
	if err != nil {
		fmt.Fprintln(env.Stderr, "mxaudit restore:", termtext.Sanitize(err.Error()))
		return ExitFailed
	}
	defer a.Close()
	ids := make([]model.MessageID, 0, len(positional)-1)
	for _, id := range positional[1:] {
		ids = append(ids, model.MessageID(id))
	}
	failed := 0
	for _, r := range svc.Restore(ctx, ids) {
		if r.Err != nil {
			failed++
			fmt.Fprintf(env.Stdout, "%s: not restored: %s\n", termtext.Sanitize(string(r.ID)), termtext.Sanitize(r.Outcome))
			continue
		}
		fmt.Fprintf(env.Stdout, "%s: restored\n", termtext.Sanitize(string(r.ID)))
	}
	if failed > 0 {
		fmt.Fprintf(env.Stderr, "mxaudit restore: %d of %d not restored\n", failed, len(ids))
		return ExitFailed
	}
	return ExitOK
}
