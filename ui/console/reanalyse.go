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
// message whole.
func (m *Model) reanalyseSelected() tea.Cmd {
	sel := m.table.Selected()
	if sel == nil {
		return nil
	}
	run := m.cfg.reanalyser()
	if run == nil {
		m.setNotice("verifying is not available in this console", true)
		return nil
	}
	m.setNotice("fetching "+termtext.Sanitize(string(sel.ID))+" to verify DKIM…", false)
	// The core carries over what only the scan knew (the PPAP pairing)
	// from this copy of the row.
	ctx, scanID, id, old := m.ctx, m.scan.id, sel.ID, *sel
	return func() tea.Msg {
		msg, err := run(ctx, old)
		return reanalysedMsg{scanID: scanID, id: id, msg: msg, err: err}
	}
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
	fresh.ID = msg.id
	replaced := false
	m.table.Update(func(row *model.Message) bool {
		if row.ID != msg.id {
			return false
		}
		if fresh.Date.IsZero() {
			fresh.Date, fresh.DateSource = row.Date, row.DateSource // the listing's arrival time, as the scan used
		}
		if m.policy != nil {
			m.policy.Annotate(&fresh, m.com.Now())
		}
		*row = fresh
		replaced = true
		return true
	})
	if !replaced {
		m.setNotice("the message left the list before it was verified", false)
		return nil
	}
	m.setNotice(dkimSummary(fresh.Auth), false)
	// The detail pane holds a copy of the selected message: renew it.
	m.detail.SetMessage(m.table.Selected())
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
