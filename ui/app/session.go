package app

import (
	"context"
	"errors"
	"fmt"

	"mxaudit/mailsrc/action"
	"mxaudit/model"
)

// Session is what one operator of "mxaudit serve" works on: a View of
// the shared hub, the desk under the operator's own identity, and an
// action service that records the operator in the audit log and tells
// every other session what was done. A viewer's session has no action
// service and a desk that refuses every change: the roles are enforced
// here and in the model, not only hidden in the console.
type Session struct {
	Hub      *Hub
	View     *View
	Operator model.Operator
	// Desk is nil when the policy or the audit log could not be found.
	Desk *Desk
	// Actions is nil when the operator may not, or cannot, act here;
	// ActionsUnavailable then says why.
	Actions            *SessionActions
	ActionsUnavailable string
}

// Roles names who may do what under "mxaudit serve": the configuration's
// approvers and viewers lists.
type Roles struct {
	Approvers, Viewers []string
}

// RolesOf reads the roles from a configuration.
func RolesOf(cfg Config) Roles { return Roles{Approvers: cfg.Approvers, Viewers: cfg.Viewers} }

// IsViewer reports whether name may only look. Names compare as the
// two-person rule compares them (model.SameUser).
func (r Roles) IsViewer(name string) bool {
	for _, v := range r.Viewers {
		if model.SameUser(v, name) {
			return true
		}
	}
	return false
}

// Session opens a session for op on the hub. The caller closes it.
func (h *Hub) Session(op model.Operator) *Session {
	s := &Session{Hub: h, View: h.View(), Operator: op}
	if h.desk == nil {
		s.ActionsUnavailable = "actions are off: no exception policy or audit log is configured"
		return s
	}
	s.Desk = h.desk.As(op, s.PolicyChanged)
	if op.ReadOnly {
		s.ActionsUnavailable = "you are a viewer: you may look but not act"
		return s
	}
	svc, err := h.app.Actions(s.Desk, Delivery{})
	if err != nil {
		s.ActionsUnavailable = "actions are off: " + err.Error()
		return s
	}
	s.Actions = &SessionActions{svc: svc, hub: h, op: op}
	return s
}

// Close ends the session's subscription to the hub.
func (s *Session) Close() { s.View.Close() }

// PolicyChanged tells every session of a policy change written outside
// the session's Desk: a command run over SSH opens a desk of its own.
func (s *Session) PolicyChanged(e model.AuditEntry, p model.Policy) {
	s.Hub.publishPolicy(PolicyNews{Policy: p, Note: policyNote(e)})
}

// FollowPolicy returns a channel that receives the policy after every
// change made by any session, until ctx is done.
func (s *Session) FollowPolicy(ctx context.Context) <-chan PolicyNews {
	return s.Hub.FollowPolicy(ctx)
}

// policyNote describes a policy change for the other sessions:
// "exception 3 approved by sato".
func policyNote(e model.AuditEntry) string {
	what := map[model.AuditAction]string{
		model.ActionExceptionAdd:     "requested",
		model.ActionExceptionApprove: "approved",
		model.ActionExceptionRevoke:  "revoked",
	}[e.Action]
	if what == "" {
		what = "changed"
	}
	return fmt.Sprintf("exception %d %s by %s", e.ExceptionID, what, e.Operator)
}

// SessionActions is the action service of one session: the operator's
// own service (so that the audit log names them and their key), whose
// completed releases and deletions leave every session's list at once,
// with a note naming the operator.
type SessionActions struct {
	svc *action.Service
	hub *Hub
	op  model.Operator
}

// CanRelease says why releasing is impossible here, or nil.
func (a *SessionActions) CanRelease() error { return a.svc.CanRelease() }

// Plan is the dry run of req on msgs.
func (a *SessionActions) Plan(ctx context.Context, req action.Request, msgs []*model.Message) (action.Plan, error) {
	if a.op.ReadOnly {
		return action.Plan{}, model.ErrReadOnly
	}
	return a.svc.Plan(ctx, req, msgs)
}

// Execute runs a confirmed plan; the messages it took out of the
// quarantine are announced to every session.
func (a *SessionActions) Execute(ctx context.Context, p action.Plan, progress func(action.Result)) []action.Result {
	if a.op.ReadOnly {
		return refuseAll(p, model.ErrReadOnly)
	}
	if !a.hub.beginAction() {
		return refuseAll(p, errDraining)
	}
	defer a.hub.endAction()
	// A release under way is finished even when the operator's
	// connection drops: half a delivery helps nobody, and the delivery
	// has its own timeouts.
	results := a.svc.Execute(context.WithoutCancel(ctx), p, progress)
	var ids []model.MessageID
	for _, r := range results {
		if r.Err == nil {
			ids = append(ids, r.ID)
		}
	}
	if len(ids) > 0 {
		verb := "released"
		if p.Request.Kind == action.Delete {
			verb = "deleted"
		}
		a.hub.actedOn(ids, verb, a.op)
	}
	return results
}

// refuseAll is the result of a plan none of whose messages may be acted
// on, for reason.
func refuseAll(p action.Plan, reason error) []action.Result {
	out := make([]action.Result, 0, len(p.Request.IDs))
	for _, id := range p.Request.IDs {
		out = append(out, action.Result{ID: id, Outcome: reason.Error(), Err: errors.Join(action.ErrRefused, reason)})
	}
	return out
}

// errDraining refuses actions once the server is shutting down.
var errDraining = errors.New("the server is shutting down: no new actions")

// beginAction counts an action in, unless the hub is draining.
func (h *Hub) beginAction() bool {
	h.mu.Lock()
	defer h.mu.Unlock()
	if h.draining {
		return false
	}
	h.actions.Add(1)
	return true
}

// endAction counts an action out.
func (h *Hub) endAction() { h.actions.Done() }

// Drain refuses new actions and waits until the running ones have
// finished or ctx is done: what a server does on SIGTERM before it
// closes the connections.
func (h *Hub) Drain(ctx context.Context) error {
	h.mu.Lock()
	h.draining = true
	h.mu.Unlock()
	done := make(chan struct{})
	go func() {
		h.actions.Wait()
		close(done)
	}()
	select {
	case <-done:
		return nil
	case <-ctx.Done():
		return ctx.Err()
	}
}
