package cli

import (
	"context"
	"encoding/json"
	"errors"
	"flag"
	"fmt"
	"io"
	"strconv"
	"strings"
	"text/tabwriter"
	"time"

	"mxaudit/model"
	"mxaudit/ui/termtext"
)

const exceptionUsage = `usage:
  mxaudit exception add (--address ADDR | --domain DOMAIN) --kind KIND[,KIND] --reason TEXT [--expires DATE|DAYS]
  mxaudit exception list [--expiring [--notify]] [--status STATUS] [--json]
  mxaudit exception approve ID
  mxaudit exception revoke ID [--reason TEXT]
  mxaudit exception export --format postfix|rspamd [--kind KIND] [--action ACTION] [--output FILE]

KIND is encrypted-archive, dmarc-fail or risky-type. A domain covers exactly
that domain; write *.example.co.jp for its subdomains. Expiry defaults to 90
days and may not exceed 365. Common flags: --config FILE, --policy FILE,
--audit-log FILE.
`

// runException is "mxaudit exception ...": the exception policy from the
// command line, for scripts.
func runException(ctx context.Context, args []string, env Env) int {
	if len(args) == 0 {
		fmt.Fprint(env.Stderr, exceptionUsage)
		return ExitUsage
	}
	var err error
	switch args[0] {
	case "add":
		err = exceptionAdd(args[1:], env)
	case "list":
		err = exceptionList(args[1:], env)
	case "approve":
		err = exceptionApprove(args[1:], env)
	case "revoke":
		err = exceptionRevoke(args[1:], env)
	case "export":
		err = exceptionExport(args[1:], env)
	case "help", "-h", "--help":
		fmt.Fprint(env.Stdout, exceptionUsage)
		return ExitOK
	default:
		err = usagef("unknown exception command %q", args[0])
	}
	return exitFor(err, "mxaudit exception", exceptionUsage, env)
}

// exitFor prints err and returns the exit status it calls for.
func exitFor(err error, prefix, usageText string, env Env) int {
	var uerr usageError
	switch {
	case err == nil:
		return ExitOK
	case errors.Is(err, errFlagsPrinted):
		return ExitUsage
	case errors.As(err, &uerr):
		fmt.Fprintf(env.Stderr, "%s: %v\n%s", prefix, err, usageText)
		return ExitUsage
	}
	fmt.Fprintf(env.Stderr, "%s: %v\n", prefix, err)
	return ExitFailed
}

// errFlagsPrinted is a flag error the flag package has already reported.
var errFlagsPrinted = errors.New("invalid flags")

// parseCommand parses a subcommand's flags and checks the number of
// positional arguments.
func parseCommand(fs *flag.FlagSet, args []string, positional int) ([]string, error) {
	rest, err := parseArgs(fs, args)
	if err != nil {
		// The flag package has printed the problem and the flags.
		return nil, errFlagsPrinted
	}
	if len(rest) != positional {
		return nil, usagef("%s takes %d argument(s), got %d", fs.Name(), positional, len(rest))
	}
	return rest, nil
}

func exceptionAdd(args []string, env Env) error {
	fs := flag.NewFlagSet("exception add", flag.ContinueOnError)
	fs.SetOutput(env.Stderr)
	var pf policyFlags
	pf.register(fs)
	address := fs.String("address", "", "the sender address the exception covers")
	domain := fs.String("domain", "", "the sender domain the exception covers (*.DOMAIN for its subdomains)")
	var kinds []model.ExceptionKind
	fs.Func("kind", "rule to relax: encrypted-archive, dmarc-fail, risky-type (repeat or comma-separate)", func(s string) error {
		for _, k := range splitList(s) {
			kind, err := model.ParseExceptionKind(k)
			if err != nil {
				return err
			}
			kinds = append(kinds, kind)
		}
		return nil
	})
	reason := fs.String("reason", "", "why the exception is needed (required)")
	expires := fs.String("expires", "", "expiry: a date (2027-03-01) or a number of days (default 90, at most 365)")
	if _, err := parseCommand(fs, args, 0); err != nil {
		return err
	}
	req := model.ExceptionRequest{Kinds: kinds, Reason: *reason}
	switch {
	case (*address == "") == (*domain == ""):
		return usagef("give exactly one of --address and --domain")
	case *address != "":
		req.Scope, req.Value = model.ScopeAddress, *address
	default:
		req.Scope, req.Value = model.ScopeDomain, *domain
	}
	pe, err := pf.open(env)
	if err != nil {
		return err
	}
	if req.Expires, err = model.ParseExpiry(*expires, pe.now); err != nil {
		return usagef("%v", err)
	}
	entry := model.NewAuditEntry(model.ActionExceptionAdd, pe.op, pe.now)
	entry.Detail = fmt.Sprintf("%s %s: %s; reason: %s", req.Scope, req.Value, joinKindList(kinds), req.Reason)
	var added model.Exception
	var approvers []string
	err = pe.changePolicy(&entry, func(p *model.Policy) error {
		approvers = p.Approvers
		added, err = p.Add(req, pe.op, pe.now)
		entry.ExceptionID = added.ID
		if err == nil {
			entry.Detail = fmt.Sprintf("%s; reason: %s; expires %s", added.Describe(), added.Reason, dateOf(added.Expires))
		}
		return err
	})
	if err != nil {
		return err
	}
	fmt.Fprintf(env.Stdout, "exception %d requested: %s, expires %s\n", added.ID, termtext.Sanitize(added.Describe()), dateOf(added.Expires))
	fmt.Fprintf(env.Stdout, "pending: an approver other than %s must run \"mxaudit exception approve %d\"%s\n",
		termtext.Sanitize(added.RequestedBy), added.ID, approverHint(approvers, added.RequestedBy))
	return nil
}

// approverHint lists who can approve, or warns that nobody can.
func approverHint(approvers []string, requester string) string {
	var others []string
	for _, a := range approvers {
		if !model.SameUser(a, requester) {
			others = append(others, termtext.Sanitize(a))
		}
	}
	if len(others) == 0 {
		return " (no other approver is configured: set approvers in the configuration)"
	}
	return " (approvers: " + strings.Join(others, ", ") + ")"
}

func exceptionApprove(args []string, env Env) error {
	return changeOne("exception approve", model.ActionExceptionApprove, args, env, nil,
		func(p *model.Policy, pe *policyEnv, id int) (model.Exception, error) {
			return p.Approve(id, pe.op, pe.now)
		},
		func(e model.Exception) string {
			return fmt.Sprintf("exception %d approved: %s, expires %s", e.ID, termtext.Sanitize(e.Describe()), dateOf(e.Expires))
		})
}

func exceptionRevoke(args []string, env Env) error {
	var reason *string
	return changeOne("exception revoke", model.ActionExceptionRevoke, args, env,
		func(fs *flag.FlagSet) { reason = fs.String("reason", "", "why the exception ends") },
		func(p *model.Policy, pe *policyEnv, id int) (model.Exception, error) {
			return p.Revoke(id, pe.op, *reason, pe.now)
		},
		func(e model.Exception) string {
			return fmt.Sprintf("exception %d revoked: %s", e.ID, termtext.Sanitize(e.Describe()))
		})
}

// changeOne runs a command that changes one exception named by ID, with
// its audit record.
func changeOne(name string, action model.AuditAction, args []string, env Env,
	extraFlags func(*flag.FlagSet),
	change func(*model.Policy, *policyEnv, int) (model.Exception, error),
	report func(model.Exception) string,
) error {
	fs := flag.NewFlagSet(name, flag.ContinueOnError)
	fs.SetOutput(env.Stderr)
	var pf policyFlags
	pf.register(fs)
	if extraFlags != nil {
		extraFlags(fs)
	}
	rest, err := parseCommand(fs, args, 1)
	if err != nil {
		return err
	}
	id, err := strconv.Atoi(rest[0])
	if err != nil || id <= 0 {
		return usagef("%q is not an exception ID", rest[0])
	}
	pe, err := pf.open(env)
	if err != nil {
		return err
	}
	entry := model.NewAuditEntry(action, pe.op, pe.now)
	entry.ExceptionID = id
	var changed model.Exception
	p, err := pe.desk.Change(&entry, func(p *model.Policy) error {
		changed, err = change(p, pe, id)
		if err == nil {
			entry.Detail = changed.Describe()
			if action == model.ActionExceptionRevoke && changed.RevokeReason != "" {
				entry.Detail += "; reason: " + changed.RevokeReason
			}
		}
		return err
	})
	if err != nil {
		return err
	}
	if e := p.Find(id); changed.ID == 0 && e != nil {
		// An approval recovered from its audit record: change never ran.
		fmt.Fprintf(env.Stdout, "recovered from audit record %d (its policy write had been lost): ", entry.Seq)
		changed = *e
	}
	fmt.Fprintln(env.Stdout, report(changed))
	return nil
}

// exceptionJSON is one exception as "exception list --json" prints it.
type exceptionJSON struct {
	ID            int                   `json:"id"`
	Status        model.ExceptionStatus `json:"status"`
	Why           string                `json:"why,omitempty"` // why an invalid or unverified approval does not apply
	Scope         model.ExceptionScope  `json:"scope"`
	Value         string                `json:"value"`
	Kinds         []model.ExceptionKind `json:"kinds"`
	Reason        string                `json:"reason"`
	RequestedBy   string                `json:"requested_by"`
	RequestedFrom string                `json:"requested_from,omitempty"`
	Created       time.Time             `json:"created"`
	ApprovedBy    string                `json:"approved_by,omitempty"`
	Approved      *time.Time            `json:"approved,omitempty"`
	Expires       time.Time             `json:"expires"`
	RevokedBy     string                `json:"revoked_by,omitempty"`
	Revoked       *time.Time            `json:"revoked,omitempty"`
	RevokeReason  string                `json:"revoke_reason,omitempty"`
	Hits          int                   `json:"hits"`
	LastHit       *time.Time            `json:"last_hit,omitempty"`
}

func exceptionList(args []string, env Env) error {
	fs := flag.NewFlagSet("exception list", flag.ContinueOnError)
	fs.SetOutput(env.Stderr)
	var pf policyFlags
	pf.register(fs)
	expiring := fs.Bool("expiring", false, "only active exceptions expiring within 14 days, soonest first")
	status := fs.String("status", "", "only exceptions with this status: pending, active, expired, revoked, invalid, unverified")
	asJSON := fs.Bool("json", false, "print a JSON array")
	notify := fs.Bool("notify", false, "with --expiring: mail a reminder to the requester and approvers through the relay (for cron); also runs the exception_expire hooks")
	if _, err := parseCommand(fs, args, 0); err != nil {
		return err
	}
	if *notify && !*expiring {
		return usagef("--notify goes with --expiring")
	}
	pe, err := pf.open(env)
	if err != nil {
		return err
	}
	p, err := pe.policy.Load()
	if err != nil {
		return err
	}
	if *notify {
		return remindExpiring(pe.desk, p, env)
	}
	list := p.Exceptions
	if *expiring {
		list = p.Expiring(pe.now)
	}
	var rows []exceptionJSON
	for i := range list {
		e := &list[i]
		st := p.Status(e, pe.now)
		if *status != "" && string(st) != *status {
			continue
		}
		rows = append(rows, exceptionJSON{
			ID: e.ID, Status: st, Scope: e.Scope, Value: e.Value, Kinds: e.Kinds, Reason: e.Reason,
			RequestedBy: e.RequestedBy, RequestedFrom: e.RequestedFrom, Created: e.Created,
			ApprovedBy: e.ApprovedBy, Approved: timePtr(e.Approved), Expires: e.Expires,
			RevokedBy: e.RevokedBy, Revoked: timePtr(e.Revoked), RevokeReason: e.RevokeReason,
			Hits: e.Hits, LastHit: timePtr(e.LastHit), Why: e.Why(pe.now, p.Approvers),
		})
	}
	if *asJSON {
		if rows == nil {
			rows = []exceptionJSON{}
		}
		enc := json.NewEncoder(jsonSafe{env.Stdout})
		enc.SetIndent("", "  ")
		return enc.Encode(rows)
	}
	return printExceptionTable(env.Stdout, rows)
}

func printExceptionTable(w io.Writer, rows []exceptionJSON) error {
	tw := tabwriter.NewWriter(w, 2, 8, 2, ' ', 0)
	fmt.Fprintln(tw, "ID\tSTATUS\tSENDER\tKINDS\tREQUESTED\tAPPROVED\tEXPIRES\tHITS\tLAST HIT\tREASON")
	for _, r := range rows {
		lastHit := "-"
		if r.LastHit != nil {
			lastHit = dateOf(*r.LastHit)
		}
		fmt.Fprintf(tw, "%d\t%s\t%s\t%s\t%s\t%s\t%s\t%d\t%s\t%s\n",
			r.ID, r.Status, cell(r.Value), joinKindList(r.Kinds), cell(r.RequestedBy), cell(firstNonEmpty(r.ApprovedBy, "-")),
			dateOf(r.Expires), r.Hits, lastHit, cell(r.Reason))
	}
	if err := tw.Flush(); err != nil {
		return err
	}
	for _, r := range rows {
		if r.Why != "" {
			fmt.Fprintf(w, "exception %d is %s: %s\n", r.ID, r.Status, cell(r.Why))
		}
	}
	return nil
}

// cell makes text from the policy file safe for a terminal and for the
// tab-aligned table.
func cell(s string) string {
	return strings.ReplaceAll(termtext.Sanitize(s), "\t", " ")
}

func timePtr(t time.Time) *time.Time {
	if t.IsZero() {
		return nil
	}
	return &t
}

func dateOf(t time.Time) string { return t.UTC().Format(time.DateOnly) }

func joinKindList(kinds []model.ExceptionKind) string {
	s := make([]string, len(kinds))
	for i, k := range kinds {
		s[i] = string(k)
	}
	return strings.Join(s, ",")
}
