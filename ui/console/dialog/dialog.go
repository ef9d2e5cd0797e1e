// Package dialog holds the console's modal dialogs and the stack they
// live on. The root model hands every key to the top dialog first and
// draws the stack last, over everything else, so a dialog can never be
// hidden by a view or miss a key. Besides the yes/no Confirm, the action
// confirmations (Action: release and delete with their dry run;
// Whitelist: an exception request; Typed: approve and revoke) and the
// PPAP Password dialog implement Dialog; the first three never act on a
// single key — the operator types a word and presses enter. A dialog acts
// on nothing itself: it returns a typed Result (result.go) that the root
// model handles in one switch.
package dialog

import (
	"charm.land/bubbles/v2/key"
	tea "charm.land/bubbletea/v2"
	"charm.land/lipgloss/v2"
)

// Dialog is one modal dialog.
type Dialog interface {
	// ID names the question the dialog asks.
	ID() ID
	// Update handles a key. It returns the operator's answer, if any (nil
	// otherwise), and whether the dialog is finished and must be removed
	// from the stack.
	Update(msg tea.KeyPressMsg) (res Result, done bool)
	// View draws the dialog's box, at most width×height cells.
	View(width, height int) string
	// ShortHelp and FullHelp describe the dialog's keys.
	ShortHelp() []key.Binding
	FullHelp() [][]key.Binding
}

// Stack is the stack of open dialogs; the last one pushed is on top.
type Stack struct{ dialogs []Dialog }

// Push opens d over the others.
func (s *Stack) Push(d Dialog) { s.dialogs = append(s.dialogs, d) }

// Len returns the number of open dialogs.
func (s *Stack) Len() int { return len(s.dialogs) }

// Top returns the dialog on top, or nil.
func (s *Stack) Top() Dialog {
	if len(s.dialogs) == 0 {
		return nil
	}
	return s.dialogs[len(s.dialogs)-1]
}

// TopIs returns the dialog on top when it asks question id, or nil: an
// answer from a command (a dry run, a password) is for the dialog on top
// only, never for one the operator has closed.
func (s *Stack) TopIs(id ID) Dialog {
	if top := s.Top(); top != nil && top.ID() == id {
		return top
	}
	return nil
}

// Update gives a key to the top dialog, closing it when it is done. It
// returns the dialog's answer (or nil) and reports whether a dialog was
// open to take the key.
func (s *Stack) Update(msg tea.KeyPressMsg) (Result, bool) {
	top := s.Top()
	if top == nil {
		return nil, false
	}
	res, done := top.Update(msg)
	if done {
		s.dialogs = s.dialogs[:len(s.dialogs)-1]
	}
	return res, true
}

// Render draws every open dialog, bottom first, centred over base, which
// is a width×height frame. A dialog larger than the frame is cut. The
// result may have trailing blanks trimmed; callers pad it back.
func (s *Stack) Render(base string, width, height int) string {
	if len(s.dialogs) == 0 || width < 5 || height < 3 {
		return base
	}
	layers := []*lipgloss.Layer{lipgloss.NewLayer(base)}
	for i, d := range s.dialogs {
		box := d.View(width, height)
		w, h := lipgloss.Size(box)
		layers = append(layers, lipgloss.NewLayer(box).
			X(max(0, (width-w)/2)).Y(max(0, (height-h)/2)).Z(i+1))
	}
	canvas := lipgloss.NewCanvas(width, height)
	canvas.Compose(lipgloss.NewCompositor(layers...))
	return canvas.Render()
}
