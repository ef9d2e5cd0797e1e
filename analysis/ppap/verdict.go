package ppap

import (
	"fmt"
	"strings"

	"mxaudit/analysis/filetype"
	"mxaudit/model"
)

// ApplyVerdict updates m's attachment verdict and reasons after pairing,
// on top of the analyzer's (analysis.composeVerdict). For every archive
// that was opened it replaces the analyzer's reasons about that attachment
// with one saying where the password was found and what is inside:
//
//	"x.zip: INFECTED: Win.Trojan.X in a.exe; encrypted: password found in <id>"
//	"x.zip: encrypted: password found in <id>, contents risky: executable; contains a.exe (executable)"
//	"x.zip: encrypted: password found in <id>, contents clean (scanned by clamd)"
//
// The attachment verdict then follows these rules: an infected entry
// anywhere makes it risky (and its reason comes first, so that it is what
// a one-line view shows); else an archive still unopened keeps it
// encrypted; else risky contents make it risky; else it stays encrypted
// (the operator still gets a ZIP nobody's gateway could read, but its
// reason says the contents are clean). An unopened archive gets ", no
// password found (N tried)" appended to its reason.
func ApplyVerdict(m *model.Message) {
	var first, replaced []string
	drop := map[string]bool{}
	infected, unopened, risky := false, false, false
	for i := range m.Attachments {
		a := &m.Attachments[i]
		arc := a.Archive
		if arc == nil || !arc.Encrypted {
			if len(a.Risks) > 0 {
				risky = true
			}
			continue
		}
		name := quoteName(a.Filename)
		if !arc.Decrypted {
			unopened = true
			switch {
			case arc.NotChecked == model.NotCheckedBudget:
				appendToReason(m, name+": encrypted ZIP", fmt.Sprintf(", not checked: %s (%d passwords tried before it ran out)", arc.NotChecked, arc.PasswordAttempts))
			case arc.NotChecked != "":
				appendToReason(m, name+": encrypted ZIP", ", not checked: "+arc.NotChecked)
			case arc.PasswordAttempts > 0 || arc.Error == "":
				appendToReason(m, name+": encrypted ZIP", fmt.Sprintf(", no password found (%d tried)", arc.PasswordAttempts))
			}
			continue
		}
		drop[name+": "] = true
		for _, r := range filetype.NameRisks(a.Filename) {
			a.Risks = model.AddRisk(a.Risks, r)
		}
		for _, r := range arc.AllRisks() {
			a.Risks = model.AddRisk(a.Risks, r)
		}
		reason, isInfected := describeOpened(a)
		switch {
		case isInfected:
			infected = true
			first = append(first, reason)
		default:
			if len(a.Risks) > 0 {
				risky = true
			}
			replaced = append(replaced, reason)
		}
	}
	if len(first) == 0 && len(replaced) == 0 {
		return
	}
	var kept []string
	for _, r := range m.Verdict.Reasons {
		if !hasDroppedPrefix(r, drop) {
			kept = append(kept, r)
		}
	}
	m.Verdict.Reasons = append(append(first, replaced...), kept...)

	switch {
	case m.Verdict.Attachment == model.AttachmentError && !infected:
		// An unreadable part elsewhere stays the headline.
	case infected:
		m.Verdict.Attachment = model.AttachmentRisky
	case unopened:
		m.Verdict.Attachment = model.AttachmentEncrypted
	case risky:
		m.Verdict.Attachment = model.AttachmentRisky
	default:
		m.Verdict.Attachment = model.AttachmentEncrypted
	}
}

// describeOpened writes the reason for one opened archive and reports
// whether the scanner found something.
func describeOpened(a *model.Attachment) (string, bool) {
	arc := a.Archive
	name := quoteName(a.Filename)
	src := fmt.Sprintf("encrypted: password found in %s", arc.PasswordSource)
	if arc.Scan != nil && arc.Scan.Result == model.ScanInfected {
		return fmt.Sprintf("%s: INFECTED: %s%s; %s", name, arc.Scan.Signature, infectedWhere(arc), src), true
	}
	var b strings.Builder
	b.WriteString(name + ": " + src)
	opened, total := countOpened(arc)
	unchecked := notChecked(arc)
	switch {
	case unchecked != "":
		fmt.Fprintf(&b, " (not checked: %s; %d of %d files opened)", unchecked, opened, total)
	case opened < total:
		fmt.Fprintf(&b, " (%d of %d files opened)", opened, total)
	}
	if len(a.Risks) > 0 {
		words := make([]string, len(a.Risks))
		for i, r := range a.Risks {
			words[i] = string(r)
		}
		b.WriteString(", contents risky: " + strings.Join(words, ", "))
		if inside := riskyEntries(arc, ""); len(inside) > 0 {
			b.WriteString("; contains " + strings.Join(inside, ", "))
		}
	} else if unchecked != "" {
		b.WriteString(", no risk in the files opened")
	} else {
		b.WriteString(", contents clean")
	}
	b.WriteString(" " + scanNote(arc.Scan))
	return b.String(), false
}

// scanNote says whether the scanner looked at the contents.
func scanNote(s *model.ScanResult) string {
	switch {
	case s == nil:
		return "(no virus scanner configured)"
	case s.Result == model.ScanClean:
		return "(scanned by " + s.Engine + ")"
	}
	return "(not scanned by " + s.Engine + ": " + s.Error + ")"
}

// infectedWhere names the first infected entry: " in a/b.exe".
func infectedWhere(arc *model.Archive) string {
	var find func(a *model.Archive, path string) string
	find = func(a *model.Archive, path string) string {
		for _, e := range a.Entries {
			if e.Scan != nil && e.Scan.Result == model.ScanInfected {
				return path + e.Name
			}
			if e.Archive != nil {
				if p := find(e.Archive, path+e.Name+"/"); p != "" {
					return p
				}
			}
		}
		return ""
	}
	if p := find(arc, ""); p != "" {
		return " in " + p
	}
	return ""
}

// riskyEntries lists up to three entries with risks, with their paths.
func riskyEntries(arc *model.Archive, path string) []string {
	var out []string
	for _, e := range arc.Entries {
		if len(out) >= 3 {
			break
		}
		if len(e.Risks) > 0 && e.Archive == nil {
			words := make([]string, len(e.Risks))
			for i, r := range e.Risks {
				words[i] = string(r)
			}
			out = append(out, fmt.Sprintf("%s (%s)", path+e.Name, strings.Join(words, ", ")))
		}
		if e.Archive != nil {
			out = append(out, riskyEntries(e.Archive, path+e.Name+"/")...)
		}
	}
	if len(out) > 3 {
		out = out[:3]
	}
	return out
}

// notChecked returns why some of arc, nested archives included, was not
// checked ("budget"), or "".
func notChecked(arc *model.Archive) string {
	if arc.NotChecked != "" {
		return arc.NotChecked
	}
	for i := range arc.Entries {
		if n := arc.Entries[i].Archive; n != nil {
			if why := notChecked(n); why != "" {
				return why
			}
		}
	}
	return ""
}

// countOpened counts the regular files of arc and how many were decrypted.
func countOpened(arc *model.Archive) (opened, total int) {
	for _, e := range arc.Entries {
		if e.Dir {
			continue
		}
		total++
		if e.Decrypted || !e.Encrypted {
			opened++
		}
	}
	return opened, total
}

// NotePasswordMail records on a password mail that it holds the password
// for link's archive: a PasswordFor entry and a reason.
func NotePasswordMail(m *model.Message, link model.PasswordLink) {
	for _, have := range m.PasswordFor {
		if have == link {
			return
		}
	}
	m.PasswordFor = append(m.PasswordFor, link)
	m.Verdict.Reasons = append(m.Verdict.Reasons,
		fmt.Sprintf("password for %s in %s", quoteName(link.Filename), link.Message))
}

func appendToReason(m *model.Message, prefix, suffix string) {
	for i, r := range m.Verdict.Reasons {
		if strings.HasPrefix(r, prefix) && !strings.HasSuffix(r, suffix) {
			m.Verdict.Reasons[i] = r + suffix
			return
		}
	}
}

func hasDroppedPrefix(r string, drop map[string]bool) bool {
	for p := range drop {
		if strings.HasPrefix(r, p) {
			return true
		}
	}
	return false
}

// quoteName is the analyzer's way of naming an attachment in reasons.
func quoteName(name string) string {
	if name == "" {
		return "unnamed attachment"
	}
	return name
}
