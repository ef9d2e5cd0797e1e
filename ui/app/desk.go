package app

import (
	"context"
	"errors"
	"path/filepath"
	"time"

	"mxaudit/mailsrc/action"
	"mxaudit/model"
	"mxaudit/model/store"
)

// Desk is where operators act: the exception policy file, the audit log
// that records every change and action, and who is acting. The exception
// and audit commands, the release and delete commands and the console
// all find them the same way.
type Desk struct {
	// Policy is the exception policy file, at PolicyPath.
	Policy     *store.PolicyStore
	PolicyPath string
	// AuditPath is the audit log (JSON Lines, hash-chained).
	AuditPath string
	// Operator is who acts: the requester, approver or releaser in
	// records.
	Operator model.Operator
	// Now is when the desk was opened: the time of every record a command
	// writes, so that one command's records agree.
	Now time.Time
	// Config is the configuration the desk was opened with: its [hooks]
	// and [notify] tables (zero for NewDeskIn).
	Config Config
	// Warn receives what the operator should know of a failed hook run
	// by Change; nil discards it (it is audited all the same), as a
	// console that draws its own screen wants.
	Warn func(string)
	// Changed, when set, is told of every change written through Change:
	// the record and the policy as written. "mxaudit serve" uses it to
	// show one operator's change in every other session.
	Changed func(entry model.AuditEntry, p model.Policy)
}

// DeskPaths name the desk's files; empty ones are taken from the
// configuration, then from the XDG defaults.
type DeskPaths struct {
	Config, Policy, AuditLog string
}

// OpenDesk resolves the policy and audit log paths (flag, then the
// configuration, then the XDG default) and the operator: user is the OS
// user running mxaudit, getenv the environment (for $SUDO_USER and the
// SSH client).
func OpenDesk(getenv func(string) string, paths DeskPaths, user string) (*Desk, error) {
	path, explicit := paths.Config, paths.Config != ""
	if !explicit {
		dir, err := XDGConfigDir(getenv)
		if err != nil {
			return nil, err
		}
		path = filepath.Join(dir, "mxaudit", "config.toml")
	}
	cfg, err := LoadConfig(path, explicit)
	if err != nil {
		return nil, err
	}
	policyPath := FirstNonEmpty(paths.Policy, cfg.PolicyFile)
	if policyPath == "" {
		if policyPath, err = store.DefaultPolicyPath(getenv); err != nil {
			return nil, err
		}
	}
	auditPath := FirstNonEmpty(paths.AuditLog, cfg.AuditLog)
	if auditPath == "" {
		if auditPath, err = store.DefaultAuditPath(getenv); err != nil {
			return nil, err
		}
	}
	return &Desk{
		Policy:     store.NewPolicyStore(policyPath, auditPath, cfg.Approvers),
		PolicyPath: policyPath,
		AuditPath:  auditPath,
		Operator:   model.CurrentOperator(getenv, user),
		Now:        time.Now().UTC(),
		Config:     cfg,
	}, nil
}

// NewDeskIn is a desk whose policy and audit log live in dir, with no
// approvers configured: the demo's, whose exceptions on made-up mail must
// not reach the real policy.
func NewDeskIn(dir string, getenv func(string) string, user string) *Desk {
	policyPath, auditPath := filepath.Join(dir, "policy.toml"), filepath.Join(dir, "audit.jsonl")
	return &Desk{
		Policy:     store.NewPolicyStore(policyPath, auditPath, nil),
		PolicyPath: policyPath,
		AuditPath:  auditPath,
		Operator:   model.CurrentOperator(getenv, user),
		Now:        time.Now().UTC(),
	}
}

// TeamProblems explains what is wrong with the ownership and modes of the
// desk's files for a team sharing them (store.CheckTeamSetup); nil when
// nothing is.
func (d *Desk) TeamProblems() []string { return store.CheckTeamSetup(d.PolicyPath, d.AuditPath) }

// Load reads the policy file.
func (d *Desk) Load() (model.Policy, error) { return d.Policy.Load() }

// Change applies change to the policy file and records entry in the
// audit log, or neither (see store.ChangePolicy); it returns the policy
// as written.
//
// After an approval it runs the exception_approve hooks, whichever front
// end approved: their failures go to Warn and the audit log, never undo
// the approval. A viewer's desk refuses every change before the file is
// touched.
func (d *Desk) Change(entry *model.AuditEntry, change func(*model.Policy) error) (model.Policy, error) {
	if d.Operator.ReadOnly {
		return model.Policy{}, model.ErrReadOnly
	}
	p, err := store.ChangePolicy(d.Policy, d.AuditPath, entry, change)
	if err == nil && entry.Action == model.ActionExceptionApprove {
		if e := p.Find(entry.ExceptionID); e != nil {
			d.RunHooks(context.Background(), HookEvent{Event: EventExceptionApprove, Exception: HookExceptionOf(*e)}, nil, d.Warn)
		}
	}
	if err == nil && d.Changed != nil {
		d.Changed(*entry, p)
	}
	return p, err
}

// As is a copy of the desk on which op acts, with changes reported to
// changed: one desk per SSH session, sharing the policy file and the
// audit log.
func (d *Desk) As(op model.Operator, changed func(model.AuditEntry, model.Policy)) *Desk {
	c := *d
	c.Operator, c.Changed = op, changed
	return &c
}

// Delivery says where released mail goes; empty fields are taken from
// the configuration. Setting one of Relay and Maildir clears the other.
type Delivery struct {
	Relay, Maildir string
}

// Actions builds the release and delete service of the App's source on
// desk: dry runs, rule checks, delivery, the trash, and the audit record
// of every step. It fails when the audit log cannot be opened or the
// source cannot move messages (an mbox).
func (a *App) Actions(desk *Desk, d Delivery) (*action.Service, error) {
	if desk == nil {
		return nil, errors.New("no exception policy or audit log is configured")
	}
	audit, err := store.OpenAuditLog(desk.AuditPath)
	if err != nil {
		return nil, err
	}
	ac := action.Config{
		Source:         a.src,
		SourceName:     FirstNonEmpty(a.spec, a.src.Name()),
		Policy:         desk.Policy,
		Audit:          audit,
		Operator:       desk.Operator,
		Relay:          FirstNonEmpty(d.Relay, a.cfg.Relay),
		DeliverMaildir: FirstNonEmpty(d.Maildir, a.cfg.DeliverMaildir),
		HomeDomains:    a.cfg.HomeDomains,
	}
	if d.Relay != "" {
		ac.DeliverMaildir = ""
	} else if d.Maildir != "" {
		ac.Relay = ""
	}
	return action.New(ac)
}

// XDGConfigDir is $XDG_CONFIG_HOME, or ~/.config, read through getenv so
// that tests can point it at a temporary directory.
func XDGConfigDir(getenv func(string) string) (string, error) {
	if dir := getenv("XDG_CONFIG_HOME"); filepath.IsAbs(dir) {
		return dir, nil
	}
	if home := getenv("HOME"); home != "" {
		return filepath.Join(home, ".config"), nil
	}
	return "", errors.New("neither $XDG_CONFIG_HOME nor $HOME is set: use --config")
}

// FirstNonEmpty returns the first value that is not empty.
func FirstNonEmpty(values ...string) string {
	for _, v := range values {
		if v != "" {
			return v
		}
	}
	return ""
}
