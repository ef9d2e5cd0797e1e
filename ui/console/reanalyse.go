package console

import (
	"context"
	"errors"
	"fmt"
	"strings"

	tea "charm.land/bubbletea/v2"

	"mxaudit/model"
	"mxaudit/ui/termtext"
)

// DKIM on demand: a summarising scan (IMAP, --verify-dkim=on-demand)
// leaves DKIM signatures unverified because it never fetches the signed
// body. The verify key reads the selected message whole and analyses it
// again (Config.Verifier) in a command; the answer replaces the row and
// the status line says what DKIM found.

// reanalysedMsg carries the fresh analysis of id, made for scan scanID.
type reanalysedMsg struct {
	scanID int
	id     model.MessageID
	msg    model.Message
	err    error
}

// reanalyseSelected returns the command that re-analyses the selected
// message whole, once it has been read back.
func (m *Model) reanalyseSelected() tea.Cmd {
	if m.table.SelectedRow() == nil {
		return nil
	}
	run := m.cfg.reanalyser()
	if run == nil {
		m.setNotice("verifying is not available in this console", true)
		return nil
	}
	return m.withSelected("verify it", func(sel *model.Message) tea.Cmd {
		m.setNotice("fetching "+termtext.Sanitize(string(sel.ID))+" to verify DKIM…", false)
		// The core carries over what only the scan knew (the PPAP
		// pairing) from this copy of the message.
		ctx, scanCtx, scanID, id, old, kept := m.ctx, m.scan.ctx, m.scan.id, sel.ID, *sel, m.kept
		return func() tea.Msg {
			fresh, err := run(ctx, old)
			if err != nil {
				return reanalysedMsg{scanID: scanID, id: id, err: err}
			}
			fresh.ID = id
			if fresh.Date.IsZero() {
				fresh.Date, fresh.DateSource = old.Date, old.DateSource // the listing's arrival time, as the scan used
			}
			// The views read it back from here from now on, unless a
			// reload meanwhile gave the ID to another message.
			if scanCtx.Err() == nil {
				kept.Put(fresh)
			}
			return reanalysedMsg{scanID: scanID, id: id, msg: fresh}
		}
	})
}

// handleReanalysed replaces the row with the fresh analysis (the core
// kept the PPAP pairing) and annotates its exception.
func (m *Model) handleReanalysed(msg reanalysedMsg) tea.Cmd {
	if msg.scanID != m.scan.id {
		return nil // the list was reloaded meanwhile: the ID may name another message
	}
	if msg.err != nil {
		if !errors.Is(msg.err, context.Canceled) {
			m.setNotice("cannot verify "+termtext.Sanitize(string(msg.id))+": "+msg.err.Error(), true)
		}
		return nil
	}
	fresh := msg.msg
	if m.policy != nil {
		m.policy.Annotate(&fresh, m.com.Now())
	}
	if !m.table.Replace(&fresh) {
		m.setNotice("the message left the list before it was verified", false)
		return nil
	}
	m.scan.verified = true // its row is no longer the scan's (keepRows)
	m.setNotice(dkimSummary(fresh.Auth), false)
	if m.read.detailWant == fresh.ID {
		// The pane shows the message as it was (or reads it): show the
		// fresh one, and drop a read on its way.
		m.read.detailSeq++
		m.detail.SetMessage(&fresh)
	}
	return tea.Batch(m.selectionChanged(), m.statsChanged())
}

// dkimSummary is the status line after a verification: each signature's
// result and domain.
func dkimSummary(a *model.Auth) string {
	switch {
	case a == nil:
		return "re-analysed; sender authentication is not checked in this console"
	case len(a.DKIM) == 0:
		return "DKIM verified: the message is not signed"
	}
	parts := make([]string, len(a.DKIM))
	for i, d := range a.DKIM {
		parts[i] = fmt.Sprintf("%s (d=%s)", d.Result, termtext.Sanitize(d.Domain))
	}
	return "DKIM verified: " + strings.Join(parts, ", ")
}
