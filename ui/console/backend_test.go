package console

import (
	"context"
	"io"
	"iter"

	"mxaudit/analysis/auth"
	"mxaudit/analysis/dmarcreport"
	"mxaudit/analysis/domaincheck"
	"mxaudit/analysis/ppap"
	"mxaudit/analysis/scan"
	"mxaudit/mailsrc"
	"mxaudit/model"
	"mxaudit/ui/app"
)

// stub puts plain functions behind the back-end interfaces, so that a
// test sets only what it exercises. Its watch speaks the console's own
// Change, translated back to the source's terms.
type stub struct {
	scan      func(ctx context.Context, emit func(model.Message) error, progress func(scan.Progress)) error
	open      func(ctx context.Context, id model.MessageID) (io.ReadCloser, error)
	watch     func(ctx context.Context, known iter.Seq[model.MessageID], send func(Change)) error
	analyze   func(ctx context.Context, ids []model.MessageID) ([]model.Message, error)
	reanalyse func(ctx context.Context, id model.MessageID) (model.Message, error)
	check     func(ctx context.Context, domain string) (*domaincheck.Report, error)
	resolver  auth.Resolver // reverse names for the report view; nil: offline
}

// stubOf returns the stub behind cfg's Source.
func stubOf(cfg Config) *stub { return cfg.Source.(*stub) }

func (s *stub) Scan(ctx context.Context, emit func(model.Message) error, progress func(scan.Progress)) error {
	return s.scan(ctx, emit, progress)
}

func (s *stub) Open(ctx context.Context, id model.MessageID) (io.ReadCloser, error) {
	return s.open(ctx, id)
}

func (s *stub) Watch(ctx context.Context, known iter.Seq[model.MessageID], send func(mailsrc.Change)) error {
	return s.watch(ctx, known, func(c Change) {
		kinds := map[ChangeKind]mailsrc.ChangeKind{ChangeAdded: mailsrc.Added, ChangeRemoved: mailsrc.Removed, ChangeReload: mailsrc.Reload}
		send(mailsrc.Change{Kind: kinds[c.Kind], IDs: c.IDs, Note: c.Note})
	})
}

func (s *stub) Analyze(ctx context.Context, ids []model.MessageID) ([]model.Message, error) {
	return s.analyze(ctx, ids)
}

func (s *stub) Verify(ctx context.Context, old model.Message) (model.Message, error) {
	return s.reanalyse(ctx, old.ID)
}

func (s *stub) CheckDomain(ctx context.Context, domain string) (*domaincheck.Report, error) {
	return s.check(ctx, domain)
}

// Password re-derives the password with the default pairing settings,
// from the stub's messages.
func (s *stub) Password(ctx context.Context, link model.PasswordLink, src model.MessageID) (string, error) {
	return ppap.Password(ctx, ppap.Config{}, s.open, link, src)
}

func (s *stub) ReadReports(ctx context.Context, ids []model.MessageID) app.Reports {
	return app.ReadReportsWith(ctx, s.open, ids)
}

func (s *stub) LookupNames(ctx context.Context, ips []string) map[string]string {
	return dmarcreport.LookupNames(ctx, ips, s.resolver)
}
