package cli

import (
	"fmt"
	"slices"
	"time"

	"mxaudit/model"
	"mxaudit/model/store"
)

// annotator returns what sets each scanned message's "exception" field:
// the active exception covering it (id, scope, value, expiry, approver,
// kinds) under the configured policy, whose approvals are checked against
// the audit log like everywhere else. A policy that cannot be read is
// reported on stderr and the field left out: the scan itself still runs.
func annotator(cfg Config, env Env) func(*model.Message) {
	policyPath, auditPath := cfg.PolicyFile, cfg.AuditLog
	var err error
	if policyPath == "" {
		policyPath, err = store.DefaultPolicyPath(env.getenv)
	}
	if err == nil && auditPath == "" {
		auditPath, err = store.DefaultAuditPath(env.getenv)
	}
	var p model.Policy
	if err == nil {
		p, err = store.LoadPolicy(policyPath, auditPath, cfg.Approvers)
	}
	if err != nil {
		if env.Stderr != nil {
			fmt.Fprintln(env.Stderr, "mxaudit: warning: exceptions not shown:", err)
		}
		return nil
	}
	return annotateWith(p, time.Now())
}

// annotateWith sets a message's exception under p at now. An encoded
// message (model.Encoded) is decoded whole only when an active exception
// names its sender: no other can cover it (Policy.Covering), so the
// others keep no exception and stay encoded.
func annotateWith(p model.Policy, now time.Time) func(*model.Message) {
	active := p.Active(now)
	return func(m *model.Message) {
		if m.IsEncoded() {
			if !slices.ContainsFunc(active, func(e model.Exception) bool { return e.Covers(m) }) {
				m.Exception = nil
				return
			}
			if m.Materialize() != nil {
				// The cached record cannot be read whole: it is printed
				// as cached, without the exception (never an exception
				// on a message it was not checked against: fail closed).
				m.Exception = nil
				return
			}
		}
		p.Annotate(m, now)
	}
}
