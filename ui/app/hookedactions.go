package app

import (
	"context"
	"io"

	"mxaudit/mailsrc/action"
	"mxaudit/model"
)

// hookStdinBudget bounds the raw messages kept for the hooks of one
// release or delete; messages beyond it reach their hooks without stdin
// ($MXAUDIT_ACTION says "stdin": false).
const hookStdinBudget = 256 << 20

// HookedActions is the action service with the desk's [hooks] run after
// each message released or deleted. Every front end gets its actions
// through it (Workspace.Actions, and the command line), so that a hook
// runs whichever front end acted; mailsrc/action itself knows nothing of
// hooks.
type HookedActions struct {
	*action.Service
	desk *Desk
	app  *App
	// warn receives hook failures for the operator; nil discards them
	// (they are in the audit log all the same).
	warn func(string)
}

// WithHooks wraps svc, built on desk, with desk's hooks; warn as in
// HookedActions.
func (a *App) WithHooks(svc *action.Service, desk *Desk, warn func(string)) *HookedActions {
	return &HookedActions{Service: svc, desk: desk, app: a, warn: warn}
}

// Execute runs p as action.Service.Execute does, and after each message
// done — once progress has heard of it — the hooks of the action, with
// the raw message, read before the action moved it, on stdin. A hook
// never changes a Result.
func (h *HookedActions) Execute(ctx context.Context, p action.Plan, progress func(action.Result)) []action.Result {
	event := string(p.Request.Kind) // "release" and "delete" are the event names
	if h.desk == nil || !h.desk.HasHooks(event) {
		return h.Service.Execute(ctx, p, progress)
	}
	msgs, raws := h.prefetch(ctx, p)
	return h.Service.Execute(ctx, p, func(r action.Result) {
		if progress != nil {
			progress(r)
		}
		if r.Err != nil {
			return
		}
		ev := HookEvent{Event: event, Source: h.app.Spec(), MessageID: r.ID}
		if m := msgs[r.ID]; m != nil {
			ev.HeaderMessageID, ev.From, ev.Subject = m.MessageID, m.FromAddr, m.Subject
		}
		h.desk.RunHooks(ctx, ev, raws[r.ID], h.warn)
	})
}

// prefetch reads the raw messages the plan will act on, within
// hookStdinBudget; a message that cannot be read gets no stdin.
func (h *HookedActions) prefetch(ctx context.Context, p action.Plan) (map[model.MessageID]*model.Message, map[model.MessageID][]byte) {
	msgs := map[model.MessageID]*model.Message{}
	raws := map[model.MessageID][]byte{}
	budget := int64(hookStdinBudget)
	for _, it := range p.Items {
		if it.Blocked != "" || it.Message == nil {
			continue
		}
		msgs[it.Message.ID] = it.Message
		if budget <= 0 {
			continue
		}
		rc, err := h.app.Source().Open(ctx, it.Message.ID)
		if err != nil {
			continue
		}
		raw, err := io.ReadAll(io.LimitReader(rc, budget+1))
		rc.Close()
		if err == nil && int64(len(raw)) <= budget {
			raws[it.Message.ID] = raw
			budget -= int64(len(raw))
		} else {
			budget = 0
		}
	}
	return msgs, raws
}
