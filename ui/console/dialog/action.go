package dialog

import (
	"fmt"
	"slices"
	"strings"

	"charm.land/bubbles/v2/key"
	tea "charm.land/bubbletea/v2"
	"charm.land/lipgloss/v2"

	"mxaudit/mailsrc/action"
	"mxaudit/model"
	"mxaudit/ui/console/common"
	"mxaudit/ui/termtext"
)

// Action is the confirmation dialog of a release or a delete. It shows
// the dry run (action.Plan) — the summary sentence, the messages the
// release rules block and why, the warnings — and asks, for a release,
// which recipients get the mail, who gets a copy and, when the rules need
// it and the operator is an approver, the override reason. Any change
// plans again; the action runs only on the current plan, once the
// operator has typed the confirmation word ("y" for one message, the
// action's name for several) and pressed enter.
type Action struct {
	com   *common.Common
	kind  action.Kind
	count int
	// canOverride is set for an approver: only then is the override
	// reason asked for.
	canOverride bool

	plan     *action.Plan
	planErr  string
	planning bool
	// ids are the messages of the first plan: a later dry run that fails
	// must not lose them.
	ids []model.MessageID

	// names are the messages, one line each ("“subject” [ID]"), the
	// first few then a count, so that the dialog says what it acts on.
	names []string

	form       form
	recipients *checks // one message only: its original recipients
	rcptList   []string
	copyTo     *text
	override   *text
	confirm    *text
}

// NewAction returns the dialog for kind on count messages, waiting for
// its first dry run. It answers Replan when the request changes (the dry
// run's answer comes back through SetPlan) and Execute with the confirmed
// plan.
func NewAction(com *common.Common, kind action.Kind, count int, canOverride bool) *Action {
	d := &Action{com: com, kind: kind, count: count, canOverride: canOverride, planning: true}
	word := "y"
	if count > 1 {
		word = string(kind)
	}
	d.confirm = newText(com, fmt.Sprintf("Type %s and press enter to %s", word, kind), "", "", 20)
	if kind == action.Release {
		d.copyTo = newText(com, "Send a copy to", "(addresses, comma-separated; optional)", "", 500)
		d.override = newText(com, "Override reason", "(recorded in the audit log)", "", 500)
	}
	d.form = form{com: com}
	d.layout()
	return d
}

// confirmWord is what the operator must type.
func (d *Action) confirmWord() string {
	if d.count > 1 {
		return string(d.kind)
	}
	return "y"
}

// Kind returns the action the dialog confirms.
func (d *Action) Kind() action.Kind { return d.kind }

// Planning reports whether a dry run is on its way.
func (d *Action) Planning() bool { return d.planning }

// SetPlan gives the dialog the answer of its latest dry run.
func (d *Action) SetPlan(p action.Plan, err error) {
	d.planning = false
	if err != nil {
		d.plan, d.planErr = nil, err.Error()
		d.layout()
		return
	}
	overrideBefore := d.showOverride()
	d.plan, d.planErr = &p, ""
	if d.ids == nil {
		d.ids = p.Request.IDs
	}
	if d.kind == action.Release && d.count == 1 && len(p.Items) == 1 && d.recipients == nil {
		// The checklist of one message's recipients, all chosen at first.
		d.rcptList = slices.Clone(p.Items[0].Original)
		d.recipients = &checks{title: "Recipients"}
		for _, r := range d.rcptList {
			d.recipients.items = append(d.recipients.items, checkItem{label: termtext.Sanitize(r), on: true})
		}
	}
	d.layout()
	if d.showOverride() && !overrideBefore {
		// The rules need a reason: that is what to fill in first.
		d.form.focusOn(d.override)
	}
}

// showOverride says whether the override reason is asked for.
func (d *Action) showOverride() bool {
	if d.override == nil || !d.canOverride {
		return false
	}
	return (d.plan != nil && d.plan.NeedsOverride) || d.override.value() != ""
}

// layout rebuilds the list of fields after a plan changed which apply,
// keeping the focus on the field that had it.
func (d *Action) layout() {
	had := d.form.focused()
	var fields []field
	if d.recipients != nil {
		fields = append(fields, d.recipients)
	}
	if d.copyTo != nil {
		fields = append(fields, d.copyTo)
	}
	if d.showOverride() {
		fields = append(fields, d.override)
	}
	fields = append(fields, d.confirm)
	d.form.fields, d.form.at = fields, 0
	target := had
	if target == nil || !slices.Contains(fields, target) {
		target = fields[0]
		if d.showOverride() && d.override.value() == "" {
			target = d.override // what the operator must fill in first
		}
	}
	for _, f := range fields {
		f.blur()
	}
	d.form.focusOn(target)
}

// request is the request the fields describe now.
func (d *Action) request() action.Request {
	req := action.Request{Kind: d.kind, IDs: d.ids}
	if d.recipients != nil {
		chosen := d.recipients.chosen()
		if len(chosen) != len(d.rcptList) {
			req.To = []string{}
			for _, i := range chosen {
				req.To = append(req.To, d.rcptList[i])
			}
		}
	}
	if d.copyTo != nil {
		for _, a := range strings.Split(d.copyTo.value(), ",") {
			if a = strings.TrimSpace(a); a != "" {
				req.CopyTo = append(req.CopyTo, a)
			}
		}
	}
	if d.showOverride() {
		req.OverrideReason = d.override.value()
	}
	return req
}

// stale reports whether the fields ask for something the plan shown does
// not describe.
func (d *Action) stale() bool {
	if d.plan == nil {
		return true
	}
	a, b := d.request(), d.plan.Request
	return !slices.Equal(a.To, b.To) || (a.To == nil) != (b.To == nil) ||
		!slices.Equal(a.CopyTo, b.CopyTo) || a.OverrideReason != b.OverrideReason
}

// again asks for a dry run of the current request (nil when the request
// is invalid, with the reason in the form).
func (d *Action) again() Result {
	if !d.valid() {
		return nil
	}
	req := d.request()
	if req.OverrideReason != "" {
		if err := model.CheckOverrideReason(req.OverrideReason); err != nil {
			d.form.err = err.Error()
			return nil
		}
	}
	d.planning = true
	d.form.err = ""
	return Replan{Request: req}
}

// ID implements Dialog.
func (d *Action) ID() ID { return IDAction }

// Update implements Dialog.
func (d *Action) Update(msg tea.KeyPressMsg) (Result, bool) {
	if key.Matches(msg, d.com.Keys.Dismiss) {
		return nil, true
	}
	leaving := key.Matches(msg, d.com.Keys.NextField, d.com.Keys.PrevField, d.com.Keys.Apply)
	if leaving && d.form.focused() == d.copyTo && !d.valid() {
		return nil, false // the error is under the field, which keeps the focus
	}
	if d.form.navigate(msg) {
		if d.ids != nil && !d.planning && d.stale() {
			return d.again(), false
		}
		return nil, false
	}
	if !key.Matches(msg, d.com.Keys.Apply) { // not enter
		d.form.err = ""
		d.form.focused().update(msg, &d.form)
		return nil, false
	}
	if d.form.focused() != d.confirm {
		d.form.move(1)
		if d.ids != nil && !d.planning && d.stale() {
			return d.again(), false
		}
		return nil, false
	}
	switch {
	case d.planning:
		d.form.err = "wait for the dry run to finish"
	case d.plan == nil:
		d.form.err = "the dry run failed: nothing can be done"
	case d.stale():
		d.form.err = "the request changed: read the new dry run, then confirm again"
		return d.again(), false
	case !strings.EqualFold(d.confirm.value(), d.confirmWord()):
		d.form.err = fmt.Sprintf("type %s, then press enter, to %s", d.confirmWord(), d.kind)
	case d.plan.NeedsOverride && d.canOverride:
		d.form.err = "give the override reason first"
		d.form.focusOn(d.override)
	case d.plan.Blocked >= len(d.plan.Items):
		d.form.err = fmt.Sprintf("nothing to %s: every message is blocked", d.kind)
	default:
		return Execute{Plan: *d.plan}, true
	}
	return nil, false
}

// maxListed bounds the blocked messages and warnings listed, so that the
// dialog fits; the rest are counted.
func maxListed(height int) int { return max(1, min(8, (height-16)/2)) }

// View implements Dialog.
func (d *Action) View(width, height int) string {
	inner := max(1, min(76, width-4))
	st := &d.com.Styles
	title := fmt.Sprintf("%s %d message", strings.ToUpper(string(d.kind[:1]))+string(d.kind[1:]), d.count)
	if d.count != 1 {
		title += "s"
	}
	lines := []string{st.Section.Render(title)}
	for _, n := range d.names {
		lines = append(lines, "  "+n)
	}
	lines = append(lines, "")
	switch {
	case d.planning && d.plan == nil:
		lines = append(lines, st.Muted.Render("dry run…"))
	case d.planErr != "":
		for _, l := range wrapWords("dry run failed: "+termtext.Sanitize(d.planErr), inner) {
			lines = append(lines, st.ErrorText.Render(l))
		}
	default:
		lines = append(lines, d.planLines(inner, height)...)
	}
	lines = append(lines, "")
	// The fields stay whatever the dry run said: the operator corrects
	// the request where it was typed (defect 2 of issue 15).
	lines = append(lines, d.form.render(inner)...)
	return st.Dialog.Render(strings.Join(fitHeight(cutLines(lines, inner), height-2), "\n"))
}

// planLines draws the dry run in width cells: its summary, what is
// blocked and why, and the warnings, each sentence wrapped in full.
func (d *Action) planLines(width, height int) []string {
	st := &d.com.Styles
	s := termtext.Sanitize
	p := d.plan
	var lines []string
	add := func(style lipgloss.Style, text string) {
		for _, l := range wrapWords(text, width) {
			lines = append(lines, style.Render(l))
		}
	}
	summary := "dry run: " + s(p.Summary)
	if d.planning {
		summary += " (updating…)"
	}
	add(st.Text.Bold(true), summary)
	limit := maxListed(height)
	if p.Blocked > 0 {
		add(st.Warn, fmt.Sprintf("%d blocked by policy, not %s:", p.Blocked, pastTense(d.kind)))
		shown := 0
		for _, it := range p.Items {
			if it.Blocked == "" {
				continue
			}
			if shown == limit {
				add(st.Muted, fmt.Sprintf("  … and %d more", p.Blocked-shown))
				break
			}
			shown++
			add(st.Text, "  - "+describeItem(it.Message)+": "+s(it.Blocked))
		}
	}
	var warnings []string
	for _, it := range p.Items {
		for _, w := range slices.Concat(it.Warnings, it.Decision.Warnings) {
			if !slices.Contains(warnings, w) {
				warnings = append(warnings, w)
			}
		}
	}
	for i, w := range warnings {
		if i == limit {
			add(st.Muted, fmt.Sprintf("  … and %d more warnings", len(warnings)-i))
			break
		}
		add(st.Warn, "! "+s(w))
	}
	if p.NeedsOverride && !d.canOverride {
		add(st.Muted, "only an approver can override the release rules")
	}
	return lines
}

func pastTense(k action.Kind) string {
	if k == action.Delete {
		return "deleted"
	}
	return "released"
}

// describeItem names a message in a list line: its subject, or its ID.
func describeItem(m *model.Message) string {
	if m == nil {
		return "?"
	}
	subject := termtext.Truncate(termtext.Sanitize(m.Subject), 30)
	if subject == "" {
		subject = "(no subject)"
	}
	return subject + " [" + termtext.Sanitize(string(m.ID)) + "]"
}

// ShortHelp implements Dialog.
func (d *Action) ShortHelp() []key.Binding {
	k := &d.com.Keys
	return []key.Binding{k.NextField, k.Toggle, k.Submit, k.Dismiss}
}

// FullHelp implements Dialog.
func (d *Action) FullHelp() [][]key.Binding { return [][]key.Binding{d.ShortHelp()} }
