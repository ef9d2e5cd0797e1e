package cli

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"io/fs"
	"os"
	"path/filepath"

	"mxaudit/analysis/auth"
	"mxaudit/analysis/dmarcreport"
	"mxaudit/mailsrc"
	"mxaudit/ui/app"
	"mxaudit/ui/termtext"
)

// runReports is "mxaudit reports [--json|--csv] SOURCE": it reads the DMARC
// aggregate reports in SOURCE — report mails in a Maildir or an mbox, or
// .xml, .xml.gz and .zip reports given as a file or a folder — and prints
// per reported domain the pass ratios, the reporters and the sources that
// fail.
func runReports(ctx context.Context, args []string, env Env) int {
	fs := flag.NewFlagSet("reports", flag.ContinueOnError)
	fs.SetOutput(env.Stderr)
	var common commonFlags
	common.register(fs)
	asJSON := fs.Bool("json", false, "print the summary and the reports as JSON (parsedmarc's field names)")
	asCSV := fs.Bool("csv", false, "print one CSV row per report record")
	spec, cfg, code := common.parseSource(fs, args, env, "usage: mxaudit reports [--json|--csv] SOURCE\n",
		exclusive("--json and --csv", asJSON, asCSV))
	if code != ExitOK {
		return code
	}
	var resolver auth.Resolver
	if !cfg.Offline {
		resolver = app.Resolver(cfg)
	}
	col := newReportCollector(env, *asJSON || *asCSV)
	if err := collectReports(ctx, spec, cfg, col); err != nil {
		fmt.Fprintln(env.Stderr, "mxaudit:", err)
		return ExitFailed
	}
	sum := col.z.Summary()
	if !*asCSV {
		// Names for the rows shown: the failing sources the summary
		// ranks, which the text prints and the JSON summary carries.
		// The CSV has a row per record and leaves source_reverse_dns
		// empty rather than asking about every address of every record.
		dmarcreport.ResolveNames(ctx, &sum, resolver)
	}
	var err error
	switch {
	case *asJSON:
		err = writeReportsJSON(env.Stdout, sum, col.reports)
	case *asCSV:
		err = writeReportsCSV(env.Stdout, col.reports)
	default:
		width := env.Width
		if width <= 0 {
			width = statsWidth
		}
		_, err = io.WriteString(env.Stdout, renderReports(sum, col.skipped, width))
	}
	if err != nil {
		fmt.Fprintln(env.Stderr, "mxaudit:", err)
		return ExitFailed
	}
	if sum.Reports == 0 {
		fmt.Fprintln(env.Stderr, "mxaudit: no DMARC aggregate report found in", termtext.Sanitize(spec))
		return ExitFailed
	}
	return ExitOK
}

// reportCollector gathers reports as they are read: the summary always,
// the reports themselves only for the outputs that print them.
type reportCollector struct {
	env     Env
	z       *dmarcreport.Summarizer
	keep    bool
	reports []*dmarcreport.Report
	skipped int // files or messages that hold no report
}

func newReportCollector(env Env, keepAll bool) *reportCollector {
	return &reportCollector{env: env, z: dmarcreport.NewSummarizer(), keep: keepAll}
}

// add counts what one file or message held. Items that are not reports at
// all (most of a quarantine) are counted, not reported; reports that could
// not be read are warned about.
func (c *reportCollector) add(where string, reps []*dmarcreport.Report, err error) {
	for _, r := range reps {
		if c.z.Add(r) && c.keep {
			c.reports = append(c.reports, r)
		}
	}
	switch {
	case err == nil, errors.Is(err, context.Canceled):
		// Cut short by an interrupt, which collectReports reports once.
	case errors.Is(err, dmarcreport.ErrNotReport) && len(reps) == 0:
		c.skipped++
	default:
		fmt.Fprintf(c.env.Stderr, "mxaudit: %s: %s\n", termtext.Sanitize(where), termtext.Sanitize(err.Error()))
	}
}

// collectReports reads every report spec names: a report file, a folder
// that is not a Maildir (every file in it, recursively), or a mail source.
// Files and mails are read on several workers under one memory budget
// (dmarcreport.Batch) and reach c in order.
func collectReports(ctx context.Context, spec string, cfg Config, c *reportCollector) error {
	info, err := os.Stat(spec)
	if err != nil {
		return err
	}
	if info.Mode().IsRegular() && isReportContainer(spec) {
		reps, err := dmarcreport.ReadFile(spec, dmarcreport.Limits{})
		c.add(spec, reps, err)
		return nil
	}
	var src mailsrc.Source
	if !info.IsDir() || isMaildirPath(spec) {
		if src, err = app.OpenSource(ctx, spec, cfg); err != nil {
			return err
		}
		defer src.Close()
	}
	b := dmarcreport.NewBatch(ctx, app.ReportWorkers(), dmarcreport.Limits{}, c.add)
	if src != nil {
		err = addFromSource(ctx, src, b)
	} else {
		err = addFromFolder(ctx, spec, b)
	}
	b.Wait()
	return err
}

// failed is the ReadFunc of an item that could not even be listed.
func failed(err error) dmarcreport.ReadFunc {
	return func(dmarcreport.Limits) ([]*dmarcreport.Report, error) { return nil, err }
}

// addFromFolder queues every file under dir.
func addFromFolder(ctx context.Context, dir string, b *dmarcreport.Batch) error {
	return filepath.WalkDir(dir, func(path string, d fs.DirEntry, err error) error {
		if err != nil {
			return b.Add(path, failed(err))
		}
		if !d.Type().IsRegular() {
			return ctx.Err()
		}
		return b.Add(path, func(lim dmarcreport.Limits) ([]*dmarcreport.Report, error) {
			return dmarcreport.ReadFile(path, lim)
		})
	})
}

// addFromSource queues every message of a mail source.
func addFromSource(ctx context.Context, src mailsrc.Source, b *dmarcreport.Batch) error {
	return src.List(ctx, func(e mailsrc.Entry) error {
		if e.Err != nil {
			return b.Add(string(e.ID), failed(e.Err))
		}
		return b.Add(string(e.ID), app.ReportMail(ctx, src.Open, e.ID))
	})
}

// isReportContainer reports whether the file at path starts like an XML,
// gzip or ZIP report rather than a mail or an mbox.
func isReportContainer(path string) bool {
	f, err := os.Open(path)
	if err != nil {
		return true // let ReadFile give the error
	}
	defer f.Close()
	head := make([]byte, 512)
	n, _ := io.ReadFull(f, head)
	return dmarcreport.Sniff(head[:n]) != dmarcreport.KindUnknown || n == 0
}

// isMaildirPath reports whether dir has the cur/ and new/ folders of a
// Maildir.
func isMaildirPath(dir string) bool {
	for _, sub := range []string{"cur", "new"} {
		if fi, err := os.Stat(filepath.Join(dir, sub)); err != nil || !fi.IsDir() {
			return false
		}
	}
	return true
}
