package dialog

import (
	"strings"

	"charm.land/bubbles/v2/key"
	tea "charm.land/bubbletea/v2"

	"mxaudit/ui/termtext"

	"mxaudit/ui/console/common"
)

// IDSave is the save dialog.
const IDSave ID = 100

// Save asks where to save the selected message or one of its
// attachments: a radio list of what (the whole message first) and a
// path. It answers SaveTo; the root writes the file, refusing to
// overwrite one.
type Save struct {
	com  *common.Common
	what *checks
	path *text
	form form
}

// SaveTo is the answer of the save dialog: Part -1 is the whole raw
// message, else the index of the attachment in the order listed.
type SaveTo struct {
	Part int
	Path string
}

func (SaveTo) result() {}

// NewSave returns the save dialog for a message whose attachments are
// named parts, suggesting path.
func NewSave(com *common.Common, parts []string, path string) *Save {
	d := &Save{com: com}
	d.what = &checks{title: "Save", radio: true}
	d.what.items = append(d.what.items, checkItem{label: "the whole message (raw .eml)", on: true})
	for _, p := range parts {
		d.what.items = append(d.what.items, checkItem{label: termtext.Sanitize(p)})
	}
	d.path = newText(com, "To the file", "(an existing file is never overwritten)", path, 4096)
	d.form = form{com: com, fields: []field{d.what, d.path}}
	d.form.focusOn(d.path)
	return d
}

// ID implements Dialog.
func (d *Save) ID() ID { return IDSave }

// Update implements Dialog.
func (d *Save) Update(msg tea.KeyPressMsg) (Result, bool) {
	if key.Matches(msg, d.com.Keys.Dismiss) {
		return nil, true
	}
	if d.form.navigate(msg) {
		return nil, false
	}
	if !key.Matches(msg, d.com.Keys.Apply) {
		d.form.err = ""
		d.form.focused().update(msg, &d.form)
		return nil, false
	}
	if d.path.value() == "" {
		d.path.err = "give a file name"
		d.form.focusOn(d.path)
		return nil, false
	}
	part := -1
	for _, i := range d.what.chosen() {
		part = i - 1
	}
	return SaveTo{Part: part, Path: d.path.value()}, true
}

// View implements Dialog.
func (d *Save) View(width, height int) string {
	inner := max(1, min(72, width-4))
	st := &d.com.Styles
	lines := []string{st.Section.Render("Save"), ""}
	lines = append(lines, d.form.render(inner)...)
	return st.Dialog.Render(strings.Join(fitHeight(cutLines(lines, inner), height-2), "\n"))
}

// ShortHelp implements Dialog.
func (d *Save) ShortHelp() []key.Binding {
	k := &d.com.Keys
	return []key.Binding{k.NextField, k.Toggle, k.Submit, k.Dismiss}
}

// FullHelp implements Dialog.
func (d *Save) FullHelp() [][]key.Binding { return [][]key.Binding{d.ShortHelp()} }
