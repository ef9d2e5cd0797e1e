package cli

import (
	"errors"
	"flag"
	"fmt"
	"path/filepath"
	"time"

	"mxaudit/model"
	"mxaudit/model/store"
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
	policy    *store.PolicyStore
	auditPath string
	op        model.Operator
	now       time.Time
}

// open resolves the paths (flag, then configuration, then the XDG
// default) and the operator's identity.
func (f *policyFlags) open(env Env) (*policyEnv, error) {
	path, explicit := f.config, f.config != ""
	if !explicit {
		dir, err := xdgConfigDir(env.Getenv)
		if err != nil {
			return nil, err
		}
		path = filepath.Join(dir, "mxaudit", "config.toml")
	}
	cfg, err := LoadConfig(path, explicit)
	if err != nil {
		return nil, err
	}
	policyPath := firstNonEmpty(f.policy, cfg.PolicyFile)
	if policyPath == "" {
		if policyPath, err = store.DefaultPolicyPath(env.Getenv); err != nil {
			return nil, err
		}
	}
	auditPath := firstNonEmpty(f.auditLog, cfg.AuditLog)
	if auditPath == "" {
		if auditPath, err = store.DefaultAuditPath(env.Getenv); err != nil {
			return nil, err
		}
	}
	for _, problem := range store.CheckTeamSetup(policyPath, auditPath) {
		fmt.Fprintln(env.Stderr, "mxaudit: warning:", problem)
	}
	return &policyEnv{
		policy:    store.NewPolicyStore(policyPath, auditPath, cfg.Approvers),
		auditPath: auditPath,
		op:        model.CurrentOperator(env.Getenv, lookupOSUser()),
		now:       time.Now().UTC(),
	}, nil
}

// xdgConfigDir is $XDG_CONFIG_HOME, or ~/.config, read through getenv so
// that tests can point it at a temporary directory.
func xdgConfigDir(getenv func(string) string) (string, error) {
	if dir := getenv("XDG_CONFIG_HOME"); filepath.IsAbs(dir) {
		return dir, nil
	}
	if home := getenv("HOME"); home != "" {
		return filepath.Join(home, ".config"), nil
	}
	return "", errors.New("neither $XDG_CONFIG_HOME nor $HOME is set: use --config")
}

func firstNonEmpty(values ...string) string {
	for _, v := range values {
		if v != "" {
			return v
		}
	}
	return ""
}

// changePolicy applies change to the policy file and records the action
// in the audit log; see store.ChangePolicy, which the console shares.
func (pe *policyEnv) changePolicy(entry *model.AuditEntry, change func(*model.Policy) error) error {
	_, err := store.ChangePolicy(pe.policy, pe.auditPath, entry, change)
	return err
}
