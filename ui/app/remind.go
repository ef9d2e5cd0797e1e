package app

import (
	"context"
	"fmt"
	"net/mail"
	"slices"
	"strings"
	"time"

	"mxaudit/model"
	"mxaudit/model/store"
)

// remindEvery is how often one exception's expiry reminder may be sent:
// a cron job running hourly sends one a day.
const remindEvery = 20 * time.Hour

// Reminder is the outcome of one exception's expiry reminder.
type Reminder struct {
	Exception model.Exception
	To        []string
	// Skipped says why nothing was sent ("" when sent or failed).
	Skipped string
	Err     error
}

// UserAddress is the mail address of an operator: [notify] users, else
// user@user_domain, else "" (no reminder can reach them).
func (d *Desk) UserAddress(user string) string {
	n := d.Config.Notify
	if a := n.Users[user]; a != "" {
		return a
	}
	if n.UserDomain != "" && user != "" && !strings.ContainsAny(user, "@ <>") {
		return user + "@" + n.UserDomain
	}
	return ""
}

// RemindExpiring sends, through relay, a reminder for every exception of
// p that expires within model.ExpiringWindow, to its requester and the
// approvers, at most once per remindEvery (read from the audit log),
// and audits each sending. It is what "exception list --expiring
// --notify" runs from cron.
func (d *Desk) RemindExpiring(ctx context.Context, p model.Policy, relay string) ([]Reminder, error) {
	entries, err := store.ReadAuditLog(d.AuditPath)
	if err != nil {
		return nil, err
	}
	var out []Reminder
	for _, e := range p.Expiring(d.Now) {
		r := Reminder{Exception: e}
		if last := lastRecord(entries, model.ActionExceptionRemind, e.ID); !last.IsZero() && d.Now.Sub(last) < remindEvery {
			r.Skipped = "reminded on " + last.Format(time.RFC3339)
			out = append(out, r)
			continue
		}
		for _, u := range append([]string{e.RequestedBy}, p.Approvers...) {
			if a := d.UserAddress(u); a != "" && !slices.Contains(r.To, a) {
				r.To = append(r.To, a)
			}
		}
		if len(r.To) == 0 {
			r.Skipped = "no address for its requester or the approvers ([notify] user_domain or users)"
			out = append(out, r)
			continue
		}
		r.Err = d.sendReminder(ctx, relay, e, r.To)
		out = append(out, r)
	}
	return out, nil
}

func (d *Desk) sendReminder(ctx context.Context, relay string, e model.Exception, to []string) error {
	audit, err := store.OpenAuditLog(d.AuditPath)
	if err != nil {
		return err
	}
	from := FirstNonEmpty(d.Config.Notify.From, "mxaudit@localhost")
	left := e.Expires.Sub(d.Now).Round(time.Hour)
	dr := Draft{Charset: "UTF-8",
		Subject: fmt.Sprintf("mxaudit: exception %d (%s) expires %s", e.ID, e.Describe(), e.Expires.UTC().Format(time.DateOnly)),
		Body: fmt.Sprintf("Exception %d expires on %s (in %s).\n\n  %s\n  reason: %s\n  requested by %s, approved by %s\n  used %d times\n\n"+
			"When it ends, mail from this sender is held again. If it is still needed,\nrequest a new one: mxaudit exception add ... (two people, as before).\n",
			e.ID, e.Expires.UTC().Format(time.RFC1123), left, e.Describe(), e.Reason, e.RequestedBy, e.ApprovedBy, e.Hits)}
	raw, _ := EncodeNotice(dr, NoticeHeaders{
		From: mail.Address{Name: "mxaudit", Address: from}, To: mail.Address{Address: to[0]}, Cc: to[1:],
		Date: time.Now(), MessageID: fmt.Sprintf("<remind.%d.%d@%s>", e.ID, d.Now.Unix(), from[strings.LastIndexByte(from, '@')+1:]),
	})
	sendErr := SendMail(ctx, relay, from, to, raw)
	entry := model.NewAuditEntry(model.ActionExceptionRemind, d.Operator, time.Now().UTC())
	entry.ExceptionID, entry.Recipients, entry.Detail = e.ID, to, e.Describe()
	entry.SetOutcome(sendErr)
	if _, err := audit.Append(entry); err != nil {
		return fmt.Errorf("audit log: %w", err)
	}
	return sendErr
}

// NoticeExpired finds the exceptions of p that have expired (not
// revoked) and were not noticed before, records each in the audit log
// and runs the exception_expire hooks for it; it returns them.
func (d *Desk) NoticeExpired(ctx context.Context, p model.Policy, warn func(string)) ([]model.Exception, error) {
	entries, err := store.ReadAuditLog(d.AuditPath)
	if err != nil {
		return nil, err
	}
	var out []model.Exception
	for _, e := range p.Exceptions {
		if p.Status(&e, d.Now) != model.StatusExpired || e.ApprovedBy == "" ||
			!lastRecord(entries, model.ActionExceptionExpire, e.ID).IsZero() {
			continue
		}
		audit, err := store.OpenAuditLog(d.AuditPath)
		if err != nil {
			return out, err
		}
		entry := model.NewAuditEntry(model.ActionExceptionExpire, d.Operator, d.Now)
		entry.ExceptionID, entry.Detail = e.ID, e.Describe()
		entry.SetOutcome(nil)
		if _, err := audit.Append(entry); err != nil {
			return out, err
		}
		d.RunHooks(ctx, HookEvent{Event: EventExceptionExpire, Exception: HookExceptionOf(e)}, nil, warn)
		out = append(out, e)
	}
	return out, nil
}

// lastRecord is the time of the latest successful record of action about
// exception id.
func lastRecord(entries []model.AuditEntry, action model.AuditAction, id int) time.Time {
	var last time.Time
	for _, e := range entries {
		if e.Action == action && e.ExceptionID == id && e.Outcome == model.OutcomeOK && e.Time.After(last) {
			last = e.Time
		}
	}
	return last
}
