package detail

import (
	"fmt"
	"strings"
	"time"

	"mxaudit/model"
	"mxaudit/ui/console/list"
	"mxaudit/ui/console/styles"
	"mxaudit/ui/termtext"
)

// content builds the detail pane's lines for m: key headers, verdicts and
// reasons, the authentication breakdown in plain words, the attachment
// tree and, once loaded, the Received chain. Every string from the message
// is sanitised here.
func content(st *styles.Styles, m *model.Message, now time.Time, lookup Lookup, hops []Hop, hopsErr string, hopsLoaded bool) []string {
	var w writer
	w.st = st
	if now.IsZero() {
		now = time.Now()
	}
	w.loc = now.Location()
	s := termtext.Sanitize

	w.field("Subject", s(m.Subject))
	w.field("From", s(m.From))
	w.field("Return-Path", s(m.ReturnPath))
	w.field("To", s(strings.Join(m.To, ", ")))
	if len(m.Cc) > 0 {
		w.field("Cc", s(strings.Join(m.Cc, ", ")))
	}
	w.field("Date", dateText(m, now))
	w.field("Message-ID", s(m.MessageID))
	w.field("Size", fmt.Sprintf("%s (%d bytes)", list.FormatSize(m.Size), m.Size))
	w.field("Source ID", s(string(m.ID)))
	if m.Error != "" {
		w.line(st.ErrorText.Render("Error: ") + s(m.Error))
	}

	w.section("Verdict")
	att := string(m.Verdict.Attachment)
	if att == "" {
		att = "-"
	}
	auth := string(m.Verdict.Auth)
	if m.Auth == nil {
		auth = "not checked"
	}
	w.line(fmt.Sprintf("  attachments: %s   sender authentication: %s", strings.ToUpper(att), strings.ToUpper(auth)))
	if m.Exception != nil {
		w.line("  exception: " + s(m.Exception.String()))
	}
	for _, r := range m.Verdict.Reasons {
		w.line("  - " + s(r))
	}

	ppapLines(&w, m, lookup)

	w.section("Authentication")
	if m.Auth == nil {
		w.line("  not checked (the scan ran without authentication)")
	} else {
		authLines(&w, m.Auth)
	}

	w.section("Attachments")
	if len(m.Attachments) == 0 {
		w.line("  none")
	}
	for i := range m.Attachments {
		attachmentLines(&w, &m.Attachments[i])
	}

	w.section("Received chain (newest first)")
	switch {
	case hopsErr != "":
		w.line("  " + st.ErrorText.Render("cannot read headers: ") + s(hopsErr))
	case !hopsLoaded:
		w.line(st.Muted.Render("  loading…"))
	case len(hops) == 0:
		w.line("  no Received headers")
	}
	for i, h := range hops {
		w.line(fmt.Sprintf("  %d. %s", i+1, h.String()))
	}
	return w.lines
}

// writer accumulates styled lines.
type writer struct {
	st    *styles.Styles
	loc   *time.Location // local time, the one every screen shows
	lines []string
}

func (w *writer) line(s string) { w.lines = append(w.lines, s) }

func (w *writer) field(label, value string) {
	if value == "" {
		value = w.st.Muted.Render("-")
	}
	w.line(w.st.Label.Render(fmt.Sprintf("%-11s", label)) + " " + value)
}

func (w *writer) section(title string) {
	w.line("")
	w.line(w.st.Section.Render(title))
}

// authLines explains SPF, each DKIM signature and DMARC in words.
func authLines(w *writer, a *model.Auth) {
	s := termtext.Sanitize
	if a.Source != "" {
		w.line(w.st.Muted.Render("  results: " + describeSource(a.Source)))
	}
	spf := a.SPF
	line := fmt.Sprintf("  SPF   %s  for %s from IP %s", word(spf.Result), orDash(s(spf.Domain)), orDash(s(spf.IP)))
	if spf.Helo != "" {
		line += " (HELO " + s(spf.Helo) + ")"
	}
	line += ", " + alignedWord(spf.Aligned) + " with From"
	w.line(line)
	if spf.Reason != "" {
		w.line("        " + s(spf.Reason))
	}
	if len(a.DKIM) == 0 {
		w.line("  DKIM  none  the message is not signed")
	}
	for i, d := range a.DKIM {
		w.line(fmt.Sprintf("  DKIM  %s  signature %d: d=%s s=%s %s, %s with From", word(d.Result), i+1,
			orDash(s(d.Domain)), orDash(s(d.Selector)), s(d.Algorithm), alignedWord(d.Aligned)))
		if d.Reason != "" {
			w.line("        " + s(d.Reason))
		}
		if unverifiedBody(d) {
			w.line(w.st.Muted.Render("        press v to fetch the whole message and verify this signature"))
		}
	}
	dm := a.DMARC
	w.line(fmt.Sprintf("  DMARC %s  for %s (organisational domain %s)", word(dm.Result), orDash(s(dm.FromDomain)), orDash(s(dm.OrgDomain))))
	if dm.Policy == "" {
		w.line("        no DMARC record published")
	} else {
		// The policy words come from the sender's DNS: sanitise them too.
		w.line(fmt.Sprintf("        policy p=%s sp=%s pct=%d, alignment DKIM %s, SPF %s", s(string(dm.Policy)),
			orDash(s(string(dm.SubdomainPolicy))), dm.Pct, alignMode(dm.ADKIM), alignMode(dm.ASPF)))
	}
	if dm.Record != "" {
		w.line("        record: " + s(dm.Record))
	}
	w.line("        why: " + whyDMARC(a))
	if dm.Reason != "" {
		w.line("        " + s(dm.Reason))
	}
	if dm.Disposition != "" {
		w.line("        disposition asked by the policy: " + s(string(dm.Disposition)))
	}
	if len(a.IgnoredHeaders) > 0 {
		w.line(w.st.Muted.Render("  ignored untrusted Authentication-Results from: " + s(strings.Join(a.IgnoredHeaders, ", "))))
	}
}

// unverifiedBody reports whether a DKIM signature went unchecked only
// because the scan summarised the message (or could not read its body),
// which the verify key (keys.KeyMap.Verify, v) remedies. The other
// unverified cases (offline, too many signatures) it would not change.
// The reasons are analysis/auth's own words, not the mail's.
func unverifiedBody(d model.DKIMResult) bool {
	return d.Source != model.SourceHeader && strings.HasPrefix(d.Reason, "not verified: the message")
}

// whyDMARC says in a sentence which identifier made DMARC pass, or that
// none did.
func whyDMARC(a *model.Auth) string {
	s := termtext.Sanitize
	var passed []string
	if a.SPF.Result == model.ResultPass && a.SPF.Aligned {
		passed = append(passed, "SPF passed for "+s(a.SPF.Domain)+", aligned")
	}
	for _, d := range a.DKIM {
		if d.Result == model.ResultPass && d.Aligned {
			passed = append(passed, "DKIM passed for d="+s(d.Domain)+", aligned")
		}
	}
	if len(passed) > 0 {
		return strings.Join(passed, "; ")
	}
	var why []string
	switch {
	case a.SPF.Result != model.ResultPass:
		why = append(why, "SPF did not pass")
	case !a.SPF.Aligned:
		why = append(why, "SPF passed for "+s(a.SPF.Domain)+", which is not aligned with "+s(a.DMARC.FromDomain))
	}
	if len(a.DKIM) == 0 {
		why = append(why, "no DKIM signature")
	}
	for _, d := range a.DKIM {
		if d.Result == model.ResultPass {
			why = append(why, "DKIM d="+s(d.Domain)+" passed but is not aligned")
		} else {
			why = append(why, "DKIM d="+s(d.Domain)+" "+string(d.Result))
		}
	}
	return "no aligned pass: " + strings.Join(why, "; ")
}

func describeSource(src model.AuthSource) string {
	switch src {
	case model.SourceLive:
		return "checked live by mxaudit (DNS lookups)"
	case model.SourceHeader:
		return "taken from trusted Authentication-Results headers"
	case model.SourceMixed:
		return "partly live, partly from trusted headers"
	}
	return termtext.Sanitize(string(src))
}

func word(r model.Result) string {
	if r == "" {
		return "n/a "
	}
	return fmt.Sprintf("%-4s", strings.ToUpper(termtext.Sanitize(string(r))))
}

func alignedWord(aligned bool) string {
	if aligned {
		return "aligned"
	}
	return "not aligned"
}

func alignMode(a model.Alignment) string {
	switch a {
	case model.AlignStrict:
		return "strict"
	case model.AlignRelaxed, "":
		return "relaxed"
	}
	return termtext.Sanitize(string(a))
}

func orDash(s string) string {
	if s == "" {
		return "-"
	}
	return s
}

// attachmentLines draws one attachment and, for an archive, its tree.
func attachmentLines(w *writer, a *model.Attachment) {
	s := termtext.Sanitize
	name := s(a.Filename)
	if name == "" {
		name = "(no name)"
	}
	w.line(fmt.Sprintf("  %s  %s  %s%s", name, orDash(s(a.ContentType)), list.FormatSize(a.Size), risks(w.st, a.Risks)))
	if a.Error != "" {
		w.line("    " + w.st.ErrorText.Render("error: ") + s(a.Error))
	}
	if a.Archive != nil {
		archiveLines(w, a.Archive, "    ")
	}
}

func archiveLines(w *writer, ar *model.Archive, indent string) {
	s := termtext.Sanitize
	desc := s(ar.Format) + " archive"
	if ar.Encrypted {
		enc := string(ar.Encryption)
		if enc == "" {
			enc = "unknown method"
		}
		desc += ", " + w.st.Severe.Render("ENCRYPTED ("+s(enc)+")")
	}
	desc += fmt.Sprintf(", %d entries", ar.TotalEntries)
	if ar.Truncated {
		desc += ", listing cut at a limit"
	}
	w.line(indent + desc + risks(w.st, ar.Risks))
	if ar.Error != "" {
		w.line(indent + w.st.ErrorText.Render("broken: ") + s(ar.Error))
	}
	for i := range ar.Entries {
		e := &ar.Entries[i]
		branch := "├ "
		if i == len(ar.Entries)-1 {
			branch = "└ "
		}
		line := indent + branch + s(e.Name)
		if !e.Dir {
			line += "  " + list.FormatSize(e.Size)
		}
		if e.Encrypted {
			line += "  encrypted " + s(string(e.Encryption))
		}
		if r := e.Ratio(); r > 100 {
			line += fmt.Sprintf("  ratio %.0f:1", r)
		}
		w.line(line + risks(w.st, e.Risks))
		if e.Archive != nil {
			next := indent + "│ "
			if i == len(ar.Entries)-1 {
				next = indent + "  "
			}
			archiveLines(w, e.Archive, next)
		}
	}
}

func risks(st *styles.Styles, rs []model.Risk) string {
	if len(rs) == 0 {
		return ""
	}
	names := make([]string, len(rs))
	for i, r := range rs {
		names[i] = termtext.Sanitize(string(r))
	}
	return "  " + st.Bad.Render("risk: "+strings.Join(names, ", "))
}

// dateText is the Date field: local time with its offset, saying when it
// is the delivery time (no Date header) or implausible.
func dateText(m *model.Message, now time.Time) string {
	if m.Date.IsZero() {
		return "(no date)"
	}
	if now.IsZero() {
		now = time.Now()
	}
	local := m.Date.In(now.Location())
	text := local.Format("Mon, 02 Jan 2006 15:04:05 -0700")
	if _, off := m.Date.Zone(); m.DateSource == model.DateHeader && off != offsetOf(local) {
		// One rule on every screen: local time; the sender's own clock
		// only beside it, where it differs (defect 6 of issue 15).
		text += " (sender's clock " + m.Date.Format("15:04 -0700") + ")"
	}
	if m.DateSource == model.DateDelivered {
		text = "(no Date header) delivered " + text
	}
	if model.DateSuspect(m.Date, now) {
		text += " — implausible"
	}
	return text
}

// offsetOf is t's offset from UTC in seconds.
func offsetOf(t time.Time) int {
	_, off := t.Zone()
	return off
}
