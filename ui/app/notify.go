package app

import (
	"context"
	"errors"
	"fmt"
	"path/filepath"
	"strings"
	"time"

	"mxaudit/model"
	"mxaudit/model/store"
)

// Notice is one notification ready to send: the encoded new message,
// its envelope, and what the audit record names.
type Notice struct {
	// Partner is the organizational domain notified; Template the
	// template's name.
	Partner, Template string
	// From is the envelope sender; Rcpts the envelope recipients.
	From  string
	Rcpts []string
	// Raw is the message; MessageID its Message-ID.
	Raw       []byte
	MessageID string
	// Held is the first held message the notice is about.
	Held model.Message
}

// TemplatesDir is where NAME.tmpl notification templates are looked for:
// [notify] templates_dir, else $XDG_CONFIG_HOME/mxaudit/templates ("" when
// neither can be named).
func TemplatesDir(cfg Config, getenv func(string) string) string {
	if cfg.Notify.TemplatesDir != "" {
		return cfg.Notify.TemplatesDir
	}
	dir, err := XDGConfigDir(getenv)
	if err != nil {
		return ""
	}
	return filepath.Join(dir, "mxaudit", "templates")
}

// NotifyPeriod is [notify] period, or DefaultNotifyPeriod.
func NotifyPeriod(cfg Config) time.Duration {
	if cfg.Notify.Period.Duration > 0 {
		return cfg.Notify.Period.Duration
	}
	return DefaultNotifyPeriod
}

// noticeDetail starts the Detail of a notification's audit record; the
// partner comes first so that LastNotice can find it.
func noticeDetail(partner string) string { return "partner " + partner + ";" }

// LastNotice returns when partner was last notified successfully, from
// the audit log (the zero time when never): the one-notice-per-period
// rule reads the same record the audit shows.
func (d *Desk) LastNotice(partner string) (time.Time, error) {
	entries, err := store.ReadAuditLog(d.AuditPath)
	if err != nil {
		return time.Time{}, err
	}
	var last time.Time
	for _, e := range entries {
		if e.Action == model.ActionNotify && e.Outcome == model.OutcomeOK &&
			strings.HasPrefix(e.Detail, noticeDetail(partner)) && e.Time.After(last) {
			last = e.Time
		}
	}
	return last, nil
}

// SendNotice sends n through relay and records the attempt in the audit
// log, whatever its outcome. The log is opened first: a notice that could
// not be recorded is not sent.
func (d *Desk) SendNotice(ctx context.Context, relay, source string, n Notice) error {
	audit, err := store.OpenAuditLog(d.AuditPath)
	if err != nil {
		return err
	}
	sendErr := SendMail(ctx, relay, n.From, n.Rcpts, n.Raw)
	e := model.NewMessageEntry(model.ActionNotify, d.Operator, time.Now().UTC(), source, &n.Held)
	e.Recipients = n.Rcpts
	e.Detail = fmt.Sprintf("%s template %s; notice %s", noticeDetail(n.Partner), n.Template, n.MessageID)
	e.SetOutcome(sendErr)
	if _, err := audit.Append(e); err != nil {
		return errors.Join(sendErr, fmt.Errorf("audit log: %w", err))
	}
	return sendErr
}
