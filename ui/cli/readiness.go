package cli

import (
	"context"
	"encoding/json"
	"flag"
	"fmt"
	"io"
	"strings"
	"text/tabwriter"

	"mxaudit/analysis/auth"
	"mxaudit/analysis/dmarcreport"
	"mxaudit/model"
	"mxaudit/ui/app"
	"mxaudit/ui/termtext"
)

const readinessUsage = "usage: mxaudit readiness DOMAIN --reports SOURCE [--quarantine SOURCE] [--json]\n"

// runReadiness is "mxaudit readiness DOMAIN --reports SOURCE": from the
// aggregate reports about one of your own domains, per sending source,
// whether it is ready for the next step of the DMARC policy (RFC 9989:
// t=y first, then enforcing), and the domain-level answer. With
// --quarantine, the local quarantine's DMARC failures claiming the domain
// stand next to what the reporters saw.
func runReadiness(ctx context.Context, args []string, env Env) int {
	fs := flag.NewFlagSet("readiness", flag.ContinueOnError)
	fs.SetOutput(env.Stderr)
	fs.Usage = func() { fmt.Fprint(env.Stderr, readinessUsage); fs.PrintDefaults() }
	var common commonFlags
	common.register(fs)
	asJSON := fs.Bool("json", false, "print one JSON object")
	reports := fs.String("reports", "", "the aggregate reports: a Maildir or mbox of report mails, or a folder or file of .xml/.xml.gz/.zip")
	quarantine := fs.String("quarantine", "", "a quarantine whose DMARC failures claiming DOMAIN are joined in")
	domain, cfg, code := common.parseSource(fs, args, env, readinessUsage, func() error {
		if *reports == "" {
			return fmt.Errorf("--reports is required")
		}
		return nil
	})
	if code != ExitOK {
		return code
	}
	th, err := cfg.Readiness.Thresholds()
	if err != nil {
		fmt.Fprintln(env.Stderr, "mxaudit:", err)
		return ExitUsage
	}
	rd, err := readinessOf(ctx, domain, *reports, *quarantine, cfg, th, env)
	if err == nil && rd.Reports == 0 {
		err = fmt.Errorf("no aggregate report about %s in %s", domain, *reports)
	}
	if err == nil {
		if *asJSON {
			enc := json.NewEncoder(jsonSafe{env.Stdout})
			enc.SetEscapeHTML(false)
			enc.SetIndent("", "  ")
			err = enc.Encode(struct {
				dmarcreport.Readiness
				Answer string `json:"answer"`
			}{rd, rd.Summary()})
		} else {
			err = writeReadiness(env.Stdout, rd, *quarantine != "")
		}
	}
	if err != nil {
		fmt.Fprintln(env.Stderr, "mxaudit readiness:", termtext.Sanitize(err.Error()))
		return ExitFailed
	}
	return ExitOK
}

// readinessOf reads the reports, decides the sources, names them (unless
// offline) and joins the quarantine when one is given.
func readinessOf(ctx context.Context, domain, reports, quarantine string, cfg Config, th dmarcreport.Thresholds, env Env) (dmarcreport.Readiness, error) {
	col := newReportCollector(env, true)
	if err := collectReports(ctx, reports, cfg, col); err != nil {
		return dmarcreport.Readiness{}, err
	}
	rd := dmarcreport.AssessReadiness(domain, col.reports, th)
	var resolver auth.Resolver
	if !cfg.Offline {
		resolver = app.Resolver(cfg)
	}
	rd.ResolveNames(ctx, resolver)
	if quarantine == "" {
		return rd, nil
	}
	failing, err := quarantineFailures(ctx, quarantine, rd.Domain, cfg, env)
	if err != nil {
		return rd, fmt.Errorf("--quarantine: %w", err)
	}
	rd.JoinQuarantine(failing)
	return rd, nil
}

// quarantineFailures scans a quarantine and counts, per client address,
// the messages whose From domain is domain or a subdomain of it and that
// failed DMARC: spoofing of your domain as you received it.
func quarantineFailures(ctx context.Context, spec, domain string, cfg Config, env Env) (map[string]int, error) {
	a, err := openApp(ctx, spec, cfg, env, nil)
	if err != nil {
		return nil, err
	}
	defer a.Close()
	failing := map[string]int{}
	err = a.Scan(ctx, func(m model.Message) error {
		d := strings.ToLower(m.FromDomain)
		if (d == domain || strings.HasSuffix(d, "."+domain)) && m.IsDMARCFail() && m.Auth != nil && m.Auth.SPF.IP != "" {
			failing[m.Auth.SPF.IP]++
		}
		return nil
	}, nil)
	return failing, err
}

// writeReadiness prints the sources, their advice and the answer for
// people, sanitised: report contents are attacker-controlled.
func writeReadiness(w io.Writer, rd dmarcreport.Readiness, joined bool) error {
	s := termtext.Sanitize
	policy := "p=" + orDash(rd.Policy)
	if rd.Testing {
		policy += "; t=y"
	}
	fmt.Fprintf(w, "%s  %s  %d reports, %d messages, %s to %s\n\n", s(rd.Domain), s(policy), rd.Reports, rd.Messages,
		reportDate(rd.Begin), reportDate(rd.End))
	tw := tabwriter.NewWriter(w, 0, 0, 2, ' ', 0)
	head := "SOURCE\tREVERSE DNS\tREPORTERS\tMESSAGES\tDMARC PASS\tSPF ALIGNED\tDKIM ALIGNED\tDECISION"
	if joined {
		head += "\tIN QUARANTINE"
	}
	fmt.Fprintln(tw, head)
	for _, src := range rd.Sources {
		line := fmt.Sprintf("%s\t%s\t%s\t%d\t%s\t%s\t%s\t%s", s(src.IP), s(orDash(src.ReverseDNS)), s(strings.Join(src.Reporters, ", ")),
			src.Messages, ratioPercent(src.DMARCPassRatio), ratioPercent(src.SPFAlignedRatio), ratioPercent(src.DKIMAlignedRatio), src.Decision)
		if joined {
			line += fmt.Sprintf("\t%d", src.Quarantined)
		}
		fmt.Fprintln(tw, line)
	}
	if err := tw.Flush(); err != nil {
		return err
	}
	var advice []string
	for _, src := range rd.Sources {
		if src.Advice != "" {
			advice = append(advice, fmt.Sprintf("  %s %s: %s", s(src.IP), src.Decision, s(src.Advice)))
		}
	}
	if len(advice) > 0 {
		fmt.Fprintf(w, "\n%s\n", strings.Join(advice, "\n"))
	}
	if joined {
		if len(rd.LocalOnly) == 0 {
			fmt.Fprintln(w, "\nThe quarantine holds no DMARC failure claiming the domain from an address the reports do not name.")
		} else {
			fmt.Fprintln(w, "\nOnly in the local quarantine (DMARC failures claiming the domain, addresses no report names):")
			for _, l := range rd.LocalOnly {
				fmt.Fprintf(w, "  %s  %d message(s)\n", s(l.IP), l.Messages)
			}
		}
	}
	_, err := fmt.Fprintf(w, "\n%s\n", s(rd.Summary()))
	return err
}

// ratioPercent is r as "98.5%".
func ratioPercent(r float64) string { return fmt.Sprintf("%.1f%%", r*100) }
