package dialog

import (
	"fmt"
	"strings"
	"time"

	"charm.land/bubbles/v2/key"
	tea "charm.land/bubbletea/v2"

	"mxaudit/model"
	"mxaudit/ui/console/common"
	"mxaudit/ui/termtext"
)

// WhitelistRequest is what the whitelist dialog hands back on confirm: a
// complete, checked request for a pending exception.
type WhitelistRequest = model.ExceptionRequest

// Whitelist is the dialog that requests an exception for the sender of
// one message: the sender's address or domain, the rules to relax (the
// ones the message trips are preselected), a reason and an expiry. The
// exception it creates is pending until a second person approves it.
type Whitelist struct {
	com      *common.Common
	operator string
	now      func() time.Time
	subject  string
	form     form
	scope    *checks
	kinds    *checks
	reason   *text
	expiry   *text
	confirm  *text
	addr     string
	domain   string
}

// NewWhitelist returns the dialog for msg's sender, requested by
// operator; it answers RequestException once the operator confirms.
func NewWhitelist(com *common.Common, msg *model.Message, operator string) *Whitelist {
	d := &Whitelist{com: com, operator: operator, now: com.Now, subject: msg.Subject,
		addr: msg.FromAddr, domain: msg.FromDomain}
	s := termtext.Sanitize
	d.scope = &checks{title: "Sender", radio: true, items: []checkItem{
		{label: "address " + orNone(s(msg.FromAddr)), on: true},
		{label: "domain  " + orNone(s(msg.FromDomain))},
	}}
	need := model.RequiredKinds(msg)
	d.kinds = &checks{title: "Rules to relax"}
	for _, k := range model.ExceptionKinds {
		on := false
		for _, n := range need {
			on = on || n == k
		}
		d.kinds.items = append(d.kinds.items, checkItem{label: string(k), on: on})
	}
	d.reason = newText(com, "Reason", "(required: ticket, business need)", "", 500)
	d.expiry = newText(com, "Expires after", "(days, at most 365, or a date 2027-03-01)", "90", 20)
	d.confirm = newText(com, "Type y and press enter to request", "", "", 10)
	d.form = form{com: com, fields: []field{d.scope, d.kinds, d.reason, d.expiry, d.confirm}}
	d.form.focusOn(d.scope)
	return d
}

func orNone(s string) string {
	if s == "" {
		return "(none)"
	}
	return s
}

// request builds the exception request from the fields, or says what is
// missing.
func (d *Whitelist) request() (WhitelistRequest, error) {
	var req WhitelistRequest
	req.Scope, req.Value = model.ScopeAddress, d.addr
	if d.scope.items[1].on {
		req.Scope, req.Value = model.ScopeDomain, d.domain
	}
	if strings.TrimSpace(req.Value) == "" {
		return req, fmt.Errorf("the message has no sender %s to except", req.Scope)
	}
	for _, i := range d.kinds.chosen() {
		req.Kinds = append(req.Kinds, model.ExceptionKinds[i])
	}
	if len(req.Kinds) == 0 {
		return req, fmt.Errorf("choose at least one rule to relax")
	}
	req.Reason = d.reason.value()
	if req.Reason == "" {
		return req, fmt.Errorf("a reason is required")
	}
	exp, err := model.ParseExpiry(d.expiry.value(), d.now())
	if err != nil {
		return req, err
	}
	req.Expires = exp
	return req, nil
}

// ID implements Dialog.
func (d *Whitelist) ID() ID { return IDWhitelist }

// Update implements Dialog.
func (d *Whitelist) Update(msg tea.KeyPressMsg) (Result, bool) {
	if key.Matches(msg, d.com.Keys.Dismiss) {
		return nil, true
	}
	if d.form.navigate(msg) {
		return nil, false
	}
	if key.Matches(msg, d.com.Keys.Apply) { // enter
		if d.form.focused() != d.confirm {
			d.form.move(1)
			return nil, false
		}
		if !strings.EqualFold(d.confirm.value(), "y") {
			d.form.err = "type y, then press enter, to send the request"
			return nil, false
		}
		req, err := d.request()
		if err != nil {
			d.form.err = err.Error()
			return nil, false
		}
		return RequestException{Request: req}, true
	}
	d.form.err = ""
	d.form.focused().update(msg, &d.form)
	return nil, false
}

// View implements Dialog.
func (d *Whitelist) View(width, height int) string {
	inner := max(1, min(72, width-4))
	st := &d.com.Styles
	lines := []string{
		st.Section.Render("Request an exception"),
		"for " + termtext.Sanitize(d.subject),
		st.Muted.Render("requested by " + termtext.Sanitize(d.operator) + "; pending until another approver approves it"),
		"",
	}
	lines = append(lines, d.form.render(inner)...)
	return st.Dialog.Render(strings.Join(fitHeight(cutLines(lines, inner), height-2), "\n"))
}

// fitHeight drops lines from the middle of a dialog taller than height,
// keeping its head and its tail (the fields being typed into and the
// hints).
func fitHeight(lines []string, height int) []string {
	if height <= 0 || len(lines) <= height {
		return lines
	}
	head := height / 3
	tail := height - head - 1
	out := append([]string{}, lines[:head]...)
	out = append(out, "…")
	return append(out, lines[len(lines)-tail:]...)
}

// ShortHelp implements Dialog.
func (d *Whitelist) ShortHelp() []key.Binding {
	k := &d.com.Keys
	return []key.Binding{k.NextField, k.Toggle, k.Submit, k.Dismiss}
}

// FullHelp implements Dialog.
func (d *Whitelist) FullHelp() [][]key.Binding { return [][]key.Binding{d.ShortHelp()} }
