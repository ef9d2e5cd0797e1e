package dialog

import (
	"strings"

	"charm.land/bubbles/v2/key"
	tea "charm.land/bubbletea/v2"

	"mxaudit/ui/console/common"
	"mxaudit/ui/termtext"
)

// Password shows the password of a PPAP archive, which the root model
// re-derives on the operator's explicit request. The password lives in
// this dialog only: closing the dialog drops it, and nothing else in the
// console ever holds it.
type Password struct {
	com      *common.Common
	archive  string // the archive's file name
	source   string // where the password was found
	password string
	err      string
	loaded   bool
}

// NewPassword returns the dialog, waiting for the password of archive
// found in source.
func NewPassword(com *common.Common, archive, source string) *Password {
	return &Password{com: com, archive: archive, source: source}
}

// SetPassword gives the dialog the password, or the error that prevented
// finding it.
func (p *Password) SetPassword(password string, err error) {
	p.loaded = true
	p.password = password
	if err != nil {
		p.err = err.Error()
	}
}

// ID implements Dialog.
func (p *Password) ID() ID { return IDPassword }

// Update implements Dialog: any of esc, q, enter or P closes it.
func (p *Password) Update(msg tea.KeyPressMsg) (Result, bool) {
	k := &p.com.Keys
	if key.Matches(msg, k.Close, k.Apply, k.ShowPassword) {
		p.password = "" // drop it before the dialog goes
		return nil, true
	}
	return nil, false
}

// View implements Dialog.
func (p *Password) View(width, height int) string {
	inner := max(1, min(64, width-4))
	st := &p.com.Styles
	lines := []string{
		st.Section.Render("ZIP password"),
		"archive: " + termtext.Sanitize(p.archive),
		"found in: " + termtext.Sanitize(p.source),
		"",
	}
	switch {
	case !p.loaded:
		lines = append(lines, st.Muted.Render("reading both messages again…"))
	case p.err != "":
		lines = append(lines, st.ErrorText.Render("cannot show it: ")+termtext.Sanitize(p.err))
	default:
		// The password came from mail: sanitise it, and show where it
		// starts and ends, since blanks matter.
		lines = append(lines, "password: "+st.Focus.Render("["+termtext.Sanitize(p.password)+"]"))
	}
	lines = append(lines, "", st.Muted.Render("Not stored anywhere; hidden again when this closes. esc closes."))
	return st.Dialog.Render(strings.Join(fitHeight(cutLines(lines, inner), height-2), "\n"))
}

// Shown reports whether the dialog holds a password now; for tests.
func (p *Password) Shown() bool { return p.password != "" }

// ShortHelp implements Dialog.
func (p *Password) ShortHelp() []key.Binding { return []key.Binding{p.com.Keys.Close} }

// FullHelp implements Dialog.
func (p *Password) FullHelp() [][]key.Binding { return [][]key.Binding{p.ShortHelp()} }
