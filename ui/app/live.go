package app

import (
	"context"
	"errors"
	"iter"

	"mxaudit/analysis/ppap"
	"mxaudit/mailsrc"
	"mxaudit/model"
)

// Live updates and on-demand verification: Watch follows the source
// while a console is open, Analyze analyses the arrivals as Scan would,
// Reanalyse reads one message whole for DKIM.

// watcher returns how the source reports changes: its own Watch (IMAP:
// IDLE or NOOP polling), a mailsrc.PollWatcher listing a Maildir or a
// directory every few seconds, or nil for an mbox or a single file,
// which are read once.
func (a *App) watcher() mailsrc.Watcher {
	switch s := a.src.(type) {
	case mailsrc.Watcher:
		return s
	case *mailsrc.Maildir, *mailsrc.Dir:
		interval := a.opts.PollInterval
		if interval <= 0 {
			interval = mailsrc.DefaultPollInterval
		}
		return mailsrc.NewPollWatcher(a.src, interval)
	}
	return nil
}

// CanWatch reports whether the source can report changes (Watch does
// something).
func (a *App) CanWatch() bool { return a.watcher() != nil }

// Watch calls send for every change of the source until ctx is done, and
// returns ctx.Err() then; an earlier return, with an error, ends live
// updates. known are the messages the caller holds from the App's last
// scan, read once on Watch's goroutine, or nil. A listed source (a
// Maildir, a directory) then sends only what changed since that scan,
// and lists nothing at first while its change stamp is the one taken
// before the scan listed it (mailsrc.PollWatcher.WatchFrom); without
// known, its whole first listing comes as Added, for the caller to
// dedupe. An IMAP folder starts from its own last listing either way. On
// a source that cannot report changes it fails at once; CanWatch tells
// beforehand.
func (a *App) Watch(ctx context.Context, known iter.Seq[model.MessageID], send func(mailsrc.Change)) error {
	w := a.watcher()
	if w == nil {
		return errors.New("this source is read once: no live updates")
	}
	if p, ok := w.(*mailsrc.PollWatcher); ok {
		k := mailsrc.Known{IDs: known}
		if known != nil {
			a.rowsMu.Lock()
			k.Stamp, k.Listed = a.listStamp, a.listSum
			a.rowsMu.Unlock()
		}
		return p.WatchFrom(ctx, k, send)
	}
	return w.Watch(ctx, send)
}

// Analyze analyses the given messages as Scan does (summaries from a
// Summarizer when DKIM is not verified on every message, else each
// message whole), then, unless no_ppap, pairs them among themselves by a
// PPAP stream of their own. A ZIP mail and its password mail that arrive
// together are thus paired; a ZIP mail whose password mail arrives in a
// later change is shown unpaired (pairing it would mean re-opening a row
// already shown, which the console leaves to a rescan). IDs the source
// no longer holds are left out.
func (a *App) Analyze(ctx context.Context, ids []model.MessageID) ([]model.Message, error) {
	var out []model.Message
	collect := func(m model.Message) error {
		out = append(out, m)
		return nil
	}
	if a.cfg.NoPPAP {
		err := a.analyseIDs(ctx, ids, collect)
		return out, err
	}
	pairing := ppap.NewStream(ctx, a.ppap, a.src.Open, collect)
	runErr := a.analyseIDs(ctx, ids, pairing.Write)
	pairErr := pairing.Close()
	return out, errors.Join(runErr, pairErr)
}

// analyseIDs analyses ids in the order given and hands each result to
// emit. Messages the source no longer holds are skipped: they left the
// folder between the change and the analysis, and the watch reports that
// on its own.
func (a *App) analyseIDs(ctx context.Context, ids []model.MessageID, emit func(model.Message) error) error {
	need := needPart(a.dkimMode)
	if sum, ok := a.src.(mailsrc.Summarizer); ok && need != nil {
		return sum.Summaries(ctx, ids, need, func(s mailsrc.Summary) error {
			m := a.analyzer.AnalyzeSummary(ctx, s.Entry.ID, s.Message)
			if s.Entry.Size > 0 {
				m.Size = s.Entry.Size // the stored message, not the rebuilt one
			}
			if m.Date.IsZero() {
				m.Date, m.DateSource = s.Entry.Received, model.DateDelivered
			}
			return emit(m)
		})
	}
	for _, id := range ids {
		m, err := a.Reanalyse(ctx, id)
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

// Verify reads old's message whole and analyses it again, DKIM body
// hashes included (the console's verify key), keeping what only the
// scan knew: the PPAP pairing, and the listing's date when the message
// has none.
func (a *App) Verify(ctx context.Context, old model.Message) (model.Message, error) {
	fresh, err := a.Reanalyse(ctx, old.ID)
	if err != nil {
		return fresh, err
	}
	fresh.ID = old.ID
	if fresh.Date.IsZero() {
		fresh.Date = old.Date // the listing's arrival time, as the scan used
	}
	// The pairing describes the bytes the scan read: carried over only
	// when these are the same bytes.
	if old.SHA256 != "" && old.SHA256 == fresh.SHA256 {
		carryPairing(&old, &fresh)
	}
	return fresh, nil
}

// carryPairing copies the PPAP results the scan's pairing added to old
// onto fresh, an analysis of the same message on its own: the archives it
// opened (or tried to) and the links of a password mail. The attachment
// lists must match, which they do for the same bytes; if they do not, the
// archives are left as fresh has them.
func carryPairing(old, fresh *model.Message) {
	if len(old.Attachments) == len(fresh.Attachments) {
		paired := false
		for i := range old.Attachments {
			o, f := &old.Attachments[i], &fresh.Attachments[i]
			if o.Filename != f.Filename || o.Archive == nil || !o.Archive.Encrypted {
				continue
			}
			if o.Archive.Decrypted || o.Archive.PasswordAttempts > 0 {
				arc := *o.Archive
				f.Archive = &arc
				paired = true
			}
		}
		if paired {
			ppap.ApplyVerdict(fresh)
		}
	}
	for _, l := range old.PasswordFor {
		ppap.NotePasswordMail(fresh, l)
	}
}

// Reanalyse reads message id whole and analyses it, DKIM bodies
// included: the console's verify key, and arrivals from a source that
// does not summarise. It does not pair.
func (a *App) Reanalyse(ctx context.Context, id model.MessageID) (model.Message, error) {
	rc, err := a.src.Open(ctx, id)
	if err != nil {
		return model.Message{}, err
	}
	defer rc.Close()
	return a.analyzer.Analyze(ctx, id, rc), nil
}

// fingerprinted returns emit, adding the ID of each message it is given
// to listed first (nil for nil).
func fingerprinted(emit func(model.Message) error, listed *mailsrc.IDSetSum) func(model.Message) error {
	if emit == nil {
		return nil
	}
	return func(m model.Message) error {
		listed.Add(m.ID)
		return emit(m)
	}
}

// fingerprintedRows is fingerprinted for rows.
func fingerprintedRows(emitRow func(*model.Row) error, listed *mailsrc.IDSetSum) func(*model.Row) error {
	if emitRow == nil {
		return nil
	}
	return func(r *model.Row) error {
		listed.Add(r.ID())
		return emitRow(r)
	}
}

// setListStamp records the change stamp taken before scan gen listed the
// source, and the fingerprint of the messages it emitted, unless another
// scan has begun since.
func (a *App) setListStamp(gen uint64, stamp string, listed mailsrc.IDSetSum) {
	a.rowsMu.Lock()
	defer a.rowsMu.Unlock()
	if gen == a.rowsGen {
		a.listStamp, a.listSum = stamp, &listed
	}
}
