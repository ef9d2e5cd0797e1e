// Package common is what every component of the console shares: styles,
// the key map, the clock and the terminal size. The root model owns the
// one Common and hands components a pointer, so a resize or a switch to a
// light-background palette reaches all of them at once.
package common

import (
	"time"

	"mxaudit/ui/console/keys"
	"mxaudit/ui/console/styles"

	"charm.land/bubbles/v2/help"
)

// Common is the state shared by all components.
type Common struct {
	Styles styles.Styles
	Keys   keys.KeyMap
	// Now is the injected clock: dates in the list are shown relative to
	// it, and tests freeze it.
	Now func() time.Time
	// Width and Height are the terminal's size in cells.
	Width, Height int
	// Mouse is set when mouse reporting is on.
	Mouse bool
}

// Component is the shape of the console's building blocks: each one is
// told its size, names its keys for the help, and draws itself without
// changing state.
type Component interface {
	help.KeyMap
	SetSize(width, height int)
	View() string
}
