package app

import (
	"context"
	"errors"
	"io"
	"runtime"

	"mxaudit/analysis/dmarcreport"
	"mxaudit/analysis/domaincheck"
	"mxaudit/analysis/ppap"
	"mxaudit/model"
)

// The tools an operator reaches for beside the list: a message's bytes,
// the password of a PPAP pair, the DMARC aggregate reports among the
// messages, a domain's DNS records.

// Open returns a message's raw bytes. The caller closes them.
func (a *App) Open(ctx context.Context, id model.MessageID) (io.ReadCloser, error) {
	return a.src.Open(ctx, id)
}

// Password re-derives the password that opened the archive link names
// from password mail src (see ppap.Password). It is never stored: the
// caller shows it and forgets it.
func (a *App) Password(ctx context.Context, link model.PasswordLink, src model.MessageID) (string, error) {
	return ppap.Password(ctx, a.ppap, a.src.Open, link, src)
}

// Reports is what ReadReports found: the summary of the aggregate
// reports, how many messages were read, and how many report parts could
// not be read.
type Reports struct {
	Summary        dmarcreport.Summary
	Read, Problems int
}

// ReadReports reads the messages ids name and sums up the aggregate
// reports they carry: see ReadReportsWith.
func (a *App) ReadReports(ctx context.Context, ids []model.MessageID) Reports {
	return ReadReportsWith(ctx, a.src.Open, ids)
}

// ReadReportsWith reads the messages ids name through open and sums up
// the aggregate reports they carry, on one worker per CPU under one
// memory budget (dmarcreport.Batch). Messages that carry none are
// skipped; a message that could not be opened, or a report part that
// could not be read, is counted as a problem. It stops early, with what
// it has, when ctx is done.
func ReadReportsWith(ctx context.Context, open func(context.Context, model.MessageID) (io.ReadCloser, error),
	ids []model.MessageID) Reports {
	z := dmarcreport.NewSummarizer()
	var out Reports
	b := dmarcreport.NewBatch(ctx, ReportWorkers(), dmarcreport.Limits{}, func(_ string, reps []*dmarcreport.Report, err error) {
		if ctx.Err() != nil {
			return // read cut short: not a problem of the message
		}
		if !errors.As(err, new(openError)) {
			out.Read++
		}
		for _, r := range reps {
			z.Add(r)
		}
		if err != nil && !errors.Is(err, dmarcreport.ErrNotReport) {
			out.Problems++
		}
	})
	for _, id := range ids {
		if b.Add(string(id), ReportMail(ctx, open, id)) != nil {
			break
		}
	}
	b.Wait()
	out.Summary = z.Summary()
	return out
}

// ReportWorkers is how many report mails are read at once: one per CPU.
func ReportWorkers() int { return runtime.GOMAXPROCS(0) }

// openError is a message that could not be opened, as opposed to one
// that was read and held no readable report. Its text is the cause's.
type openError struct{ err error }

func (e openError) Error() string { return e.err.Error() }
func (e openError) Unwrap() error { return e.err }

// ReportMail returns what reads the reports attached to the message id
// through open, for a dmarcreport.Batch; an error opening it matches
// errors.Is(err, app.ErrNotOpened).
func ReportMail(ctx context.Context, open func(context.Context, model.MessageID) (io.ReadCloser, error),
	id model.MessageID) dmarcreport.ReadFunc {
	return func(lim dmarcreport.Limits) ([]*dmarcreport.Report, error) {
		rc, err := open(ctx, id)
		if err != nil {
			return nil, openError{err}
		}
		defer rc.Close()
		return dmarcreport.FromMessage(rc, lim)
	}
}

// LookupNames returns the reverse DNS names of the addresses ips that
// have one, through the resolver the scan asks (its cache included, empty
// answers too), a bounded number at a time. Offline, it asks nothing and
// returns none.
func (a *App) LookupNames(ctx context.Context, ips []string) map[string]string {
	return dmarcreport.LookupNames(ctx, ips, a.resolver)
}

// CheckDomain audits domain's SPF and DMARC records through the resolver
// the scan asks (the same server, timeout and cache, or the demo's zone).
// Offline, it fails without asking.
func (a *App) CheckDomain(ctx context.Context, domain string) (*domaincheck.Report, error) {
	if a.resolver == nil {
		return nil, errors.New("offline: no DNS queries are made")
	}
	return domaincheck.Check(ctx, a.resolver, domain, nil)
}
