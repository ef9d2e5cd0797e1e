package list

import (
	"fmt"
	"time"

	"charm.land/lipgloss/v2"

	"mxaudit/model"
	"mxaudit/ui/console/styles"
	"mxaudit/ui/termtext"
)

// cell returns the text of one column for one message, already
// sanitised, and the style to draw it in. Every verdict is a word or a
// letter as well as a colour, so the list reads the same without colour.
func cell(st *styles.Styles, m *model.Row, col model.Column, compact bool, now time.Time) (string, lipgloss.Style) {
	switch col {
	case model.ColumnMarker:
		return marker(st, m.Severity())
	case model.ColumnDate:
		return dateCell(st, m, now, compact)
	case model.ColumnFrom:
		if tag := termtext.BidiTag(m.From()); tag != "" {
			// In front, where a narrow column cannot cut it off.
			return tag + termtext.Sanitize(m.From()), st.Bad
		}
		return termtext.Sanitize(m.From()), st.Text
	case model.ColumnDomain:
		return termtext.Sanitize(m.Domain()), st.Muted
	case model.ColumnSubject:
		if m.ReadError() != "" {
			return termtext.Sanitize("[error] " + m.ReadError()), st.ErrorText
		}
		return termtext.Sanitize(m.Subject()), st.Text
	case model.ColumnSize:
		return FormatSize(m.Size), st.Muted
	case model.ColumnAttachment:
		return attachmentBadge(st, m, compact)
	case model.ColumnSPF:
		return resultBadge(st, m.SPF, true, compact)
	case model.ColumnDKIM:
		return resultBadge(st, m.DKIM, m.Has(model.RowDKIMAligned), compact)
	case model.ColumnDMARC:
		r, p := m.DMARC, m.Policy
		if m.Auth == model.AuthTempError && r == "" {
			r = model.ResultTempError // DNS unreachable: T, not a failure
		}
		return dmarcBadge(st, r, p, compact)
	case model.ColumnException:
		return exceptionBadge(st, m.Exception, compact)
	}
	return "", st.Text
}

// MarkerLegend explains the marker column for the help screen.
const MarkerLegend = "!: x unreadable, # encrypted archive, ! risky or auth failed, ? no DMARC"

func marker(st *styles.Styles, severity int) (string, lipgloss.Style) {
	switch severity {
	case 4:
		return "x", st.Bad
	case 3:
		return "#", st.Severe
	case 2:
		return "!", st.Bad
	case 1:
		return "?", st.Warn
	}
	return " ", st.Text
}

// DateLegend explains the date column's marks for the help screen.
const DateLegend = "Date: ~ no Date header, the delivery time shown; ! implausible (future, before 1990)"

// dateCell shows the date in local time, marked when it is the delivery
// time (~) or implausible (!), and "(no date)" when there is none
// (defect 5 of issue 15).
func dateCell(st *styles.Styles, m *model.Row, now time.Time, compact bool) (string, lipgloss.Style) {
	switch {
	case m.Date().IsZero() && compact:
		return "(none)", st.Muted
	case m.Date().IsZero():
		return "(no date)", st.Muted
	case model.DateSuspect(m.Date(), nowOr(now)):
		return "!" + formatDate(m.Date(), now, compact), st.Warn
	case m.Has(model.RowDateDelivered):
		return "~" + formatDate(m.Date(), now, compact), st.Muted
	}
	return formatDate(m.Date(), now, compact), st.Muted
}

func nowOr(now time.Time) time.Time {
	if now.IsZero() {
		return time.Now()
	}
	return now
}

func formatDate(d, now time.Time, compact bool) string {
	if d.IsZero() {
		return "-"
	}
	if now.IsZero() {
		now = time.Now()
	}
	d = d.In(now.Location())
	if !compact {
		return d.Format("2006-01-02 15:04")
	}
	y1, m1, d1 := d.Date()
	y2, m2, d2 := now.Date()
	switch {
	case y1 == y2 && m1 == m2 && d1 == d2:
		return d.Format("15:04")
	case y1 == y2:
		return d.Format("Jan 02")
	}
	return d.Format("2006")
}

// FormatSize renders a byte count in at most five cells: "512", "1.2K",
// "34K", "1.5M", "120M", "2.0G".
func FormatSize(n int64) string {
	const unit = 1024
	if n < unit {
		return fmt.Sprintf("%d", n)
	}
	v := float64(n)
	for _, suffix := range []string{"K", "M", "G", "T"} {
		v /= unit
		if v < 10 {
			return fmt.Sprintf("%.1f%s", v, suffix)
		}
		if v < unit {
			return fmt.Sprintf("%.0f%s", v, suffix)
		}
	}
	return fmt.Sprintf("%.0fP", v/unit)
}

func attachmentBadge(st *styles.Styles, m *model.Row, compact bool) (string, lipgloss.Style) {
	pick := func(short, long string) string {
		if compact {
			return short
		}
		return long
	}
	if text, style, ok := ppapBadge(st, m, compact); ok {
		return text, style
	}
	switch m.Attachment {
	case model.AttachmentEncrypted:
		return pick("ENC", "ENCRYPTED"), st.Severe
	case model.AttachmentRisky:
		return pick("RSK", "RISKY"), st.Bad
	case model.AttachmentError:
		return pick("ERR", "ERROR"), st.Bad
	}
	if !m.Has(model.RowHasAttachments) {
		return "-", st.Muted
	}
	return pick("ok", "clean"), st.Good
}

// resultBadge draws an SPF or DKIM result: a capital letter in the compact
// layout (P pass, F fail, S softfail, N neutral, T temperror, E permerror,
// X policy, - none), a word in the wide one. A DKIM pass that is not
// aligned with From is a lower-case "p" or "pass~": it does not count for
// DMARC.
func resultBadge(st *styles.Styles, r model.Result, aligned, compact bool) (string, lipgloss.Style) {
	short, long, style := ".", ".", st.Muted // analysed without authentication
	switch r {
	case model.ResultPass:
		short, long, style = "P", "pass", st.Good
		if !aligned {
			short, long, style = "p", "pass~", st.Warn
		}
	case model.ResultFail:
		short, long, style = "F", "FAIL", st.Bad
	case model.ResultSoftFail:
		short, long, style = "S", "soft", st.Warn
	case model.ResultNeutral:
		short, long, style = "N", "neutr", st.Warn
	case model.ResultNone:
		short, long, style = "-", "none", st.Muted
	case model.ResultTempError:
		short, long, style = "T", "TEMP", st.Warn
	case model.ResultPermError:
		short, long, style = "E", "PERM", st.Bad
	case model.ResultPolicy:
		short, long, style = "X", "POL", st.Warn
	case "":
	default:
		short, long, style = "?", termtext.Sanitize(string(r)), st.Warn
	}
	if compact {
		return short, style
	}
	return long, style
}

// dmarcBadge draws the DMARC result and the published policy: "F/r" or
// "FAIL/rej" for a failure under p=reject.
func dmarcBadge(st *styles.Styles, r model.Result, p model.Disposition, compact bool) (string, lipgloss.Style) {
	text, style := resultBadge(st, r, true, compact)
	if r == "" {
		return text, style
	}
	var pol string
	switch p {
	case model.DispositionReject:
		pol = "rej"
	case model.DispositionQuarantine:
		pol = "quar"
	case model.DispositionNone:
		pol = "none"
	default:
		return text, style // no record: no policy to show
	}
	if compact {
		pol = pol[:1]
	}
	if r == model.ResultFail && p != model.DispositionNone {
		style = st.Severe
	}
	return text + "/" + pol, style
}

// exceptionBadge draws the exception status: "-" none, "Y" or "#12" an
// exception that allows the message, "~" or "#12~" one that covers only
// part of what the message needs.
func exceptionBadge(st *styles.Styles, x *model.ExceptionMatch, compact bool) (string, lipgloss.Style) {
	switch {
	case x == nil:
		return "-", st.Muted
	case x.Allows():
		if compact {
			return "Y", st.Good
		}
		return fmt.Sprintf("#%d", x.ID), st.Good
	}
	if compact {
		return "~", st.Warn
	}
	return fmt.Sprintf("#%d~", x.ID), st.Warn
}
