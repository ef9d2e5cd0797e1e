package cli

import (
	"context"
	"fmt"
	"strings"

	"mxaudit/model"
	"mxaudit/ui/app"
	"mxaudit/ui/termtext"
)

// remindExpiring is "exception list --expiring --notify", run from cron:
// it runs the expiry hooks of exceptions that ended since the last run,
// then mails a reminder about each one expiring soon (at most one a day
// each), and prints what it did. A reminder that could not be sent fails
// the command, so that cron reports it.
func remindExpiring(desk *app.Desk, p model.Policy, env Env) error {
	ctx := context.Background()
	expired, err := desk.NoticeExpired(ctx, p, func(s string) { warnf(env, "%s", s) })
	if err != nil {
		return err
	}
	for _, e := range expired {
		fmt.Fprintf(env.Stdout, "exception %d expired: %s\n", e.ID, termtext.Sanitize(e.Describe()))
	}
	rems, err := desk.RemindExpiring(ctx, p, desk.Config.Relay)
	if err != nil {
		return err
	}
	failed := 0
	for _, r := range rems {
		e := r.Exception
		switch {
		case r.Skipped != "":
			fmt.Fprintf(env.Stdout, "exception %d: no reminder: %s\n", e.ID, termtext.Sanitize(r.Skipped))
		case r.Err != nil:
			failed++
			fmt.Fprintf(env.Stderr, "mxaudit: exception %d: reminder not sent: %v\n", e.ID, r.Err)
		default:
			fmt.Fprintf(env.Stdout, "exception %d expires %s: reminder sent to %s\n", e.ID, dateOf(e.Expires), termtext.Sanitize(strings.Join(r.To, ", ")))
		}
	}
	if failed > 0 {
		return fmt.Errorf("%d reminder(s) not sent", failed)
	}
	return nil
}
