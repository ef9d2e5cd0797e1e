package cli

import (
	"bufio"
	"context"
	"flag"
	"fmt"
	"strings"
	"text/tabwriter"
	"time"

	"mxaudit/model"
	"mxaudit/model/store"
)

const auditUsage = `usage:
  mxaudit audit show [--last N] [--action ACTION] [--json]
  mxaudit audit verify [--anchor SEQ:HASH]... [--print-anchor]

verify checks the hash chain and reports the first broken, missing,
reordered or inserted record, and prints the current anchor (SEQ:HASH).
Ship the anchor off this host daily (syslog to another host, a ticket):
--anchor then also catches records cut off the end and a rewritten chain.
--print-anchor prints only SEQ:HASH of an intact log, for a cron job:
  mxaudit audit verify --print-anchor | logger -t mxaudit-anchor
Common flags: --config FILE, --audit-log FILE.
`

// runAudit is "mxaudit audit show|verify".
func runAudit(ctx context.Context, args []string, env Env) int {
	if len(args) == 0 {
		fmt.Fprint(env.Stderr, auditUsage)
		return ExitUsage
	}
	var err error
	switch args[0] {
	case "show":
		err = auditShow(args[1:], env)
	case "verify":
		return auditVerify(args[1:], env)
	case "help", "-h", "--help":
		fmt.Fprint(env.Stdout, auditUsage)
		return ExitOK
	default:
		err = usagef("unknown audit command %q", args[0])
	}
	return exitFor(err, "mxaudit audit", auditUsage, env)
}

func auditShow(args []string, env Env) error {
	fs := flag.NewFlagSet("audit show", flag.ContinueOnError)
	fs.SetOutput(env.Stderr)
	var pf policyFlags
	pf.register(fs)
	last := fs.Int("last", 0, "only the last N records")
	action := fs.String("action", "", "only records of this action (release, delete, exception-add, ...)")
	asJSON := fs.Bool("json", false, "print the records as JSON Lines, as stored")
	if _, err := parseCommand(fs, args, 0); err != nil {
		return err
	}
	if *last < 0 {
		return usagef("--last must not be negative")
	}
	pe, err := pf.open(env)
	if err != nil {
		return err
	}
	entries, err := store.ReadAuditLog(pe.auditPath)
	if err != nil {
		return err
	}
	var shown []model.AuditEntry
	for _, e := range entries {
		if *action == "" || string(e.Action) == *action {
			shown = append(shown, e)
		}
	}
	if *last > 0 && len(shown) > *last {
		shown = shown[len(shown)-*last:]
	}
	if *asJSON {
		bw := bufio.NewWriter(env.Stdout)
		for i := range shown {
			line, err := shown[i].Encode()
			if err != nil {
				return err
			}
			bw.Write(line)
			bw.WriteByte('\n')
		}
		return bw.Flush()
	}
	tw := tabwriter.NewWriter(env.Stdout, 2, 8, 2, ' ', 0)
	fmt.Fprintln(tw, "SEQ\tTIME\tOPERATOR\tACTION\tSUBJECT\tOUTCOME")
	for _, e := range shown {
		fmt.Fprintf(tw, "%d\t%s\t%s\t%s\t%s\t%s\n", e.Seq, e.Time.UTC().Format(time.RFC3339),
			cell(operatorCell(e)), e.Action, cell(auditSubject(e)), cell(e.Outcome))
	}
	return tw.Flush()
}

func operatorCell(e model.AuditEntry) string {
	if e.SSHClient != "" {
		return e.Operator + " (" + model.SSHLabel(e.SSHClient) + ")"
	}
	return e.Operator
}

// auditSubject sums up what a record acted on, in one cell.
func auditSubject(e model.AuditEntry) string {
	var parts []string
	if e.MessageID != "" {
		parts = append(parts, e.Source+" "+string(e.MessageID))
	}
	if e.HeaderMessageID != "" {
		parts = append(parts, e.HeaderMessageID)
	}
	if len(e.Recipients) > 0 {
		parts = append(parts, "to "+strings.Join(e.Recipients, ","))
	}
	if e.ExceptionID != 0 {
		parts = append(parts, fmt.Sprintf("exception %d", e.ExceptionID))
	}
	if e.OverrideReason != "" {
		parts = append(parts, "override: "+e.OverrideReason)
	}
	if e.Detail != "" {
		parts = append(parts, e.Detail)
	}
	return strings.Join(parts, "; ")
}

// auditVerify exits 0 for an intact log, 1 for a damaged or unreadable
// one, so that cron can alert on it.
func auditVerify(args []string, env Env) int {
	fs := flag.NewFlagSet("audit verify", flag.ContinueOnError)
	fs.SetOutput(env.Stderr)
	var pf policyFlags
	pf.register(fs)
	var anchors []store.Anchor
	fs.Func("anchor", "SEQ:HASH of a record noted earlier (repeatable)", func(s string) error {
		a, err := store.ParseAnchor(s)
		anchors = append(anchors, a)
		return err
	})
	printAnchor := fs.Bool("print-anchor", false, "print only the current anchor SEQ:HASH (for syslog or a ticket)")
	if _, err := parseCommand(fs, args, 0); err != nil {
		return exitFor(err, "mxaudit audit verify", auditUsage, env)
	}
	pe, err := pf.open(env)
	if err != nil {
		return exitFor(err, "mxaudit audit verify", auditUsage, env)
	}
	r, err := store.VerifyAuditLog(pe.auditPath, anchors...)
	if err != nil {
		return exitFor(err, "mxaudit audit verify", auditUsage, env)
	}
	if !r.OK() {
		where := ""
		if r.Line > 0 {
			where = fmt.Sprintf("line %d: ", r.Line)
		}
		fmt.Fprintf(env.Stdout, "audit log %s: BROKEN: %s%s\n", pe.auditPath, where, r.Problem)
		fmt.Fprintf(env.Stdout, "%d intact record(s) before it; last intact %s\n", r.Records, r.Head)
		return ExitFailed
	}
	if *printAnchor {
		if r.Records > 0 {
			fmt.Fprintln(env.Stdout, r.Head)
		}
		return ExitOK
	}
	fmt.Fprintf(env.Stdout, "audit log %s: %d record(s), chain intact\n", pe.auditPath, r.Records)
	if r.Records > 0 {
		fmt.Fprintf(env.Stdout, "anchor %s\n(keep it off this host, e.g. mxaudit audit verify --print-anchor | logger -t mxaudit-anchor; check later with --anchor)\n", r.Head)
	}
	return ExitOK
}
