package app

// Workspace is what one operator's console works on: the opened source
// with its analysis, the desk (policy, audit log, operator) and the
// action service. A console opens read-only when the desk or the actions
// are missing, and says why on the keys that need them.
type Workspace struct {
	App *App
	// Desk is nil when the policy or the audit log could not be found.
	Desk *Desk
	// Actions is nil when releasing and deleting are impossible here;
	// ActionsUnavailable then says why. It runs the desk's hooks; their
	// failures are audited, not shown (a console draws its own screen).
	Actions            *HookedActions
	ActionsUnavailable string
}

// NewWorkspace puts a together with desk (nil, with deskErr saying why,
// when it could not be opened) and builds the action service when it can.
func NewWorkspace(a *App, desk *Desk, deskErr error) *Workspace {
	ws := &Workspace{App: a, Desk: desk}
	switch {
	case desk == nil && deskErr != nil:
		ws.ActionsUnavailable = "actions are off: " + deskErr.Error()
	case desk == nil:
		ws.ActionsUnavailable = "actions are off: no exception policy or audit log is configured"
	default:
		svc, err := a.Actions(desk, Delivery{})
		if err != nil {
			ws.ActionsUnavailable = "actions are off: " + err.Error()
		} else {
			ws.Actions = a.WithHooks(svc, desk, nil)
		}
	}
	return ws
}
