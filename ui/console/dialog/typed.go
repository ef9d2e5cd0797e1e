package dialog

import (
	"fmt"
	"strings"

	"charm.land/bubbles/v2/key"
	tea "charm.land/bubbletea/v2"

	"mxaudit/ui/console/common"
	"mxaudit/ui/termtext"
)

// Typed is a confirmation that a single stray key cannot answer: the
// operator types a word (y) and presses enter. It can ask for a reason
// on the way, as revoking an exception does.
type Typed struct {
	com     *common.Common
	title   string
	body    []string
	word    string
	form    form
	reason  *text // nil when no reason is asked
	confirm *text
	id      ID
	ref     int
}

// NewTyped returns confirmation id about ref, titled title and showing
// body; reasonTitle, when not empty, adds an optional reason field. Once
// the operator has typed word and pressed enter it answers
// Answer{ID: id, Ref: ref, Reason: …}.
func NewTyped(com *common.Common, id ID, ref int, title string, body []string, reasonTitle, word string) *Typed {
	t := &Typed{com: com, title: title, body: body, word: word, id: id, ref: ref}
	t.confirm = newText(com, fmt.Sprintf("Type %s and press enter", word), "", "", 20)
	t.form = form{com: com}
	if reasonTitle != "" {
		t.reason = newText(com, reasonTitle, "(optional; recorded in the audit log)", "", 500)
		t.form.fields = append(t.form.fields, t.reason)
	}
	t.form.fields = append(t.form.fields, t.confirm)
	t.form.focusOn(t.form.fields[0])
	return t
}

// ID implements Dialog.
func (t *Typed) ID() ID { return t.id }

// Update implements Dialog.
func (t *Typed) Update(msg tea.KeyPressMsg) (Result, bool) {
	if key.Matches(msg, t.com.Keys.Dismiss) {
		return nil, true
	}
	if t.form.navigate(msg) {
		return nil, false
	}
	if !key.Matches(msg, t.com.Keys.Apply) {
		t.form.err = ""
		t.form.focused().update(msg, &t.form)
		return nil, false
	}
	if t.form.focused() != t.confirm {
		t.form.move(1)
		return nil, false
	}
	if !strings.EqualFold(t.confirm.value(), t.word) {
		t.form.err = fmt.Sprintf("type %s, then press enter; esc cancels", t.word)
		return nil, false
	}
	reason := ""
	if t.reason != nil {
		reason = t.reason.value()
	}
	return Answer{ID: t.id, Ref: t.ref, Reason: reason}, true
}

// View implements Dialog.
func (t *Typed) View(width, height int) string {
	inner := max(1, min(72, width-4))
	st := &t.com.Styles
	lines := []string{st.Section.Render(termtext.Sanitize(t.title)), ""}
	lines = append(lines, t.body...)
	lines = append(lines, "")
	lines = append(lines, t.form.render(inner)...)
	return st.Dialog.Render(strings.Join(fitHeight(cutLines(lines, inner), height-2), "\n"))
}

// ShortHelp implements Dialog.
func (t *Typed) ShortHelp() []key.Binding {
	k := &t.com.Keys
	return []key.Binding{k.NextField, k.Submit, k.Dismiss}
}

// FullHelp implements Dialog.
func (t *Typed) FullHelp() [][]key.Binding { return [][]key.Binding{t.ShortHelp()} }
