package cli

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"strconv"
	"strings"
	"time"

	"mxaudit/mailsrc/action"
	"mxaudit/ui/termtext"
)

const purgeUsage = `usage:
  mxaudit purge SOURCE --older-than N[d] [--yes]

Removes for good the messages deleted into the quarantine's trash (.trash/)
more than N days ago (30d, 30; or a Go duration such as 720h). Each one is
recorded in the audit log. On a terminal, type yes to go on; scripts pass
--yes. An IMAP trash mailbox is expired by the server instead.
`

// runPurge is "mxaudit purge SOURCE --older-than N[d]".
func runPurge(ctx context.Context, args []string, env Env) int {
	fs := flag.NewFlagSet("purge", flag.ContinueOnError)
	fs.SetOutput(env.Stderr)
	var f actionFlags
	f.register(fs, action.Delete)
	olderThan := fs.String("older-than", "", "age of the trashed messages to remove: N days (30d) or a duration (720h); required")
	positional, err := parseArgs(fs, args)
	if err != nil {
		return ExitUsage
	}
	var age time.Duration
	switch {
	case len(positional) != 1:
		err = usagef("purge takes the quarantine, and only it")
	case f.all:
		err = usagef("purge has no --all: it works on the trash as a whole")
	case *olderThan == "":
		err = usagef("--older-than is required: purge never removes everything at once by default")
	default:
		age, err = parseAge(*olderThan)
	}
	if err == nil {
		err = purgeMain(ctx, &f, fs, positional[0], age, env)
	}
	if errors.Is(err, errSomeFailed) {
		return ExitFailed
	}
	return exitFor(err, "mxaudit purge", purgeUsage, env)
}

// parseAge reads "30d", "30" (days) or a Go duration ("720h"); the age
// must be at least a minute, so that a slip ("0") does not empty the
// trash of what was deleted a moment ago.
func parseAge(s string) (time.Duration, error) {
	s = strings.TrimSpace(s)
	var d time.Duration
	if n, err := strconv.Atoi(strings.TrimSuffix(s, "d")); err == nil {
		if n < 0 || n > 100*365 {
			return 0, usagef("--older-than %q: out of range", s)
		}
		d = time.Duration(n) * 24 * time.Hour
	} else if d, err = time.ParseDuration(s); err != nil {
		return 0, usagef("--older-than %q: want N days (30d) or a duration (720h)", s)
	}
	if d < time.Minute {
		return 0, usagef("--older-than %q: must be at least a minute", s)
	}
	return d, nil
}

func purgeMain(ctx context.Context, f *actionFlags, fs *flag.FlagSet, spec string, age time.Duration, env Env) error {
	svc, a, err := f.service(ctx, fs, spec, env)
	if err != nil {
		return err
	}
	defer a.Close()
	prompt := fmt.Sprintf("Type yes to remove for good the messages deleted more than %s ago from %s: ",
		strings.TrimSuffix(age.String(), "0m0s"), termtext.Sanitize(spec))
	if age%(24*time.Hour) == 0 {
		prompt = fmt.Sprintf("Type yes to remove for good the messages deleted more than %d days ago from %s: ",
			age/(24*time.Hour), termtext.Sanitize(spec))
	}
	if err := confirm(f.yes, prompt, env); err != nil {
		return err
	}
	failed := 0
	results, err := svc.Purge(ctx, age, func(r action.Result) {
		if r.Err != nil {
			failed++
		}
		fmt.Fprintf(env.Stdout, "%s: %s\n", termtext.Sanitize(string(r.ID)), termtext.Sanitize(r.Outcome))
	})
	if err != nil {
		return err
	}
	fmt.Fprintf(env.Stdout, "purged %d of %d messages\n", len(results)-failed, len(results))
	if failed > 0 {
		return errSomeFailed
	}
	return nil
}
