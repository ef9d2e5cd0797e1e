package console

import (
	"context"
	"errors"
	"fmt"
	"slices"
	"strings"
	"time"

	tea "charm.land/bubbletea/v2"

	"mxaudit/mailsrc/action"
	"mxaudit/model"
	"mxaudit/ui/app"
	"mxaudit/ui/console/dialog"
)

// The release and delete flow: a key opens the confirmation dialog and
// starts a dry run (action.Service.Plan) in a command; its answer fills
// the dialog; on confirmation the plan runs (Execute) in a goroutine
// whose per-message results come back one command at a time, so the
// status line counts them; when it ends, the messages acted on leave the
// list. Quitting while it runs asks first.

type (
	// planMsg answers dry run seq.
	planMsg struct {
		seq  int
		plan action.Plan
		err  error
	}
	// actionResultMsg is one message's outcome of run seq.
	actionResultMsg struct {
		seq    int
		result action.Result
	}
	// actionDoneMsg says run seq has finished.
	actionDoneMsg struct{ seq int }
)

// actionState is the root model's view of the running action.
type actionState struct {
	seq     int
	running bool
	kind    action.Kind
	done    int
	total   int
	results []action.Result
	// events delivers the run's results, one per message.
	events <-chan action.Result
}

func (a *actionState) progressText() string {
	return fmt.Sprintf("%s: %d / %d…", verbing(a.kind), a.done, a.total)
}

func verbing(k action.Kind) string {
	if k == action.Delete {
		return "deleting"
	}
	return "releasing"
}

// canOverride reports whether the operator may override the release
// rules: a verified identity on the approvers list.
func (m *Model) canOverride() bool {
	return m.policy != nil && m.cfg.Operator.CanApprove(m.policy.Approvers)
}

// startAction opens the confirmation dialog of kind on the targets and
// returns the command of the first dry run.
func (m *Model) startAction(kind action.Kind) tea.Cmd {
	svc := m.cfg.Actions
	switch {
	case svc == nil:
		why := "actions are not available in this console"
		if m.cfg.ActionsUnavailable != "" {
			why = m.cfg.ActionsUnavailable
		}
		m.setNotice(why, true)
		return nil
	case m.action.running:
		m.setNotice("an action is still running: wait for it to finish", true)
		return nil
	}
	if kind == action.Release {
		if err := svc.CanRelease(); err != nil {
			m.setNotice("cannot release: "+err.Error(), true)
			return nil
		}
	}
	targets := m.targets()
	if len(targets) == 0 {
		m.setNotice("no message to act on", true)
		return nil
	}
	// The dry run reads the messages back in its command: what it needs
	// of the rows is taken now, since the table may change meanwhile.
	ids := make([]model.MessageID, len(targets))
	excs := make([]*model.ExceptionMatch, len(targets))
	for i, t := range targets {
		ids[i], excs[i] = t.ID(), t.Exception
	}
	m.actionTargets = actionTargets{ids: ids, excs: excs}
	m.dialogs.Push(dialog.NewAction(m.com, kind, len(ids), m.canOverride()).WithNames(dialog.NameLines(targets)))
	return m.planCmd(action.Request{Kind: kind, IDs: ids})
}

// actionTargets are the messages the open action dialog is about: their
// IDs and the exceptions the console annotated them with when it opened,
// which every dry run of the dialog plans on.
type actionTargets struct {
	ids  []model.MessageID
	excs []*model.ExceptionMatch
}

// replan runs a new dry run of the action dialog's changed request on
// the dialog's messages.
func (m *Model) replan(req action.Request) tea.Cmd {
	if m.dialogs.TopIs(dialog.IDAction) == nil {
		return nil
	}
	req.IDs = m.actionTargets.ids
	return m.planCmd(req)
}

// planCmd numbers a dry run and returns the command that runs it.
func (m *Model) planCmd(req action.Request) tea.Cmd {
	m.planSeq++
	seq, svc, ctx, read := m.planSeq, m.cfg.Actions, m.ctx, m.reader()
	ids, excs := m.actionTargets.ids, m.actionTargets.excs
	req.IDs = slices.Clone(req.IDs)
	req.To, req.CopyTo = slices.Clone(req.To), slices.Clone(req.CopyTo)
	return func() tea.Msg {
		msgs, err := readTargets(ctx, read, ids, excs)
		if err != nil {
			return planMsg{seq: seq, err: err}
		}
		p, err := svc.Plan(ctx, req, msgs)
		return planMsg{seq: seq, plan: p, err: err}
	}
}

// readTargets reads an action's messages back whole, in a command. It
// fails closed: when any one cannot be read, or comes back under
// another ID, the dry run fails and there is no plan to confirm, so
// nothing is released or deleted on a partial or wrong reading.
func readTargets(ctx context.Context, read func(context.Context, model.MessageID) (model.Message, error),
	ids []model.MessageID, excs []*model.ExceptionMatch) ([]*model.Message, error) {
	msgs := make([]*model.Message, len(ids))
	for i, id := range ids {
		msg, err := readRow(ctx, read, id, excs[i])
		if err == nil && msg.ID != id {
			err = fmt.Errorf("%s: %w", id, app.ErrSpillDamaged)
		}
		if err != nil {
			return nil, fmt.Errorf("%s; nothing was done", readBackError(id, err))
		}
		msgs[i] = &msg
	}
	return msgs, nil
}

func (m *Model) handlePlan(msg planMsg) {
	d, ok := m.dialogs.TopIs(dialog.IDAction).(*dialog.Action)
	if msg.seq != m.planSeq || !ok {
		return // an answer to a dry run nobody waits for any more
	}
	d.SetPlan(msg.plan, msg.err)
}

// execute starts running a confirmed plan.
func (m *Model) execute(p action.Plan) tea.Cmd {
	m.actionTargets = actionTargets{}
	if m.action.running {
		m.setNotice("an action is still running", true)
		return nil
	}
	events := make(chan action.Result, 64)
	m.action = actionState{seq: m.action.seq + 1, running: true, kind: p.Request.Kind, total: len(p.Items), events: events}
	m.inFlight++
	seq, svc, ctx := m.action.seq, m.cfg.Actions, m.ctx
	m.runs.Add(1)
	go func() {
		defer m.runs.Done()
		defer close(events)
		svc.Execute(ctx, p, func(r action.Result) {
			select {
			case events <- r:
			case <-ctx.Done():
			}
		})
	}()
	return waitForResult(seq, events)
}

// actionStopWait bounds how long quitting waits for a running release or
// delete to finish its current message: one SMTP delivery with its
// records, or a move.
const actionStopWait = 2 * time.Minute

// stopActions waits, once the console has quit and its context is
// cancelled, for a running release or delete to stop between messages,
// so that no message is left half released (moved but not delivered,
// delivered but not recorded).
func (m *Model) stopActions() {
	done := make(chan struct{})
	go func() {
		m.runs.Wait()
		close(done)
	}()
	select {
	case <-done:
	case <-time.After(actionStopWait):
	}
}

// waitForResult reads the next result of run seq.
func waitForResult(seq int, events <-chan action.Result) tea.Cmd {
	return func() tea.Msg {
		r, ok := <-events
		if !ok {
			return actionDoneMsg{seq: seq}
		}
		return actionResultMsg{seq: seq, result: r}
	}
}

func (m *Model) handleActionResult(msg actionResultMsg) tea.Cmd {
	if msg.seq != m.action.seq {
		return nil
	}
	m.action.done++
	m.action.results = append(m.action.results, msg.result)
	return waitForResult(msg.seq, m.action.events)
}

// handleActionDone ends the run: the messages acted on leave the list and
// the status line sums up.
func (m *Model) handleActionDone(msg actionDoneMsg) tea.Cmd {
	if msg.seq != m.action.seq || !m.action.running {
		return nil
	}
	a := m.action
	m.action.running = false
	m.inFlight = max(0, m.inFlight-1)
	gone := make(map[model.MessageID]bool)
	var failed []action.Result
	held := 0
	for _, r := range a.results {
		switch {
		case r.Err == nil:
			gone[r.ID] = true
		case errors.Is(r.Err, action.ErrRefused):
			held++ // blocked by the rules, as the dry run said
		default:
			failed = append(failed, r)
		}
	}
	m.rememberDeleted(a.kind, gone)
	m.table.Remove(gone)
	m.marks.forget(gone)
	text := summarize(a.kind, len(gone), held, failed, a.total-len(a.results))
	if a.kind == action.Delete && len(gone) > 0 {
		text += " (U undoes)"
	}
	m.setNotice(text, len(failed) > 0)
	return m.selectionChanged()
}

// summarize is the status line after a run: "released 37, 1 failed:
// already released by sato".
func summarize(kind action.Kind, ok, held int, failed []action.Result, notDone int) string {
	verb := "released"
	if kind == action.Delete {
		verb = "deleted"
	}
	s := fmt.Sprintf("%s %d", verb, ok)
	if held > 0 {
		s += fmt.Sprintf(", %d held back by policy", held)
	}
	if len(failed) > 0 {
		s += fmt.Sprintf(", %d failed: %s", len(failed), oneLine(failed[0].Outcome))
		if len(failed) > 1 {
			s += fmt.Sprintf(" (and %d more; see the audit log)", len(failed)-1)
		}
	}
	if notDone > 0 {
		s += fmt.Sprintf(", %d not done (stopped)", notDone)
	}
	return s
}

func oneLine(s string) string {
	if i := strings.IndexByte(s, '\n'); i >= 0 {
		s = s[:i]
	}
	return s
}
