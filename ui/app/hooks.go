package app

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"os"
	"os/exec"
	"strings"
	"time"

	"mxaudit/model"
	"mxaudit/model/store"
)

// HooksConfig is the [hooks] table: commands run after an action, each an
// argv list run without a shell, so that nothing from the mail can become
// shell syntax:
//
//	[hooks]
//	timeout = "30s"
//	release = [["rspamc", "learn_ham"], ["/usr/local/bin/open-ticket", "--queue", "mail"]]
//	delete = []
//	exception_approve = [["/usr/local/bin/notify-chat"]]
//	exception_expire = [["/usr/local/bin/notify-chat"]]
type HooksConfig struct {
	// Timeout bounds each command (default 30s); a command still running
	// then is killed and reported as failed.
	Timeout          Duration   `toml:"timeout"`
	Release          [][]string `toml:"release"`
	Delete           [][]string `toml:"delete"`
	ExceptionApprove [][]string `toml:"exception_approve"`
	ExceptionExpire  [][]string `toml:"exception_expire"`
}

// DefaultHookTimeout is [hooks] timeout when unset.
const DefaultHookTimeout = 30 * time.Second

// HookEnv is the environment variable that carries the action's JSON.
const HookEnv = "MXAUDIT_ACTION"

// Hook events.
const (
	EventRelease          = "release"
	EventDelete           = "delete"
	EventExceptionApprove = "exception-approve"
	EventExceptionExpire  = "exception-expire"
)

// HookEvent describes the action a hook runs after; it is what the
// command finds, as JSON, in $MXAUDIT_ACTION.
type HookEvent struct {
	Event    string    `json:"event"`
	Time     time.Time `json:"time"`
	Operator string    `json:"operator"`
	Source   string    `json:"source,omitempty"`
	// The message acted on (release, delete).
	MessageID       model.MessageID `json:"message_id,omitempty"`
	HeaderMessageID string          `json:"header_message_id,omitempty"`
	From            string          `json:"from,omitempty"`
	Subject         string          `json:"subject,omitempty"`
	// The exception approved or expired.
	Exception *HookException `json:"exception,omitempty"`
	// Stdin says whether the raw message is on the command's stdin.
	Stdin bool `json:"stdin"`
}

// HookException is the exception of an exception event.
type HookException struct {
	ID          int                   `json:"id"`
	Scope       model.ExceptionScope  `json:"scope"`
	Value       string                `json:"value"`
	Kinds       []model.ExceptionKind `json:"kinds"`
	RequestedBy string                `json:"requested_by"`
	ApprovedBy  string                `json:"approved_by"`
	Expires     time.Time             `json:"expires"`
}

// HookExceptionOf is the event form of e.
func HookExceptionOf(e model.Exception) *HookException {
	return &HookException{ID: e.ID, Scope: e.Scope, Value: e.Value, Kinds: e.Kinds,
		RequestedBy: e.RequestedBy, ApprovedBy: e.ApprovedBy, Expires: e.Expires}
}

// HookResult is one command's outcome.
type HookResult struct {
	Argv []string
	Err  error // nil when it exited 0 in time
}

// commands returns the configured commands for event.
func (c HooksConfig) commands(event string) [][]string {
	switch event {
	case EventRelease:
		return c.Release
	case EventDelete:
		return c.Delete
	case EventExceptionApprove:
		return c.ExceptionApprove
	case EventExceptionExpire:
		return c.ExceptionExpire
	}
	return nil
}

// HasHooks reports whether any command runs after event: the caller then
// keeps the raw message for stdin.
func (d *Desk) HasHooks(event string) bool { return len(d.Config.Hooks.commands(event)) > 0 }

// RunHooks runs the commands configured for ev.Event, one after the
// other, each with stdin (nil for none), $MXAUDIT_ACTION and the timeout.
// It never fails the action it follows: a command that cannot start,
// exits non-zero or times out is reported to warn and recorded in the
// audit log (an "hook" record), and the next command still runs.
func (d *Desk) RunHooks(ctx context.Context, ev HookEvent, stdin []byte, warn func(string)) []HookResult {
	cmds := d.Config.Hooks.commands(ev.Event)
	if len(cmds) == 0 {
		return nil
	}
	if ev.Time.IsZero() {
		ev.Time = time.Now().UTC()
	}
	if ev.Operator == "" {
		ev.Operator = d.Operator.User
	}
	ev.Stdin = stdin != nil
	var buf bytes.Buffer
	enc := json.NewEncoder(&buf)
	enc.SetEscapeHTML(false) // Message-IDs read as they are: <a@b>
	if err := enc.Encode(ev); err != nil {
		buf.Reset()
		buf.WriteString(`{"event":"` + ev.Event + `"}`)
	}
	js := bytes.TrimSpace(buf.Bytes())
	timeout := d.Config.Hooks.Timeout.Duration
	if timeout <= 0 {
		timeout = DefaultHookTimeout
	}
	out := make([]HookResult, 0, len(cmds))
	for _, argv := range cmds {
		err := runHook(ctx, argv, stdin, string(js), timeout)
		out = append(out, HookResult{Argv: argv, Err: err})
		if err != nil {
			d.hookFailed(ev, argv, err, warn)
		}
	}
	return out
}

// runHook runs one command and returns why it failed, with the first
// line of what it wrote to stderr.
func runHook(ctx context.Context, argv []string, stdin []byte, action string, timeout time.Duration) error {
	if len(argv) == 0 || argv[0] == "" {
		return fmt.Errorf("empty command")
	}
	ctx, cancel := context.WithTimeout(ctx, timeout)
	defer cancel()
	cmd := exec.CommandContext(ctx, argv[0], argv[1:]...)
	cmd.Env = append(os.Environ(), HookEnv+"="+action)
	if stdin != nil {
		cmd.Stdin = bytes.NewReader(stdin)
	}
	var stderr bytes.Buffer
	cmd.Stderr = &limitedBuffer{b: &stderr, max: 4096}
	// A killed command's children may keep its stderr open: stop
	// waiting for them a second later.
	cmd.WaitDelay = time.Second
	err := cmd.Run()
	if ctx.Err() == context.DeadlineExceeded {
		return fmt.Errorf("timed out after %s", timeout)
	}
	if err != nil {
		if line, _, _ := strings.Cut(strings.TrimSpace(stderr.String()), "\n"); line != "" {
			return fmt.Errorf("%w: %s", err, line)
		}
		return err
	}
	return nil
}

// hookFailed reports a failed hook and records it in the audit log; a log
// that cannot be written is reported too, and nothing more is done.
func (d *Desk) hookFailed(ev HookEvent, argv []string, err error, warn func(string)) {
	msg := fmt.Sprintf("%s hook %s failed: %v", ev.Event, argv[0], err)
	if warn != nil {
		warn(msg)
	}
	e := model.NewAuditEntry(model.ActionHook, d.Operator, time.Now().UTC())
	e.Source, e.MessageID, e.HeaderMessageID = model.RedactSource(ev.Source), ev.MessageID, ev.HeaderMessageID
	if ev.Exception != nil {
		e.ExceptionID = ev.Exception.ID
	}
	e.Detail = fmt.Sprintf("after %s: %s", ev.Event, strings.Join(argv, " "))
	e.SetOutcome(err)
	log, lerr := store.OpenAuditLog(d.AuditPath)
	if lerr == nil {
		_, lerr = log.Append(e)
	}
	if lerr != nil && warn != nil {
		warn(fmt.Sprintf("could not record the failed hook in the audit log: %v", lerr))
	}
}

// limitedBuffer keeps the first max bytes written to it and discards the
// rest, so that a chatty command cannot fill memory.
type limitedBuffer struct {
	b   *bytes.Buffer
	max int
}

// Write implements io.Writer; it never fails, so that the command never
// sees a broken pipe for talking too much.
func (l *limitedBuffer) Write(p []byte) (int, error) {
	if room := l.max - l.b.Len(); room > 0 {
		l.b.Write(p[:min(len(p), room)])
	}
	return len(p), nil
}
