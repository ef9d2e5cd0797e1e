package cli

import (
	"context"
	"encoding/json"
	"flag"
	"fmt"
	"io"
	"strings"

	"mxaudit/analysis/domaincheck"
	"mxaudit/ui/app"
	"mxaudit/ui/termtext"
)

// Exit statuses of "mxaudit check".
const (
	checkExitClean       = 0 // no error found (warnings allowed)
	checkExitErrors      = 1 // at least one error in the records
	checkExitCannotCheck = 2 // the check could not run: bad arguments or DNS unreachable
)

// runCheck is "mxaudit check DOMAIN [--selector s1,s2] [--json] [--dns
// HOST:PORT]": it audits the domain's SPF and DMARC records and the DKIM
// keys of the selectors. It exits 0 when no error was found, 1 when some
// were, and 2 when the check could not run.
func runCheck(ctx context.Context, args []string, env Env) int {
	fs := flag.NewFlagSet("check", flag.ContinueOnError)
	fs.SetOutput(env.Stderr)
	var common commonFlags
	common.registerDNS(fs)
	selectors := fs.String("selector", "", "DKIM selectors to check, comma-separated")
	asJSON := fs.Bool("json", false, "print the report as JSON")
	positional, err := parseArgs(fs, args)
	if err != nil {
		return checkExitCannotCheck
	}
	if len(positional) != 1 {
		fmt.Fprintln(env.Stderr, "usage: mxaudit check [--selector s1,s2] [--json] [--dns HOST:PORT] DOMAIN")
		return checkExitCannotCheck
	}
	cfg, err := common.settings(fs)
	if err != nil {
		fmt.Fprintln(env.Stderr, "mxaudit:", err)
		return checkExitCannotCheck
	}
	if cfg.Offline {
		fmt.Fprintln(env.Stderr, "mxaudit check: --offline makes no sense here: the check is DNS lookups")
		return checkExitCannotCheck
	}
	resolver := app.Resolver(cfg)
	rep, err := domaincheck.Check(ctx, resolver, positional[0], splitList(*selectors))
	if err != nil {
		fmt.Fprintln(env.Stderr, "mxaudit check:", termtext.Sanitize(err.Error()))
		return checkExitCannotCheck
	}
	if *asJSON {
		enc := json.NewEncoder(jsonSafe{env.Stdout})
		enc.SetEscapeHTML(false)
		enc.SetIndent("", "  ")
		err = enc.Encode(rep)
	} else {
		_, err = io.WriteString(env.Stdout, renderCheck(rep))
	}
	if err != nil {
		fmt.Fprintln(env.Stderr, "mxaudit:", err)
		return checkExitCannotCheck
	}
	if rep.Count(domaincheck.SeverityError) > 0 {
		return checkExitErrors
	}
	return checkExitClean
}

// renderCheck prints a check report for people. Record text comes from
// DNS, under the domain owner's control, and is sanitised.
func renderCheck(rep *domaincheck.Report) string {
	var b strings.Builder
	fmt.Fprintf(&b, "Domain %s\n\n", termtext.Sanitize(rep.Domain))

	spf := rep.SPF
	if spf.Record == "" {
		b.WriteString("SPF    (no record)\n")
	} else {
		fmt.Fprintf(&b, "SPF    %s\n", termtext.Sanitize(spf.Record))
		fmt.Fprintf(&b, "       %d of %d DNS lookups, %d of %d void lookups\n",
			spf.Lookups, domaincheck.MaxLookups, spf.VoidLookups, domaincheck.MaxVoidLookups)
		if spf.Tree != nil {
			renderSPFTree(&b, spf.Tree, "       ", "", true)
		}
	}
	renderFindings(&b, spf.Findings)

	d := rep.DMARC
	b.WriteString("\n")
	if d.Record == "" {
		b.WriteString("DMARC  (no record)\n")
	} else {
		fmt.Fprintf(&b, "DMARC  %s\n", termtext.Sanitize(d.Record))
		fmt.Fprintf(&b, "       at %s: p=%s sp=%s adkim=%s aspf=%s fo=%s%s\n",
			termtext.Sanitize(d.From), orDash(d.P), orDash(d.SP), d.ADKIM, d.ASPF, termtext.Sanitize(d.FO), dmarcExtras(d))
		for _, u := range d.RUA {
			fmt.Fprintf(&b, "       rua %s\n", termtext.Sanitize(u))
		}
		for _, u := range d.RUF {
			fmt.Fprintf(&b, "       ruf %s\n", termtext.Sanitize(u))
		}
	}
	renderWalk(&b, d)
	renderFindings(&b, d.Findings)

	if len(rep.DKIM) > 0 {
		b.WriteString("\nDKIM\n")
	}
	for _, k := range rep.DKIM {
		switch {
		case k.Record == "":
			fmt.Fprintf(&b, "       %s: no key\n", termtext.Sanitize(k.Name))
		case k.Revoked:
			fmt.Fprintf(&b, "       %s: revoked\n", termtext.Sanitize(k.Name))
		default:
			fmt.Fprintf(&b, "       %s: %s, %d bits\n", termtext.Sanitize(k.Name), termtext.Sanitize(k.KeyType), k.Bits)
		}
		renderFindings(&b, k.Findings)
	}

	errs, warns := rep.Count(domaincheck.SeverityError), rep.Count(domaincheck.SeverityWarning)
	fmt.Fprintf(&b, "\n%d error(s), %d warning(s)\n", errs, warns)
	return b.String()
}

// renderSPFTree draws the include tree, each record with its own lookups
// and, when it has children, the lookups of its whole branch.
func renderSPFTree(b *strings.Builder, n *domaincheck.SPFNode, indent, branch string, last bool) {
	name := n.Domain
	if n.Via != "" {
		name = n.Via + ":" + n.Domain
	}
	line := indent + branch + termtext.Sanitize(name)
	fmt.Fprintf(b, "%s  %d", line, n.Lookups)
	if len(n.Children) > 0 {
		fmt.Fprintf(b, " (branch %d)", n.BranchLookups)
	}
	if n.VoidLookups > 0 {
		fmt.Fprintf(b, ", %d void", n.VoidLookups)
	}
	if n.Error != "" {
		fmt.Fprintf(b, "  [%s]", termtext.Sanitize(n.Error))
	}
	b.WriteString("\n")
	childIndent := indent
	switch {
	case branch == "":
	case last:
		childIndent += "   "
	default:
		childIndent += "│  "
	}
	for i, c := range n.Children {
		lastChild := i == len(n.Children)-1
		mark := "├─ "
		if lastChild {
			mark = "└─ "
		}
		renderSPFTree(b, c, childIndent, mark, lastChild)
	}
}

// checkWidth is the width findings are wrapped to.
const checkWidth = 80

// renderFindings prints findings with their severity, wrapped to
// checkWidth with the text's left edge kept.
func renderFindings(b *strings.Builder, fs []domaincheck.Finding) {
	const indent = "          "
	for _, f := range fs {
		lines := termtext.WrapWords(termtext.Sanitize(f.Message), checkWidth-len(indent))
		fmt.Fprintf(b, "  %-7s %s\n", strings.ToUpper(string(f.Severity)), lines[0])
		for _, l := range lines[1:] {
			b.WriteString(indent + l + "\n")
		}
	}
}

// dmarcExtras spells the RFC 9989 flags and the obsolete pct= of a record.
func dmarcExtras(d domaincheck.DMARCReport) string {
	var s string
	if d.NP != "" {
		s += " np=" + d.NP
	}
	if d.Testing {
		s += " t=y"
	}
	if d.PSD != "" {
		s += " psd=" + d.PSD
	}
	if v, ok := d.Tags["pct"]; ok {
		s += " pct=" + termtext.Sanitize(v) + " (obsolete)"
	}
	return s
}

// renderWalk shows the RFC 9989 tree walk: each name asked and what it
// held, then the organizational domain it selected.
func renderWalk(b *strings.Builder, d domaincheck.DMARCReport) {
	if len(d.Walk) == 0 {
		return
	}
	b.WriteString("       tree walk (RFC 9989):\n")
	for _, l := range d.Walk {
		fmt.Fprintf(b, "         %-9s %s\n", l.Status, termtext.Sanitize(l.Name))
	}
	if d.OrgDomain != "" {
		fmt.Fprintf(b, "       organizational domain %s\n", termtext.Sanitize(d.OrgDomain))
	}
}
