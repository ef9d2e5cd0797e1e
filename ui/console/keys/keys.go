// Package keys is the console's one key map: every binding of every view,
// grouped by where it applies, with the help texts the footer and the
// help screen show.
package keys

import "charm.land/bubbles/v2/key"

// KeyMap holds every key binding of the console.
type KeyMap struct {
	// Moving in the list (and scrolling in the viewers).
	Up, Down, PageUp, PageDown, Home, End key.Binding
	Left, Right                           key.Binding // horizontal scroll in the viewers
	// Searching in the viewers, as in less.
	Search, SearchNext, SearchPrev key.Binding

	// Sorting.
	SortNext, SortPrev, SortFlip key.Binding

	// Filtering.
	Filter                                             key.Binding // start typing a text filter
	QuickEncrypted, QuickDMARC, QuickRisky, QuickNoExc key.Binding
	QuickError, QuickTempError                         key.Binding
	ClearFilter                                        key.Binding

	// The detail pane and the full-screen views.
	Detail, DetailGrow, DetailShrink, DetailSide key.Binding
	DetailUp, DetailDown                         key.Binding
	Headers, Raw                                 key.Binding
	// Body shows the decoded text of the message and its attachments.
	Body  key.Binding
	Close key.Binding // leave a view, a dialog or the help
	// Back steps back in the list: it closes the detail pane, then clears
	// the filters.
	Back key.Binding

	// Marking rows for a bulk action.
	Mark, MarkRange, MarkAll, ClearMarks key.Binding

	// Actions on the marked messages (or the selected one). Each opens a
	// confirmation first.
	Release, Delete, Whitelist key.Binding
	// Undo restores the messages of the last delete from the trash.
	Undo key.Binding

	// PPAP: jump between a ZIP mail and its password mail; show the
	// password on request.
	PairJump, ShowPassword key.Binding

	// Verify reads the selected message whole and analyses it again,
	// verifying its DKIM signatures (a summarising scan leaves them
	// unverified).
	Verify key.Binding

	// Full-screen views.
	Exceptions, Stats key.Binding
	// Partners opens the partner inventory: what enforcing the release
	// rules would stop, per partner.
	Partners key.Binding
	// Reports opens the DMARC aggregate reports found among the messages;
	// DomainCheck audits the selected message's From domain in DNS.
	Reports, DomainCheck key.Binding
	// Audit opens the audit view: the log's last anchor and whether its
	// chain verified.
	Audit key.Binding

	// In the report view: filter the list to the selected failing source.
	FilterSource key.Binding

	// In the exception view.
	Approve, Revoke key.Binding

	// In forms: move between fields, toggle a checkbox, go on (or
	// confirm, on the last field), cancel.
	NextField, PrevField, Toggle, Submit, Dismiss key.Binding

	// While typing a filter: keep it, cancel it, and edit it as a shell
	// line is edited.
	Apply, Cancel                      key.Binding
	DeleteChar, DeleteWord, DeleteLine key.Binding

	// Dialogs.
	Confirm, Deny key.Binding

	// Log shows every status message so far, with its time.
	Log key.Binding
	// Rescan analyses every message again (DNS may be back).
	Rescan key.Binding
	// Copying with OSC 52: the Message-ID, the sender, the source ID.
	CopyMsgID, CopySender, CopyID key.Binding
	// Save writes the message or an attachment to a file; Pipe shows the
	// raw message in $PAGER.
	Save, Pipe key.Binding

	Help, Quit key.Binding
	// Interrupt quits from anywhere, dialogs included (asking first while
	// an action runs).
	Interrupt key.Binding
}

// Default returns the console's key map. Vim keys and arrows both work;
// the quick filters are on digits so that letters stay free for actions:
// r release, d delete, w whitelist, each behind a confirmation. Space
// marks a row, as in mutt and file managers, so paging is on f/b and the
// page keys only.
func Default() KeyMap {
	b := func(keys []string, help, desc string) key.Binding {
		return key.NewBinding(key.WithKeys(keys...), key.WithHelp(help, desc))
	}
	return KeyMap{
		Up:       b([]string{"up", "k"}, "↑/k", "up"),
		Down:     b([]string{"down", "j"}, "↓/j", "down"),
		PageUp:   b([]string{"pgup", "ctrl+b"}, "pgup", "page up"),
		PageDown: b([]string{"pgdown", "ctrl+f", "f"}, "pgdn/f", "page down"),
		Home:     b([]string{"home", "g"}, "g/home", "first"),
		End:      b([]string{"end", "G"}, "G/end", "last"),
		Left:     b([]string{"left", "h"}, "←/h", "scroll left"),
		Right:    b([]string{"right", "l"}, "→/l", "scroll right"),

		Search:     b([]string{"/"}, "/", "search"),
		SearchNext: b([]string{"n"}, "n", "next match"),
		SearchPrev: b([]string{"N"}, "N", "previous match"),

		SortNext: b([]string{"s", ">"}, "s/>", "sort next column"),
		SortPrev: b([]string{"<"}, "<", "sort previous column"),
		SortFlip: b([]string{"S"}, "S", "reverse sort"),

		Filter:         b([]string{"/"}, "/", "filter"),
		QuickEncrypted: b([]string{"1"}, "1", "only encrypted"),
		QuickDMARC:     b([]string{"2"}, "2", "only DMARC fail"),
		QuickRisky:     b([]string{"3"}, "3", "only risky"),
		QuickNoExc:     b([]string{"4"}, "4", "only no exception"),
		QuickError:     b([]string{"5"}, "5", "only unreadable"),
		QuickTempError: b([]string{"6"}, "6", "only DNS temperror"),
		ClearFilter:    b([]string{"0"}, "0", "clear filters"),

		Detail:       b([]string{"enter"}, "enter", "details"),
		DetailGrow:   b([]string{"+", "="}, "+", "bigger details"),
		DetailShrink: b([]string{"-"}, "-", "smaller details"),
		DetailSide:   b([]string{"|"}, "|", "details beside/below"),
		DetailUp:     b([]string{"K", "shift+up"}, "K", "details up"),
		DetailDown:   b([]string{"J", "shift+down"}, "J", "details down"),
		Headers:      b([]string{"H"}, "H", "full headers"),
		Raw:          b([]string{"R"}, "R", "raw source"),
		Body:         b([]string{"b"}, "b", "read the body"),
		Close:        b([]string{"esc", "q"}, "esc/q", "close"),
		Back:         b([]string{"esc"}, "esc", "back"),

		Mark:       b([]string{"space"}, "space", "mark"),
		MarkRange:  b([]string{"V"}, "V", "mark range"),
		MarkAll:    b([]string{"*"}, "*", "mark all shown"),
		ClearMarks: b([]string{"u"}, "u", "clear marks"),

		Release:   b([]string{"r"}, "r", "release…"),
		Delete:    b([]string{"d"}, "d", "delete…"),
		Whitelist: b([]string{"w"}, "w", "request exception…"),
		Undo:      b([]string{"U"}, "U", "undo the last delete"),

		PairJump:     b([]string{"p"}, "p", "go to PPAP pair"),
		ShowPassword: b([]string{"P"}, "P", "show ZIP password"),
		Verify:       b([]string{"v"}, "v", "verify DKIM"),

		Exceptions: b([]string{"E"}, "E", "exceptions"),
		Stats:      b([]string{"T"}, "T", "statistics"),
		Partners:   b([]string{"I"}, "I", "partner inventory"),
		Audit:      b([]string{"A"}, "A", "audit log anchor"),

		Reports:      b([]string{"D"}, "D", "DMARC reports"),
		DomainCheck:  b([]string{"c"}, "c", "check From domain"),
		FilterSource: b([]string{"enter"}, "enter", "show its messages"),

		Approve: b([]string{"a"}, "a", "approve…"),
		Revoke:  b([]string{"x"}, "x", "revoke…"),

		NextField: b([]string{"tab"}, "tab", "next field"),
		PrevField: b([]string{"shift+tab"}, "shift+tab", "previous field"),
		Toggle:    b([]string{"space", "x"}, "space/x", "toggle"),
		Submit:    b([]string{"enter"}, "enter", "next/confirm"),
		Dismiss:   b([]string{"esc"}, "esc", "cancel"),

		Apply:  b([]string{"enter"}, "enter", "keep filter"),
		Cancel: b([]string{"esc"}, "esc", "cancel filter"),

		DeleteChar: b([]string{"backspace", "ctrl+h"}, "backspace", "delete a character"),
		DeleteWord: b([]string{"ctrl+w"}, "ctrl+w", "delete a word"),
		DeleteLine: b([]string{"ctrl+u"}, "ctrl+u", "delete the filter text"),

		Confirm: b([]string{"y"}, "y", "yes"),
		Deny:    b([]string{"n", "esc"}, "n/esc", "no"),

		Log:    b([]string{"!"}, "!", "message log"),
		Rescan: b([]string{"ctrl+r"}, "^r", "rescan (analyse again)"),

		CopyMsgID:  b([]string{"y"}, "y", "copy Message-ID"),
		CopySender: b([]string{"Y"}, "Y", "copy sender"),
		CopyID:     b([]string{"i"}, "i", "copy source ID"),
		Save:       b([]string{"W"}, "W", "save message/attachment…"),
		Pipe:       b([]string{"o"}, "o", "raw message in $PAGER"),
		Help:       b([]string{"?"}, "?", "help"),
		Quit:       b([]string{"q", "ctrl+c"}, "q", "quit"),

		Interrupt: b([]string{"ctrl+c"}, "^c", "quit anywhere"),
	}
}

// ListHelp is the key map of the message list as bubbles/help wants it.
type ListHelp struct{ *KeyMap }

// ShortHelp implements help.KeyMap: the footer's one-line hint.
func (k ListHelp) ShortHelp() []key.Binding {
	return []key.Binding{k.Down, k.Detail, k.Body, k.Mark, k.Release, k.Whitelist, k.SortNext, k.Filter, k.Stats, k.Help, k.Quit}
}

// FullHelp implements help.KeyMap: the help screen, one column per group.
func (k ListHelp) FullHelp() [][]key.Binding {
	return [][]key.Binding{
		{k.Up, k.Down, k.PageUp, k.PageDown, k.Home, k.End, k.Back, k.Log, k.Help, k.Quit},
		{k.SortNext, k.SortPrev, k.SortFlip, k.Filter, k.QuickEncrypted, k.QuickDMARC, k.QuickRisky, k.QuickNoExc, k.QuickError, k.QuickTempError, k.ClearFilter},
		{k.Detail, k.DetailGrow, k.DetailShrink, k.DetailSide, k.DetailUp, k.DetailDown, k.Body, k.Headers, k.Raw},
		{k.Mark, k.MarkRange, k.MarkAll, k.ClearMarks, k.Release, k.Delete, k.Undo, k.Whitelist},
		{k.PairJump, k.ShowPassword, k.Verify, k.Rescan, k.Exceptions, k.Stats, k.Partners, k.Reports, k.DomainCheck, k.Audit},
		{k.CopyMsgID, k.CopySender, k.CopyID, k.Save, k.Pipe},
	}
}

// ViewerHelp is the key map of the header and raw-source viewers.
type ViewerHelp struct{ *KeyMap }

// ShortHelp implements help.KeyMap.
func (k ViewerHelp) ShortHelp() []key.Binding {
	return []key.Binding{k.Down, k.PageDown, k.Search, k.SearchNext, k.Home, k.End, k.Right, k.Close}
}

// FullHelp implements help.KeyMap.
func (k ViewerHelp) FullHelp() [][]key.Binding {
	return [][]key.Binding{{k.Up, k.Down, k.PageUp, k.PageDown}, {k.Home, k.End, k.Left, k.Right, k.Close},
		{k.Search, k.SearchNext, k.SearchPrev, k.Headers}}
}

// FilterHelp is the key map while a text filter is being typed.
type FilterHelp struct{ *KeyMap }

// ShortHelp implements help.KeyMap.
func (k FilterHelp) ShortHelp() []key.Binding { return []key.Binding{k.Apply, k.Cancel} }

// FullHelp implements help.KeyMap.
func (k FilterHelp) FullHelp() [][]key.Binding {
	return [][]key.Binding{{k.Apply, k.Cancel}, {k.DeleteChar, k.DeleteWord, k.DeleteLine}}
}

// HelpScreenHelp is the key map while the help screen is shown.
type HelpScreenHelp struct{ *KeyMap }

// ShortHelp implements help.KeyMap.
func (k HelpScreenHelp) ShortHelp() []key.Binding { return []key.Binding{k.Help, k.Close} }

// FullHelp implements help.KeyMap.
func (k HelpScreenHelp) FullHelp() [][]key.Binding { return [][]key.Binding{k.ShortHelp()} }
