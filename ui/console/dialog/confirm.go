package dialog

import (
	"charm.land/bubbles/v2/key"
	tea "charm.land/bubbletea/v2"

	"mxaudit/ui/console/common"
	"mxaudit/ui/termtext"
)

// Confirm asks a yes/no question. On yes it returns OnYes's command; on
// no it just closes.
type Confirm struct {
	com      *common.Common
	question string
	onYes    func() tea.Cmd
}

// NewConfirm returns a dialog asking question; onYes runs when the
// operator answers yes.
func NewConfirm(com *common.Common, question string, onYes func() tea.Cmd) *Confirm {
	return &Confirm{com: com, question: question, onYes: onYes}
}

// Update implements Dialog.
func (c *Confirm) Update(msg tea.KeyPressMsg) (tea.Cmd, bool) {
	switch {
	case key.Matches(msg, c.com.Keys.Confirm):
		return c.onYes(), true
	case key.Matches(msg, c.com.Keys.Deny):
		return nil, true
	}
	return nil, false
}

// View implements Dialog.
func (c *Confirm) View(width, _ int) string {
	// The frame and padding take four columns.
	inner := max(1, min(60, width-4))
	q := termtext.Truncate(c.question, inner)
	hint := termtext.Truncate("y yes, n no", inner)
	return c.com.Styles.Dialog.Render(q + "\n\n" + c.com.Styles.Muted.Render(hint))
}

// ShortHelp implements Dialog.
func (c *Confirm) ShortHelp() []key.Binding {
	return []key.Binding{c.com.Keys.Confirm, c.com.Keys.Deny}
}

// FullHelp implements Dialog.
func (c *Confirm) FullHelp() [][]key.Binding { return [][]key.Binding{c.ShortHelp()} }
