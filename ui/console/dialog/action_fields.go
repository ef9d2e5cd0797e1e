package dialog

import (
	"fmt"
	"strings"

	"mxaudit/mailsrc/action"
	"mxaudit/model"
	"mxaudit/ui/termtext"
)

// What the action dialog names and checks before it asks for a dry run
// (defects 2 and 7 of issue 15).

// WithNames sets the lines naming the messages the dialog acts on
// (see NameLines) and returns d.
func (d *Action) WithNames(names []string) *Action {
	d.names = names
	return d
}

// NameLines names messages for a dialog: subject and ID of the first
// few, then how many more.
func NameLines(msgs []*model.Row) []string {
	const shown = 3
	var out []string
	for i, m := range msgs {
		if i == shown {
			out = append(out, fmt.Sprintf("… and %d more", len(msgs)-shown))
			break
		}
		subj := termtext.Sanitize(m.Subject())
		if subj == "" {
			subj = "(no subject)"
		}
		out = append(out, "“"+subj+"” ["+termtext.Sanitize(string(m.ID()))+"]")
	}
	return out
}

// valid checks the copy addresses field by field, putting the first
// error under the field and the focus on it.
func (d *Action) valid() bool {
	if d.copyTo == nil {
		return true
	}
	for _, a := range strings.Split(d.copyTo.value(), ",") {
		if a = strings.TrimSpace(a); a == "" {
			continue
		}
		if err := action.CheckAddress(a); err != nil {
			d.copyTo.err = fmt.Sprintf("%q: %v", a, err)
			d.form.focusOn(d.copyTo)
			return false
		}
	}
	d.copyTo.err = ""
	return true
}
