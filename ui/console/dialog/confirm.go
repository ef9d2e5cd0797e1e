package dialog

import (
	"charm.land/bubbles/v2/key"
	tea "charm.land/bubbletea/v2"

	"mxaudit/ui/console/common"
	"mxaudit/ui/termtext"
)

// Confirm asks a yes/no question. On yes it answers Answer{ID: id}; on
// no it just closes.
type Confirm struct {
	com      *common.Common
	id       ID
	question string
}

// NewConfirm returns a dialog asking question id.
func NewConfirm(com *common.Common, id ID, question string) *Confirm {
	return &Confirm{com: com, id: id, question: question}
}

// ID implements Dialog.
func (c *Confirm) ID() ID { return c.id }

// Update implements Dialog.
func (c *Confirm) Update(msg tea.KeyPressMsg) (Result, bool) {
	switch {
	case key.Matches(msg, c.com.Keys.Confirm):
		return Answer{ID: c.id}, true
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
