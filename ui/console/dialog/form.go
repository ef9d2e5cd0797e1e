package dialog

import (
	"strings"

	"charm.land/bubbles/v2/key"
	"charm.land/bubbles/v2/textinput"
	tea "charm.land/bubbletea/v2"

	"mxaudit/ui/console/common"
	"mxaudit/ui/termtext"
)

// A form is the body of the action dialogs: lines of text the operator
// reads (a dry-run summary, the messages blocked and why) followed by
// fields — checkboxes, radio buttons, text inputs — and, last, a
// confirmation field. Tab and shift+tab move between fields; enter on
// the confirmation field submits only when it holds the confirmation word
// (nothing ever happens on a single stray key); esc cancels.

// field is one input of a form.
type field interface {
	// view draws the field; focused says whether it has the keys.
	view(f *form, focused bool, width int) []string
	// update handles a key while the field is focused.
	update(msg tea.KeyPressMsg, f *form)
	// focus and blur tell the field it gains or loses the keys.
	focus()
	blur()
}

// form holds the fields and the focus.
type form struct {
	com    *common.Common
	fields []field
	at     int
	// err is the last validation error, shown above the hints.
	err string
}

func (f *form) focused() field {
	if len(f.fields) == 0 {
		return nil
	}
	return f.fields[f.at]
}

// move shifts the focus by delta fields, wrapping around.
func (f *form) move(delta int) {
	if len(f.fields) == 0 {
		return
	}
	f.fields[f.at].blur()
	f.at = (f.at + delta + len(f.fields)) % len(f.fields)
	f.fields[f.at].focus()
}

// focusOn moves the focus to fl.
func (f *form) focusOn(fl field) {
	for i, x := range f.fields {
		if x == fl {
			f.fields[f.at].blur()
			f.at = i
			x.focus()
		}
	}
}

// navigate handles the keys every form shares and reports whether msg was
// one of them.
func (f *form) navigate(msg tea.KeyPressMsg) bool {
	k := &f.com.Keys
	switch {
	case key.Matches(msg, k.NextField):
		f.move(1)
	case key.Matches(msg, k.PrevField):
		f.move(-1)
	default:
		return false
	}
	return true
}

// render draws the fields, each separated by a blank line.
func (f *form) render(width int) []string {
	var out []string
	for i, fl := range f.fields {
		out = append(out, fl.view(f, i == f.at, width)...)
	}
	if f.err != "" {
		out = append(out, f.com.Styles.ErrorText.Render(termtext.Truncate(termtext.Sanitize(f.err), width)))
	}
	return out
}

// label draws a field's label, highlighted when the field has the focus.
func (f *form) label(text string, focused bool) string {
	if focused {
		return f.com.Styles.Focus.Render("› " + text)
	}
	return f.com.Styles.Label.Render("  " + text)
}

// checks is a list of checkboxes, or of radio buttons when radio is set.
type checks struct {
	title  string
	items  []checkItem
	cursor int
	radio  bool
	// onChange runs after the operator changes the choice.
	onChange func()
}

type checkItem struct {
	label string
	on    bool
}

func (c *checks) focus() {}
func (c *checks) blur()  {}

func (c *checks) update(msg tea.KeyPressMsg, f *form) {
	k := &f.com.Keys
	switch {
	case key.Matches(msg, k.Up):
		c.cursor = max(0, c.cursor-1)
	case key.Matches(msg, k.Down):
		c.cursor = min(len(c.items)-1, c.cursor+1)
	case key.Matches(msg, k.Toggle):
		if len(c.items) == 0 {
			return
		}
		if c.radio {
			for i := range c.items {
				c.items[i].on = i == c.cursor
			}
		} else {
			c.items[c.cursor].on = !c.items[c.cursor].on
		}
		if c.onChange != nil {
			c.onChange()
		}
	}
}

func (c *checks) view(f *form, focused bool, width int) []string {
	out := []string{f.label(c.title, focused)}
	for i, it := range c.items {
		box := "[ ] "
		if c.radio {
			box = "( ) "
		}
		if it.on {
			box = "[x] "
			if c.radio {
				box = "(*) "
			}
		}
		line := "    " + box + it.label
		if focused && i == c.cursor {
			line = "  > " + box + it.label
		}
		out = append(out, termtext.Truncate(line, width))
	}
	return out
}

// chosen returns the indexes of the items that are on.
func (c *checks) chosen() []int {
	var out []int
	for i, it := range c.items {
		if it.on {
			out = append(out, i)
		}
	}
	return out
}

// text is a one-line text input.
type text struct {
	title string
	hint  string // shown muted after the title
	input textinput.Model
	// err is what is wrong with the value, shown under the field until
	// the value changes.
	err string
}

func newText(com *common.Common, title, hint, value string, limit int) *text {
	in := textinput.New()
	in.Prompt = ""
	in.CharLimit = limit
	st := textinput.DefaultStyles(true)
	// A steady cursor: no blink timer to keep the program busy, and
	// frames that golden tests can compare.
	st.Cursor.Blink = false
	st.Focused.Prompt, st.Blurred.Prompt = com.Styles.Text, com.Styles.Text
	st.Focused.Text, st.Blurred.Text = com.Styles.Text, com.Styles.Text
	st.Focused.Placeholder, st.Blurred.Placeholder = com.Styles.Muted, com.Styles.Muted
	if com.Styles.NoColor {
		st.Cursor.Color = nil
	}
	in.SetStyles(st)
	in.SetValue(value)
	return &text{title: title, hint: hint, input: in}
}

func (t *text) focus() { t.input.Focus() }
func (t *text) blur()  { t.input.Blur() }

func (t *text) update(msg tea.KeyPressMsg, _ *form) {
	// The input's own commands only drive the cursor blink, which is off.
	before := t.input.Value()
	t.input, _ = t.input.Update(msg)
	if t.input.Value() != before {
		t.err = ""
	}
}

func (t *text) view(f *form, focused bool, width int) []string {
	title := f.label(t.title, focused)
	if t.hint != "" {
		title += " " + f.com.Styles.Muted.Render(t.hint)
	}
	in := t.input // a copy: drawing must not change the field
	in.SetWidth(max(1, width-6))
	value := in.View()
	if !focused {
		value = termtext.Sanitize(t.input.Value())
		if value == "" {
			value = f.com.Styles.Muted.Render("-")
		}
	}
	out := []string{termtext.Truncate(title, width), "    " + value}
	for _, l := range wrapWords("    "+termtext.Sanitize(t.err), width) {
		if t.err != "" {
			out = append(out, f.com.Styles.ErrorText.Render(l))
		}
	}
	return out
}

// value returns the typed text without surrounding blanks.
func (t *text) value() string { return strings.TrimSpace(t.input.Value()) }

// wrapWords wraps plain text s at spaces to width cells, indenting
// continuation lines; a word longer than a line is cut. It is for the
// sentences of a dry run, which must be read in full. (ansi.Wordwrap
// would also break at hyphens, splitting "risky-type".)
func wrapWords(s string, width int) []string {
	const indent = "    "
	if termtext.Width(s) <= width || width < 12 {
		return []string{s}
	}
	var out []string
	lead := s[:len(s)-len(strings.TrimLeft(s, " "))]
	line := ""
	for _, word := range strings.Split(strings.TrimLeft(s, " "), " ") {
		switch {
		case line == "":
			line = lead + word
		case termtext.Width(line)+1+termtext.Width(word) <= width:
			line += " " + word
		default:
			out = append(out, termtext.Truncate(line, width))
			line = lead + indent + word
		}
	}
	return append(out, termtext.Truncate(line, width))
}

// cutLines cuts each of ss to width cells; cutting rather than wrapping
// keeps the dialog's height predictable.
func cutLines(ss []string, width int) []string {
	out := make([]string, len(ss))
	for i, s := range ss {
		out[i] = termtext.Truncate(s, width)
	}
	return out
}
