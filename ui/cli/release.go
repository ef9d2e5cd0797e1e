package cli

import (
	"bufio"
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"strings"

	"mxaudit/mailsrc"
	"mxaudit/mailsrc/action"
	"mxaudit/model"
	"mxaudit/ui/app"
	"mxaudit/ui/termtext"
)

const releaseUsage = `usage:
  mxaudit release SOURCE ID... [--to ADDR]... [--copy-to ADDR]... [--yes] [--override-reason TEXT]
  mxaudit release SOURCE --all [--yes] ...
  mxaudit delete SOURCE ID...|--all [--yes]

ID is the "id" that "mxaudit scan --json" prints. release delivers each
message to its original envelope recipients (or to those chosen with --to)
through the SMTP relay (relay in the configuration, or --relay), or into
deliver_maildir, and files it in the quarantine's released area; delete
moves it to the trash, from which "mxaudit purge" removes it for good.
The plan is printed first; on a terminal, type yes to go on. Scripts pass
--yes. Exit status: 0 all done, 1 any message failed or was refused,
2 bad arguments (or no terminal and no --yes).
`

// actionFlags are the flags of release and delete.
type actionFlags struct {
	common            commonFlags
	policy, auditLog  string
	to, copyTo        []string
	all, yes          bool
	overrideReason    string
	resendUnconfirmed bool
	relay, maildir    string
}

func (f *actionFlags) register(fs *flag.FlagSet, kind action.Kind) {
	f.common.register(fs)
	fs.StringVar(&f.policy, "policy", "", "exception policy file (default: policy_file from the configuration)")
	fs.StringVar(&f.auditLog, "audit-log", "", "audit log (default: audit_log from the configuration)")
	fs.BoolVar(&f.all, "all", false, "act on every message of the source")
	fs.BoolVar(&f.yes, "yes", false, "do not ask for confirmation (for scripts)")
	if kind != action.Release {
		return
	}
	addr := func(list *[]string) func(string) error {
		return func(s string) error {
			*list = append(*list, splitList(s)...)
			return nil
		}
	}
	fs.Func("to", "release only to this original recipient (repeat or comma-separate)", addr(&f.to))
	fs.Func("copy-to", "also send a copy to this address (repeat or comma-separate)", addr(&f.copyTo))
	fs.StringVar(&f.overrideReason, "override-reason", "", "approvers: release what the rules hold, for this reason (recorded)")
	fs.BoolVar(&f.resendUnconfirmed, "resend-unconfirmed", false, "send again where an earlier release was never confirmed (check the relay's log first)")
	fs.StringVar(&f.relay, "relay", "", "SMTP relay HOST:PORT (default: relay from the configuration)")
	fs.StringVar(&f.maildir, "deliver-maildir", "", "deliver into this Maildir instead of an SMTP relay")
}

// runRelease is "mxaudit release ...".
func runRelease(ctx context.Context, args []string, env Env) int {
	return runAction(ctx, action.Release, args, env)
}

// runDelete is "mxaudit delete ...".
func runDelete(ctx context.Context, args []string, env Env) int {
	return runAction(ctx, action.Delete, args, env)
}

func runAction(ctx context.Context, kind action.Kind, args []string, env Env) int {
	prefix := "mxaudit " + string(kind)
	fs := flag.NewFlagSet(string(kind), flag.ContinueOnError)
	fs.SetOutput(env.Stderr)
	var f actionFlags
	f.register(fs, kind)
	positional, err := parseArgs(fs, args)
	if err != nil {
		return ExitUsage
	}
	switch {
	case len(positional) == 0:
		err = usagef("name the quarantine")
	case f.all && len(positional) > 1:
		err = usagef("give message IDs or --all, not both")
	case !f.all && len(positional) == 1:
		err = usagef("name the messages (IDs as \"mxaudit scan --json\" prints them) or give --all")
	case f.relay != "" && f.maildir != "":
		err = usagef("--relay and --deliver-maildir exclude each other")
	}
	if err == nil {
		err = actionMain(ctx, kind, &f, fs, positional[0], positional[1:], env)
	}
	if errors.Is(err, errSomeFailed) {
		return ExitFailed
	}
	return exitFor(err, prefix, releaseUsage, env)
}

// errSomeFailed: the action ran, and some messages failed or were refused
// (each already reported, with a count).
var errSomeFailed = errors.New("not every message was done")

func actionMain(ctx context.Context, kind action.Kind, f *actionFlags, fs *flag.FlagSet, spec string, ids []string, env Env) error {
	svc, a, err := f.service(ctx, fs, spec, env)
	if err != nil {
		return err
	}
	defer a.Close()
	msgs, err := loadMessages(ctx, a, f.all, ids)
	if err != nil {
		return err
	}
	if len(msgs) == 0 {
		fmt.Fprintln(env.Stdout, "no messages")
		return nil
	}
	req := action.Request{Kind: kind, To: nil, CopyTo: f.copyTo, OverrideReason: f.overrideReason, ResendUnconfirmed: f.resendUnconfirmed}
	if len(f.to) > 0 {
		req.To = f.to
	}
	plan, err := svc.Plan(ctx, req, msgs)
	if err != nil {
		return err
	}
	printPlan(env.Stdout, plan)
	if plan.NeedsOverride {
		fmt.Fprintln(env.Stdout, "Some messages need an approver's override: add --override-reason TEXT (it is recorded).")
	}
	if len(plan.Items) > plan.Blocked {
		if err := confirm(f.yes, "Type yes to "+plan.Summary+": ", env); err != nil {
			return err
		}
	}
	failed := 0
	svc.Execute(ctx, plan, func(r action.Result) {
		if r.Err != nil {
			failed++
		}
		fmt.Fprintf(env.Stdout, "%s: %s\n", termtext.Sanitize(string(r.ID)), termtext.Sanitize(r.Outcome))
	})
	if failed > 0 {
		fmt.Fprintf(env.Stderr, "mxaudit %s: %d of %d messages not done\n", kind, failed, len(plan.Items))
		return errSomeFailed
	}
	return nil
}

// service opens the source, the policy, the audit log and the action
// service for the flags, through the application core; the service runs
// the configured hooks after each message done, warning on stderr.
func (f *actionFlags) service(ctx context.Context, fs *flag.FlagSet, spec string, env Env) (*app.HookedActions, *app.App, error) {
	// The configuration is found through env, as the exception commands
	// find it, and read once for both the analysis and the policy.
	if f.common.config == "" {
		dir, err := app.XDGConfigDir(env.getenv)
		if err != nil {
			return nil, nil, err
		}
		if p := filepath.Join(dir, "mxaudit", "config.toml"); fileExists(p) {
			f.common.config = p
		}
	}
	cfg, err := f.common.settings(fs)
	if err != nil {
		return nil, nil, err
	}
	pf := policyFlags{config: f.common.config, policy: f.policy, auditLog: f.auditLog}
	desk, err := pf.desk(env)
	if err != nil {
		return nil, nil, err
	}
	a, err := openApp(ctx, spec, cfg, env, nil)
	if err != nil {
		return nil, nil, err
	}
	svc, err := a.Actions(desk, app.Delivery{Relay: f.relay, Maildir: f.maildir})
	if err != nil {
		a.Close()
		return nil, nil, err
	}
	return a.WithHooks(svc, desk, func(s string) { warnf(env, "%s", s) }), a, nil
}

func fileExists(p string) bool {
	_, err := os.Stat(p)
	return err == nil
}

// loadMessages analyses the messages to act on: the IDs given, or with
// --all every message of the source. An ID the source does not hold
// (any more) is kept with its ID only, so that the plan can say who
// released or deleted it.
func loadMessages(ctx context.Context, a *app.App, all bool, ids []string) ([]*model.Message, error) {
	var msgs []*model.Message
	if all {
		// Files that are not mail are skipped with a warning by the scan.
		err := a.Scan(ctx, func(m model.Message) error {
			msgs = append(msgs, &m)
			return nil
		}, nil)
		return msgs, err
	}
	for _, id := range ids {
		mid := model.MessageID(id)
		m, err := a.Reanalyse(ctx, mid)
		if errors.Is(err, mailsrc.ErrNotFound) {
			msgs = append(msgs, &model.Message{ID: mid})
			continue
		}
		if err != nil {
			return nil, fmt.Errorf("%s: %w", termtext.Sanitize(id), err)
		}
		msgs = append(msgs, &m)
	}
	return msgs, nil
}

// printPlan prints the dry run: one line per message, its recipients,
// why it is held back, the warnings; then the summary.
func printPlan(w io.Writer, p action.Plan) {
	for _, it := range p.Items {
		m := it.Message
		fmt.Fprintf(w, "%s  %s  %s\n", termtext.Sanitize(string(m.ID)), termtext.Sanitize(m.From), termtext.Sanitize(m.Subject))
		if p.Request.Kind == action.Release && it.Blocked == "" {
			line := "  to " + strings.Join(sanitizeAll(it.Recipients), ", ")
			if len(it.Copies) > 0 {
				line += "; copies to " + strings.Join(sanitizeAll(it.Copies), ", ")
			}
			if it.Sender == "" {
				line += "; from <>"
			} else {
				line += "; from <" + termtext.Sanitize(it.Sender) + ">"
			}
			fmt.Fprintln(w, line)
		}
		if it.Decision.Exception != nil || it.Decision.Outcome == model.DecisionNeedsOverride {
			fmt.Fprintln(w, "  rules: "+termtext.Sanitize(it.Decision.Sentence))
		}
		if it.Blocked != "" {
			fmt.Fprintln(w, "  held back: "+termtext.Sanitize(it.Blocked))
		}
		for _, warn := range it.Warnings {
			fmt.Fprintln(w, "  warning: "+termtext.Sanitize(warn))
		}
	}
	fmt.Fprintln(w, p.Summary)
}

func sanitizeAll(list []string) []string {
	out := make([]string, len(list))
	for i, s := range list {
		out[i] = termtext.Sanitize(s)
	}
	return out
}

// stdinIsTerminal reports whether the confirmation can be asked: stdin
// must be a terminal. A variable so that tests can play one.
var stdinIsTerminal = func(env Env) bool {
	f, ok := env.Stdin.(*os.File)
	if !ok || !env.IsTerminal {
		return false
	}
	info, err := f.Stat()
	return err == nil && info.Mode()&os.ModeCharDevice != 0
}

// confirm asks the operator to type yes. With --yes it does not ask;
// without a terminal to ask on it refuses, so that a script that forgot
// --yes acts on nothing.
func confirm(yes bool, prompt string, env Env) error {
	if yes {
		return nil
	}
	if !stdinIsTerminal(env) {
		return usagef("not on a terminal: nothing done; add --yes to act without confirmation")
	}
	fmt.Fprint(env.Stdout, prompt)
	line, err := bufio.NewReader(env.Stdin).ReadString('\n')
	if err != nil && line == "" {
		return errors.New("not confirmed: nothing done")
	}
	if strings.TrimSpace(line) != "yes" {
		return errors.New("not confirmed (type yes in full): nothing done")
	}
	return nil
}
