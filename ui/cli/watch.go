package cli

import (
	"context"
	"errors"

	"mxaudit/analysis"
	"mxaudit/analysis/ppap"
	"mxaudit/mailsrc"
	"mxaudit/model"
	"mxaudit/ui"
)

// The console's live updates and on-demand verification, in terms the ui
// package understands without importing the sources: Watch translates a
// mailsrc.Watcher's changes, Analyze analyses arrivals as the scan would,
// Reanalyse reads one message whole for DKIM.

// dirPollInterval is how often a Maildir or a directory is listed for
// live updates (a variable so that tests need not wait seconds).
var dirPollInterval = mailsrc.DefaultPollInterval

// consoleWatch returns Config.Watch for src: the source's own Watch
// (IMAP: IDLE or NOOP polling), a mailsrc.PollWatcher listing a Maildir or
// a directory every few seconds, or nil for an mbox or a single file,
// which are read once.
func consoleWatch(src mailsrc.Source) func(context.Context, func(ui.Change)) error {
	var w mailsrc.Watcher
	switch s := src.(type) {
	case mailsrc.Watcher:
		w = s
	case *mailsrc.Maildir, *mailsrc.Dir:
		w = mailsrc.NewPollWatcher(src, dirPollInterval)
	default:
		return nil
	}
	return func(ctx context.Context, send func(ui.Change)) error {
		return w.Watch(ctx, func(c mailsrc.Change) {
			var kind ui.ChangeKind
			switch c.Kind {
			case mailsrc.Added:
				kind = ui.ChangeAdded
			case mailsrc.Removed:
				kind = ui.ChangeRemoved
			case mailsrc.Reload:
				kind = ui.ChangeReload
			default:
				return // a kind this console does not know: nothing to show
			}
			send(ui.Change{Kind: kind, IDs: c.IDs, Note: c.Note})
		})
	}
}

// consoleAnalyze returns Config.Analyze: the given messages analysed as
// the scan does (summaries from a Summarizer when need is set, else each
// message whole), then paired among themselves by a PPAP stream of their
// own. A ZIP mail and its password mail that arrive together are thus
// paired; a ZIP mail whose password mail arrives in a later change is
// shown unpaired (pairing it would mean re-opening a row already shown,
// which the console leaves to a rescan).
func consoleAnalyze(src mailsrc.Source, an *analysis.Analyzer, need func(model.PartInfo) bool, pc ppap.Config) func(context.Context, []model.MessageID) ([]model.Message, error) {
	return func(ctx context.Context, ids []model.MessageID) ([]model.Message, error) {
		var out []model.Message
		pairing := ppap.NewStream(ctx, pc, src.Open, func(m model.Message) error {
			out = append(out, m)
			return nil
		})
		runErr := analyseIDs(ctx, src, an, need, ids, pairing.Write)
		pairErr := pairing.Close()
		return out, errors.Join(runErr, pairErr)
	}
}

// analyseIDs analyses ids in the order given and hands each result to
// emit. Messages the source no longer holds are skipped: they left the
// folder between the change and the analysis, and the watch reports that
// on its own.
func analyseIDs(ctx context.Context, src mailsrc.Source, an *analysis.Analyzer, need func(model.PartInfo) bool,
	ids []model.MessageID, emit func(model.Message) error) error {
	if sum, ok := src.(mailsrc.Summarizer); ok && need != nil {
		return sum.Summaries(ctx, ids, need, func(s mailsrc.Summary) error {
			m := an.AnalyzeSummary(ctx, s.Entry.ID, s.Message)
			if s.Entry.Size > 0 {
				m.Size = s.Entry.Size // the stored message, not the rebuilt one
			}
			if m.Date.IsZero() {
				m.Date = s.Entry.Received
			}
			return emit(m)
		})
	}
	for _, id := range ids {
		m, err := analyseWhole(ctx, src, an, id)
		switch {
		case errors.Is(err, mailsrc.ErrNotFound):
			continue
		case err != nil:
			return err
		}
		if err := emit(m); err != nil {
			return err
		}
	}
	return nil
}

// analyseWhole reads message id whole and analyses it, DKIM bodies
// included: Config.Reanalyse, and arrivals from a source that does not
// summarise.
func analyseWhole(ctx context.Context, src mailsrc.Source, an *analysis.Analyzer, id model.MessageID) (model.Message, error) {
	rc, err := src.Open(ctx, id)
	if err != nil {
		return model.Message{}, err
	}
	defer rc.Close()
	return an.Analyze(ctx, id, rc), nil
}
