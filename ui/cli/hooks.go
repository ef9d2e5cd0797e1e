package cli

import (
	"context"
	"io"

	"mxaudit/mailsrc/action"
	"mxaudit/model"
	"mxaudit/ui/app"
)

// hookStdinBudget bounds the raw messages kept for the hooks of one
// release or delete; messages beyond it reach their hooks without stdin
// ($MXAUDIT_ACTION says "stdin": false).
const hookStdinBudget = 256 << 20

// actionHooks runs the [hooks] commands after each message a release or
// delete has done. The raw messages are read before the action, since
// the action moves them out of the quarantine.
type actionHooks struct {
	desk  *app.Desk
	event string
	spec  string
	msgs  map[model.MessageID]*model.Message
	raws  map[model.MessageID][]byte
	env   Env
}

// newActionHooks prepares the hooks of plan; nil when none is configured
// for the action.
func newActionHooks(ctx context.Context, desk *app.Desk, a *app.App, kind action.Kind, plan action.Plan, env Env) *actionHooks {
	event := string(kind) // "release" and "delete" are the event names
	if desk == nil || !desk.HasHooks(event) {
		return nil
	}
	h := &actionHooks{desk: desk, event: event, spec: a.Spec(), env: env,
		msgs: map[model.MessageID]*model.Message{}, raws: map[model.MessageID][]byte{}}
	budget := int64(hookStdinBudget)
	for _, it := range plan.Items {
		if it.Blocked != "" || it.Message == nil {
			continue
		}
		h.msgs[it.Message.ID] = it.Message
		if budget <= 0 {
			continue
		}
		rc, err := a.Source().Open(ctx, it.Message.ID)
		if err != nil {
			continue // the hook runs without stdin
		}
		raw, err := io.ReadAll(io.LimitReader(rc, budget+1))
		rc.Close()
		if err == nil && int64(len(raw)) <= budget {
			h.raws[it.Message.ID] = raw
			budget -= int64(len(raw))
		} else {
			budget = 0
		}
	}
	return h
}

// after runs the hooks for one result when the action succeeded; their
// failures are warned about and audited by the core, never returned.
func (h *actionHooks) after(ctx context.Context, r action.Result) {
	if h == nil || r.Err != nil {
		return
	}
	ev := app.HookEvent{Event: h.event, Source: h.spec, MessageID: r.ID}
	if m := h.msgs[r.ID]; m != nil {
		ev.HeaderMessageID, ev.From, ev.Subject = m.MessageID, m.FromAddr, m.Subject
	}
	h.desk.RunHooks(ctx, ev, h.raws[r.ID], func(s string) { warnf(h.env, "%s", s) })
}
