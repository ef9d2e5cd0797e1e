package detail

import (
	"fmt"
	"time"

	"mxaudit/model"
	"mxaudit/ui/termtext"
)

// Lookup finds another message of the source by ID, for naming the other
// half of a PPAP pair; nil when it is not (or not yet) listed.
type Lookup func(model.MessageID) *model.Row

// ppapLines explains PPAP pairing: for a ZIP mail, which message held the
// password of each encrypted archive and what the virus scanner said; for
// a password mail, which archives its text opened. It writes nothing for
// a message that is neither.
func ppapLines(w *writer, m *model.Message, lookup Lookup) {
	s := termtext.Sanitize
	var archives []int
	for i := range m.Attachments {
		if a := m.Attachments[i].Archive; a != nil && a.Encrypted {
			archives = append(archives, i)
		}
	}
	if len(archives) == 0 && len(m.PasswordFor) == 0 {
		return
	}
	w.section("PPAP (password sent separately)")
	paired := false
	for _, i := range archives {
		a := &m.Attachments[i]
		arc := a.Archive
		name := s(a.Filename)
		if name == "" {
			name = fmt.Sprintf("attachment %d", i+1)
		}
		if !arc.Decrypted || arc.PasswordSource == "" {
			line := "  " + name + ": no password found"
			if arc.NotChecked != "" {
				line = "  " + name + ": not checked: " + arc.NotChecked
			}
			if arc.PasswordAttempts > 0 {
				line += fmt.Sprintf(" (%d tried)", arc.PasswordAttempts)
			}
			w.line(line)
			continue
		}
		paired = true
		from := "this message's own text"
		if arc.PasswordSource != m.ID {
			from = describeOther(arc.PasswordSource, lookup, w.loc)
		}
		w.line("  " + name + ": opened with the password from " + from)
		w.line("    " + scanLine(w, arc.Scan))
	}
	for _, link := range m.PasswordFor {
		paired = true
		name := s(link.Filename)
		if name == "" {
			name = fmt.Sprintf("attachment %d", link.Attachment+1)
		}
		where := "this message"
		if link.Message != m.ID {
			where = describeOther(link.Message, lookup, w.loc)
		}
		w.line("  holds the password for " + name + " in " + where)
	}
	if paired {
		w.line(w.st.Muted.Render("  p: go to the other mail   P: show the password (only while the dialog is open)"))
	}
}

// describeOther names another message from its row: its subject,
// sender's address and date, and its ID, or just the ID when it is not
// listed.
func describeOther(id model.MessageID, lookup Lookup, loc *time.Location) string {
	s := termtext.Sanitize
	var o *model.Row
	if lookup != nil {
		o = lookup(id)
	}
	if o == nil {
		return "message " + s(string(id)) + " (not listed)"
	}
	text := "“" + s(o.Subject()) + "”"
	if o.FromAddr() != "" {
		text += " from " + s(o.FromAddr())
	}
	if !o.Date().IsZero() {
		text += ", " + o.Date().In(loc).Format("2006-01-02 15:04") // local, as everywhere
	}
	return text + " [" + s(string(id)) + "]"
}

// scanLine says what the virus scanner found in the decrypted contents.
func scanLine(w *writer, sr *model.ScanResult) string {
	s := termtext.Sanitize
	switch {
	case sr == nil:
		return w.st.Muted.Render("virus scan: none (no scanner configured)")
	case sr.Result == model.ScanInfected:
		return w.st.Infected.Render(" INFECTED: " + s(sr.Signature) + " (" + s(sr.Engine) + ") ")
	case sr.Result == model.ScanClean:
		return w.st.Good.Render("virus scan: clean (" + s(sr.Engine) + ")")
	}
	why := ""
	if sr.Error != "" {
		why = ": " + s(sr.Error)
	}
	return w.st.Warn.Render("virus scan: NOT scanned" + why)
}
