package cli

import (
	"context"
	"encoding/csv"
	"encoding/json"
	"flag"
	"fmt"
	"io"
	"slices"
	"strconv"
	"strings"
	"text/tabwriter"
	"time"

	"mxaudit/model"
	"mxaudit/ui/app"
	"mxaudit/ui/termtext"
)

const impactUsage = "usage: mxaudit impact [--json|--csv] [--since DATE] [--until DATE] [--policy FILE] SOURCE\n"

// impactReport is the JSON output of "mxaudit impact".
type impactReport struct {
	Generated time.Time       `json:"generated"`
	Period    impactPeriod    `json:"period"`
	Partners  []model.Partner `json:"partners"`
}

// impactPeriod is the period asked for (Since, Until: zero when open)
// and the dates of the first and last message counted.
type impactPeriod struct {
	Since *time.Time `json:"since"`
	Until *time.Time `json:"until"`
	First *time.Time `json:"first"`
	Last  *time.Time `json:"last"`
}

// runImpact is "mxaudit impact SOURCE": per partner (the organizational
// domain of From), what enforcing the release rules would stop, judged
// against the active exceptions of the policy. It is the first step of a
// rollout: who still sends encrypted archives, who has an exception, who
// would break tomorrow.
func runImpact(ctx context.Context, args []string, env Env) int {
	fs := flag.NewFlagSet("impact", flag.ContinueOnError)
	fs.SetOutput(env.Stderr)
	fs.Usage = func() { fmt.Fprint(env.Stderr, impactUsage); fs.PrintDefaults() }
	var common commonFlags
	common.register(fs)
	asJSON := fs.Bool("json", false, "print one JSON object")
	asCSV := fs.Bool("csv", false, "print one CSV row per partner")
	since := fs.String("since", "", "count messages dated on or after DATE (YYYY-MM-DD, UTC, or RFC 3339)")
	until := fs.String("until", "", "count messages dated up to DATE, that whole day included")
	policyPath := fs.String("policy", "", "exception policy file (default: policy_file from the configuration)")
	var opts model.ImpactOptions
	spec, cfg, code := common.parseSource(fs, args, env, impactUsage, func() error {
		if err := exclusive("--json and --csv", asJSON, asCSV)(); err != nil {
			return err
		}
		var err error
		if opts.Since, err = parseDay(*since, false); err != nil {
			return fmt.Errorf("--since: %w", err)
		}
		if opts.Until, err = parseDay(*until, true); err != nil {
			return fmt.Errorf("--until: %w", err)
		}
		return nil
	})
	if code != ExitOK {
		return code
	}
	rep, err := impactOf(ctx, spec, cfg, common.config, *policyPath, opts, env)
	if err == nil {
		switch {
		case *asJSON:
			enc := json.NewEncoder(jsonSafe{env.Stdout})
			enc.SetEscapeHTML(false)
			enc.SetIndent("", "  ")
			err = enc.Encode(rep)
		case *asCSV:
			err = writeImpactCSV(env.Stdout, rep.Partners)
		default:
			err = writeImpactTable(env.Stdout, rep)
		}
	}
	if err != nil {
		fmt.Fprintln(env.Stderr, "mxaudit impact:", err)
		return ExitFailed
	}
	return ExitOK
}

// impactOf scans spec and aggregates its messages into partners, judged
// against the desk's exception policy at the desk's time.
func impactOf(ctx context.Context, spec string, cfg Config, configPath, policyPath string, opts model.ImpactOptions, env Env) (impactReport, error) {
	desk, err := app.OpenDesk(env.getenv, app.DeskPaths{Config: configPath, Policy: policyPath}, lookupOSUser())
	if err != nil {
		return impactReport{}, err
	}
	policy, err := desk.Load()
	if err != nil {
		return impactReport{}, err
	}
	a, err := openApp(ctx, spec, cfg, env, nil)
	if err != nil {
		return impactReport{}, err
	}
	defer a.Close()
	opts.HomeDomains, opts.Now = cfg.HomeDomains, desk.Now
	counter := model.NewImpactCounter(&policy, opts)
	if err := a.Scan(ctx, func(m model.Message) error { counter.Add(&m); return nil }, nil); err != nil {
		return impactReport{}, err
	}
	rep := impactReport{Generated: desk.Now, Partners: counter.Partners()}
	rep.Period.Since, rep.Period.Until = timeOrNil(opts.Since), timeOrNil(opts.Until)
	var first, last time.Time
	for _, p := range rep.Partners {
		if !p.FirstSeen.IsZero() && (first.IsZero() || p.FirstSeen.Before(first)) {
			first = p.FirstSeen
		}
		if p.LastSeen.After(last) {
			last = p.LastSeen
		}
	}
	rep.Period.First, rep.Period.Last = timeOrNil(first), timeOrNil(last)
	return rep, nil
}

func timeOrNil(t time.Time) *time.Time {
	if t.IsZero() {
		return nil
	}
	return &t
}

// parseDay reads a --since or --until value: a UTC day or an RFC 3339
// time. For --until (end set) a day means up to the end of that day.
func parseDay(s string, end bool) (time.Time, error) {
	if s == "" {
		return time.Time{}, nil
	}
	if t, err := time.Parse(time.RFC3339, s); err == nil {
		return t, nil
	}
	t, err := time.Parse(time.DateOnly, s)
	if err != nil {
		return t, fmt.Errorf("%q is neither YYYY-MM-DD nor an RFC 3339 time", s)
	}
	if end {
		t = t.AddDate(0, 0, 1)
	}
	return t, nil
}

// writeImpactTable prints the partners for people, sanitised.
func writeImpactTable(w io.Writer, rep impactReport) error {
	tw := tabwriter.NewWriter(w, 0, 0, 2, ' ', 0)
	fmt.Fprintln(tw, "PARTNER\tIF ENFORCED\tBLOCKED\tMSGS\tENCRYPTED\tPW MAIL\tRISKY\tDMARC FAIL\tRCPTS\tLAST SEEN\tEXCEPTION")
	blocked, partners := 0, 0
	for _, p := range rep.Partners {
		if p.VerdictIfEnforced == model.ImpactBlocked {
			partners++
			blocked += p.Blocked
		}
		dom := p.Domain
		if dom == "" {
			dom = "(no From domain)"
		}
		fail := strconv.Itoa(p.DMARCFail)
		if p.DMARCFail > 0 {
			fail += " (p=" + orDash(string(p.DMARCPolicy)) + ")"
		}
		exc := "-"
		if e := p.Exception; e != nil {
			exc = fmt.Sprintf("#%d until %s", e.ID, e.Expires.Format(time.DateOnly))
		}
		last := "-"
		if !p.LastSeen.IsZero() {
			last = p.LastSeen.UTC().Format(time.DateOnly)
		}
		fmt.Fprintf(tw, "%s\t%s\t%d\t%d\t%s\t%d\t%d\t%s\t%d\t%s\t%s\n",
			termtext.Sanitize(dom), p.VerdictIfEnforced, p.Blocked, p.Messages, encryptedCell(p),
			p.WithPasswordMail, p.Risky, fail, p.RecipientCount, last, exc)
	}
	if err := tw.Flush(); err != nil {
		return err
	}
	_, err := fmt.Fprintf(w, "\nEnforcing the release rules would stop %d messages from %d of %d partners%s.\n",
		blocked, partners, len(rep.Partners), periodText(rep.Period))
	return err
}

// encryptedCell is "3 (zipcrypto 2, aes256 1)".
func encryptedCell(p model.Partner) string {
	if p.Encrypted == 0 {
		return "0"
	}
	return fmt.Sprintf("%d (%s)", p.Encrypted, encryptionList(p.Encryption, " "))
}

// encryptionList is the per-method counts, by method name.
func encryptionList(counts map[model.Encryption]int, sep string) string {
	keys := make([]string, 0, len(counts))
	for k := range counts {
		keys = append(keys, string(k))
	}
	slices.Sort(keys)
	parts := make([]string, len(keys))
	for i, k := range keys {
		parts[i] = k + sep + strconv.Itoa(counts[model.Encryption(k)])
	}
	return strings.Join(parts, ", ")
}

func periodText(p impactPeriod) string {
	if p.First == nil {
		return ""
	}
	return fmt.Sprintf(" (mail dated %s to %s UTC)", p.First.UTC().Format(time.DateOnly), p.Last.UTC().Format(time.DateOnly))
}

// writeImpactCSV prints one sanitised row per partner.
func writeImpactCSV(w io.Writer, partners []model.Partner) error {
	cw := csv.NewWriter(w)
	cw.Write([]string{"domain", "verdict_if_enforced", "blocked", "allowed_by_exception", "messages", "encrypted",
		"with_password_mail", "encryption", "risky", "dmarc_fail", "dmarc_policy", "recipient_count", "recipients",
		"first_seen", "last_seen", "exception_id", "exception_kinds", "exception_expires"})
	for _, p := range partners {
		var excID, excKinds, excExp string
		if e := p.Exception; e != nil {
			excID, excExp = strconv.Itoa(e.ID), e.Expires.Format(time.RFC3339)
			kinds := make([]string, len(e.Kinds))
			for i, k := range e.Kinds {
				kinds[i] = string(k)
			}
			excKinds = strings.Join(kinds, "; ")
		}
		row := []string{p.Domain, string(p.VerdictIfEnforced), strconv.Itoa(p.Blocked), strconv.Itoa(p.Allowed),
			strconv.Itoa(p.Messages), strconv.Itoa(p.Encrypted), strconv.Itoa(p.WithPasswordMail),
			encryptionList(p.Encryption, "="), strconv.Itoa(p.Risky), strconv.Itoa(p.DMARCFail), string(p.DMARCPolicy),
			strconv.Itoa(p.RecipientCount), strings.Join(p.Recipients, "; "),
			rfc3339(p.FirstSeen), rfc3339(p.LastSeen), excID, excKinds, excExp}
		for i := range row {
			row[i] = csvSafe(termtext.Sanitize(row[i]))
		}
		if err := cw.Write(row); err != nil {
			return err
		}
	}
	cw.Flush()
	return cw.Error()
}

// rfc3339 is t in RFC 3339, or "" for the zero time.
func rfc3339(t time.Time) string {
	if t.IsZero() {
		return ""
	}
	return t.Format(time.RFC3339)
}
