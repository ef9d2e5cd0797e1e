// Package styles holds every style of the console, built in one place
// from a handful of colour tokens.
//
// The tokens are the sixteen ANSI colours by number, not RGB values: a
// 16-colour terminal (common over SSH and on consoles) shows them as the
// user's palette defines them, so a theme that makes red readable keeps it
// readable here, and light and dark palettes both work. Only the muted
// text and the selection bar, which must contrast with the background,
// differ between light and dark terminals. With NO_COLOR the styles carry
// no colour at all; verdicts stay readable because every badge is also a
// word or a letter, and the selection is drawn in reverse video.
package styles

import (
	"image/color"

	"charm.land/bubbles/v2/help"
	"charm.land/lipgloss/v2"
)

// Styles is the console's complete set of styles.
type Styles struct {
	NoColor bool

	Title     lipgloss.Style // the top bar
	Header    lipgloss.Style // column titles
	SortedCol lipgloss.Style // the title of the sort column
	Selected  lipgloss.Style // the selected row, drawn over plain text
	Muted     lipgloss.Style // secondary text: dates, sizes, "—"
	Text      lipgloss.Style
	Label     lipgloss.Style // labels in the detail pane
	Section   lipgloss.Style // section titles in the detail pane
	Divider   lipgloss.Style // lines between panes
	Status    lipgloss.Style // the status line
	ErrorText lipgloss.Style // errors, in rows and on the error screen
	FilterOn  lipgloss.Style // the active-filter tag in the top bar
	Dialog    lipgloss.Style // the frame around a dialog

	// Badge colours, by meaning.
	Good, Warn, Bad, Severe, Info lipgloss.Style
	// Infected draws a virus found in a decrypted archive: reverse video,
	// so that it stands out on any palette and without colour.
	Infected lipgloss.Style
	// Marked draws the mark of a row chosen for a bulk action.
	Marked lipgloss.Style
	// Focus draws the focused field of a dialog's form.
	Focus lipgloss.Style

	// ProgressFull and ProgressEmpty draw the scan's progress bar.
	ProgressFull, ProgressEmpty lipgloss.Style

	Help help.Styles
}

// ANSI colour tokens. Numbers 0-15 are the terminal's own palette.
var (
	red     = lipgloss.Color("1")
	green   = lipgloss.Color("2")
	yellow  = lipgloss.Color("3")
	blue    = lipgloss.Color("4")
	magenta = lipgloss.Color("5")
	cyan    = lipgloss.Color("6")
	grey    = lipgloss.Color("8") // bright black: muted on dark backgrounds
	silver  = lipgloss.Color("7") // white: the selection bar on dark backgrounds
	black   = lipgloss.Color("0")
)

// New builds the styles for a terminal with a dark (or light) background;
// noColor drops every colour.
func New(isDark, noColor bool) Styles {
	s := Styles{NoColor: noColor}
	base := lipgloss.NewStyle()
	fg := func(c color.Color) lipgloss.Style {
		if noColor {
			return base
		}
		return base.Foreground(c)
	}
	ld := lipgloss.LightDark(isDark)

	s.Text = base
	s.Muted = fg(grey).Faint(noColor)
	s.Title = base.Bold(true).Reverse(true)
	s.Header = base.Bold(true).Underline(true)
	s.SortedCol = s.Header.Inherit(fg(cyan))
	s.Label = fg(ld(blue, cyan)).Bold(true)
	s.Section = base.Bold(true).Underline(true)
	s.Divider = fg(grey)
	s.Status = base
	s.ErrorText = fg(red).Bold(true)
	s.FilterOn = fg(yellow).Bold(true)
	s.Dialog = base.Border(lipgloss.NormalBorder()).Padding(0, 1)
	if !noColor {
		s.Dialog = s.Dialog.BorderForeground(yellow)
	}

	s.Good = fg(green)
	s.Warn = fg(yellow)
	s.Bad = fg(red).Bold(true)
	s.Severe = fg(magenta).Bold(true)
	s.Info = fg(cyan)
	s.Infected = fg(red).Bold(true).Reverse(true)
	s.Marked = fg(cyan).Bold(true)
	s.Focus = fg(yellow).Bold(true)

	if noColor {
		s.Selected = base.Reverse(true)
	} else {
		// A fixed palette pair rather than reverse video, so that the row
		// reads the same whatever badge colours it contained.
		s.Selected = base.Foreground(ld(silver, black)).
			Background(ld(blue, silver)).Bold(true)
	}
	s.ProgressFull = fg(cyan)
	s.ProgressEmpty = fg(grey)

	s.Help = help.Styles{
		ShortKey:       base.Bold(true),
		ShortDesc:      s.Muted,
		ShortSeparator: s.Muted,
		Ellipsis:       s.Muted,
		FullKey:        base.Bold(true),
		FullDesc:       base,
		FullSeparator:  s.Muted,
	}
	return s
}
