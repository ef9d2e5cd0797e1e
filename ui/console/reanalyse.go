package console

import (
	"context"
	"errors"
	"fmt"
	"strings"

	tea "charm.land/bubbletea/v2"

	"mxaudit/analysis/ppap"
	"mxaudit/model"
	"mxaudit/ui/termtext"
)

// DKIM on demand: a summarising scan (IMAP, --verify-dkim=on-demand)
// leaves DKIM signatures unverified because it never fetches the signed
// body. The verify key reads the selected message whole and analyses it
// again (Config.Reanalyse) in a command; the answer replaces the row and
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
	ctx, scanID, id := m.ctx, m.scan.id, sel.ID
	return func() tea.Msg {
		msg, err := run(ctx, id)
		return reanalysedMsg{scanID: scanID, id: id, msg: msg, err: err}
	}
}

// handleReanalysed replaces the row with the fresh analysis, keeping what
// only the scan knew: the PPAP pairing and the exception.
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
		carryPairing(row, &fresh)
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
