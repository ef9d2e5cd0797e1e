package console

import (
	"os"
	"strings"

	tea "charm.land/bubbletea/v2"

	"mxaudit/model"
	"mxaudit/ui/termtext"
)

// Copying to the clipboard with OSC 52, which works over SSH: y copies
// the selected message's Message-ID, Y its sender's address, i its
// source ID (what "mxaudit release SOURCE ID" takes). Terminals that
// cannot take OSC 52 (TERM=dumb, the Linux console) or an operator who
// set MXAUDIT_NO_OSC52 get a notice instead, never stray bytes.

// clipboardOK reports whether OSC 52 may be sent to this terminal.
func clipboardOK(getenv func(string) string) bool {
	if getenv("MXAUDIT_NO_OSC52") != "" {
		return false
	}
	switch term := getenv("TERM"); {
	case term == "dumb", term == "linux", term == "":
		return false
	}
	return true
}

// copyField copies what of the selected message name names. The
// Message-ID and the sender's address are not in the list's row: they
// are copied once the message has been read back.
func (m *Model) copyField(name string) tea.Cmd {
	row := m.table.SelectedRow()
	switch {
	case row == nil:
		return nil
	case name == "ID":
		return m.copyValue(name, string(row.ID()))
	}
	return m.withSelected("copy its "+name, func(sel *model.Message) tea.Cmd {
		value := sel.FromAddr
		if name == "Message-ID" {
			value = strings.Trim(sel.MessageID, "<>")
		}
		return m.copyValue(name, value)
	})
}

// copyValue copies value, what of the selected message name names.
func (m *Model) copyValue(name, value string) tea.Cmd {
	// Control characters never reach the clipboard (a Message-ID comes
	// from mail).
	value = termtext.Sanitize(value)
	if value == "" {
		m.setNotice("the message has no "+name, true)
		return nil
	}
	getenv := m.cfg.Getenv
	if getenv == nil {
		getenv = os.Getenv
	}
	if !clipboardOK(getenv) {
		m.setNotice("this terminal cannot take OSC 52 copies (TERM, or MXAUDIT_NO_OSC52); "+name+": "+value, true)
		return nil
	}
	m.lastCopy = value
	m.setNotice("copied "+name+" "+value, false)
	return tea.SetClipboard(value)
}
