package common

import (
	"charm.land/bubbles/v2/key"
	"charm.land/bubbles/v2/viewport"
	tea "charm.land/bubbletea/v2"
)

// ScrollViewport moves vp on the shared scrolling keys (line, page,
// top and bottom; sideways when horizontal is set) and reports whether
// msg was one of them. Every full-screen viewer scrolls the same way.
func (c *Common) ScrollViewport(vp *viewport.Model, msg tea.KeyPressMsg, horizontal bool) bool {
	k := &c.Keys
	switch {
	case key.Matches(msg, k.Up):
		vp.ScrollUp(1)
	case key.Matches(msg, k.Down):
		vp.ScrollDown(1)
	case key.Matches(msg, k.PageUp):
		vp.PageUp()
	case key.Matches(msg, k.PageDown):
		vp.PageDown()
	case key.Matches(msg, k.Home):
		vp.GotoTop()
	case key.Matches(msg, k.End):
		vp.GotoBottom()
	case horizontal && key.Matches(msg, k.Left):
		vp.ScrollLeft(8)
	case horizontal && key.Matches(msg, k.Right):
		vp.ScrollRight(8)
	default:
		return false
	}
	return true
}
