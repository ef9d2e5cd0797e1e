package cli

import (
	"flag"
	"time"

	"mxaudit/model"
	"mxaudit/model/store"
	"mxaudit/ui/app"
)

// lookupOSUser names the OS user running mxaudit. It is a variable only
// so that tests can act as two different people.
var lookupOSUser = store.OSUser

// policyFlags are the flags of the exception and audit commands.
type policyFlags struct {
	config, policy, auditLog string
}

func (f *policyFlags) register(fs *flag.FlagSet) {
	fs.StringVar(&f.config, "config", "", "configuration file")
	fs.StringVar(&f.policy, "policy", "", "exception policy file (default: policy_file from the configuration)")
	fs.StringVar(&f.auditLog, "audit-log", "", "audit log (default: audit_log from the configuration)")
}

// policyEnv is what the exception and audit commands work on: the policy
// file, the audit log, who is running the command, and the clock.
type policyEnv struct {
	desk      *app.Desk
	policy    *store.PolicyStore
	auditPath string
	op        model.Operator
	now       time.Time
}

// desk opens the application core's desk for the flags: the paths
// (flag, then configuration, then the XDG default) and the operator.
// Hook failures are warned about on stderr. Over "mxaudit serve", the
// operator is the key's (Env.Operator), never the OS user the server runs
// as.
func (f *policyFlags) desk(env Env) (*app.Desk, error) {
	d, err := app.OpenDesk(env.getenv, app.DeskPaths{Config: f.config, Policy: f.policy, AuditLog: f.auditLog}, lookupOSUser())
	if err != nil {
		return nil, err
	}
	if env.Operator != nil {
		d.Operator = *env.Operator
	}
	d.Changed = env.PolicyChanged
	d.Warn = func(s string) { warnf(env, "%s", s) }
	for _, problem := range d.TeamProblems() {
		warnf(env, "warning: %s", problem)
	}
	return d, nil
}

// open is desk in the shape the exception and audit commands use.
func (f *policyFlags) open(env Env) (*policyEnv, error) {
	d, err := f.desk(env)
	if err != nil {
		return nil, err
	}
	return &policyEnv{desk: d, policy: d.Policy, auditPath: d.AuditPath, op: d.Operator, now: d.Now}, nil
}

// changePolicy applies change to the policy file and records the action
// in the audit log; see app.Desk.Change, which the console shares.
func (pe *policyEnv) changePolicy(entry *model.AuditEntry, change func(*model.Policy) error) error {
	_, err := pe.desk.Change(entry, change)
	return err
}

// firstNonEmpty returns the first value that is not empty.
func firstNonEmpty(values ...string) string { return app.FirstNonEmpty(values...) }
