package console

import (
	"fmt"

	tea "charm.land/bubbletea/v2"

	"mxaudit/model"
	"mxaudit/ui/console/dialog"
	"mxaudit/ui/termtext"
)

// PPAP keys: p jumps between a ZIP mail and its password mail; P shows
// the password, re-derived from both mails in a command, in a dialog that
// is the only holder of it.

// passwordMsg carries a re-derived password to request seq. It is handed
// straight to the dialog and not kept.
type passwordMsg struct {
	seq      int
	password string
	err      error
}

// pairOf returns the other half of msg's PPAP pair: for a ZIP mail the
// message that held the password of its first opened archive, for a
// password mail the first message whose archive it opened.
func pairOf(msg *model.Message) (model.MessageID, bool) {
	for i := range msg.Attachments {
		if a := msg.Attachments[i].Archive; a != nil && a.Decrypted && a.PasswordSource != "" && a.PasswordSource != msg.ID {
			return a.PasswordSource, true
		}
	}
	for _, l := range msg.PasswordFor {
		if l.Message != msg.ID {
			return l.Message, true
		}
	}
	return "", false
}

// jumpToPair selects the other half of the selected message's pair,
// clearing the filter when it hides it.
func (m *Model) jumpToPair() tea.Cmd {
	return m.withSelected("find its PPAP pair", m.jumpFrom)
}

// jumpFrom selects the other half of sel's pair.
func (m *Model) jumpFrom(sel *model.Message) tea.Cmd {
	id, ok := pairOf(sel)
	if !ok {
		m.setNotice("this message is not part of a PPAP pair", true)
		return nil
	}
	pos := m.table.Find(id)
	if pos < 0 && m.table.RowByID(id) != nil {
		m.table.SetFilter(model.Filter{})
		m.setNotice("filter cleared to show the paired message", false)
		pos = m.table.Find(id)
	}
	if pos < 0 {
		m.setNotice(fmt.Sprintf("the paired message %s is not listed (yet)", termtext.Sanitize(string(id))), true)
		return nil
	}
	m.table.SetCursor(pos)
	return m.selectionChanged()
}

// passwordTarget names the archive whose password P shows for msg (its
// ZIP mail, attachment index, name and digest) and the message holding
// the password.
func passwordTarget(msg *model.Message) (link model.PasswordLink, src model.MessageID, ok bool) {
	for i := range msg.Attachments {
		a := &msg.Attachments[i]
		if a.Archive != nil && a.Archive.Decrypted && a.Archive.PasswordSource != "" {
			return msg.LinkTo(i), a.Archive.PasswordSource, true
		}
	}
	for _, l := range msg.PasswordFor {
		return l, msg.ID, true
	}
	return model.PasswordLink{}, "", false
}

// showPassword opens the password dialog and returns the command that
// re-derives the password.
func (m *Model) showPassword() tea.Cmd {
	return m.withSelected("show a PPAP password", m.showPasswordOf)
}

// showPasswordOf opens the password dialog of sel.
func (m *Model) showPasswordOf(sel *model.Message) tea.Cmd {
	link, src, ok := passwordTarget(sel)
	if !ok {
		m.setNotice("no opened PPAP archive here: there is no password to show", true)
		return nil
	}
	if m.cfg.Passwords == nil {
		m.setNotice("passwords cannot be shown in this console", true)
		return nil
	}
	m.pwSeq++
	m.dialogs.Push(dialog.NewPassword(m.com, link.Filename, string(src)))
	seq, ctx, password := m.pwSeq, m.ctx, m.cfg.Passwords.Password
	return func() tea.Msg {
		pw, err := password(ctx, link, src)
		return passwordMsg{seq: seq, password: pw, err: err}
	}
}

// handlePassword hands the password to its dialog if that is still open;
// otherwise it is dropped on the floor.
func (m *Model) handlePassword(msg passwordMsg) {
	if d, ok := m.dialogs.TopIs(dialog.IDPassword).(*dialog.Password); ok && msg.seq == m.pwSeq {
		d.SetPassword(msg.password, msg.err)
	}
}
