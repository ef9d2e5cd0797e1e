package cli

import (
	"context"
	"encoding/json"
	"flag"
	"fmt"
	"strings"

	"mxaudit/model"
	"mxaudit/ui/termtext"
)

// statsWidth is the chart width when the output is not a terminal.
const statsWidth = 80

// runStats is "mxaudit stats [--json] [filter flags] SOURCE": it scans the
// source and prints result ratios, dispositions, encrypted and risky
// attachments over time, and the From domains failing DMARC most.
func runStats(ctx context.Context, args []string, env Env) int {
	fs := flag.NewFlagSet("stats", flag.ContinueOnError)
	fs.SetOutput(env.Stderr)
	var common commonFlags
	common.register(fs)
	asJSON := fs.Bool("json", false, "print the statistics as one JSON object")
	var f model.Filter
	fs.StringVar(&f.Text, "filter", "", "count only messages whose names, subject or files contain TEXT")
	fs.BoolVar(&f.EncryptedOnly, "encrypted", false, "count only messages with an encrypted archive")
	fs.BoolVar(&f.DMARCFailOnly, "dmarc-fail", false, "count only messages failing DMARC")
	fs.BoolVar(&f.RiskyOnly, "risky", false, "count only messages with a risky attachment")
	spec, cfg, code := common.parseSource(fs, args, env,
		"usage: mxaudit stats [--json] [--filter TEXT] [--encrypted] [--dmarc-fail] [--risky] SOURCE\n", nil)
	if code != ExitOK {
		return code
	}
	a, closeApp, err := listing(ctx, spec, cfg, env)
	if err != nil {
		fmt.Fprintln(env.Stderr, "mxaudit:", err)
		return ExitFailed
	}
	defer closeApp()
	st, err := statsOf(ctx, a, f)
	if err != nil {
		fmt.Fprintln(env.Stderr, "mxaudit:", err)
		return ExitFailed
	}
	if *asJSON {
		enc := json.NewEncoder(jsonSafe{env.Stdout})
		enc.SetEscapeHTML(false)
		enc.SetIndent("", "  ")
		err = enc.Encode(st)
	} else {
		width := env.Width
		if width <= 0 {
			width = statsWidth
		}
		_, err = fmt.Fprint(env.Stdout, renderStats(st, a.Name(), f, width))
	}
	if err != nil {
		fmt.Fprintln(env.Stderr, "mxaudit:", err)
		return ExitFailed
	}
	return ExitOK
}

// statsOf scans a's source and counts the messages f matches.
func statsOf(ctx context.Context, a Listing, f model.Filter) (model.Stats, error) {
	counter := model.NewStatsCounter()
	err := a.Scan(ctx, func(m model.Message) error {
		if f.Match(&m) {
			counter.Add(&m)
		}
		return nil
	}, nil)
	return counter.Stats(), err
}

// renderStats draws the statistics as plain-text charts in width columns.
func renderStats(st model.Stats, source string, f model.Filter, width int) string {
	var b strings.Builder
	head := fmt.Sprintf("%d messages in %s", st.Messages, termtext.Sanitize(source))
	if !f.IsZero() {
		head += " (filter: " + termtext.Sanitize(f.String()) + ")"
	}
	b.WriteString(termtext.Truncate(head, width) + "\n\n")
	charts := []barChart{
		{title: "SPF results", bars: st.SPF.Bars(), percent: true},
		{title: "DKIM results (best signature per message)", bars: st.DKIM.Bars(), percent: true},
		{title: "DMARC results", bars: st.DMARC.Bars(), percent: true},
		{title: "DMARC disposition requested by the From domain's policy", bars: st.Dispositions.Bars(), percent: true},
	}
	for _, c := range charts {
		b.WriteString(c.render(width) + "\n")
	}
	fmt.Fprintf(&b, "Encrypted archives %d, risky attachments %d, PPAP pairs %d\n", st.Encrypted, st.Risky, st.PPAPPairs)
	if st.Undated > 0 {
		fmt.Fprintf(&b, "(%d messages without a date are not in the chart below)\n", st.Undated)
	}
	b.WriteString(renderSparklines("Messages", st.Series, width) + "\n")
	top := make([]model.Bar, len(st.FailingDomains))
	for i, d := range st.FailingDomains {
		label := d.Domain
		if label == "" {
			label = "(no From domain)"
		}
		top[i] = model.Bar{Label: label, Count: d.Messages}
	}
	title := fmt.Sprintf("Top %d From domains failing DMARC", model.TopFailingDomains)
	b.WriteString(barChart{title: title, bars: top}.render(width))
	return b.String()
}
