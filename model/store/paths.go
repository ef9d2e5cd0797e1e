// Package store keeps mxaudit's exception policy file and audit log on
// disk: the I/O around the pure logic of package model. Every write is
// locked against other mxaudit processes (flock), atomic (policy: a
// temporary file renamed over the old one) or append-only (audit log),
// and fsynced before it is reported done.
package store

import (
	"errors"
	"os"
	"os/user"
	"path/filepath"
	"strconv"
)

// DefaultPolicyPath is $XDG_CONFIG_HOME/mxaudit/policy.toml, or
// ~/.config/mxaudit/policy.toml.
func DefaultPolicyPath(getenv func(string) string) (string, error) {
	dir, err := xdgDir(getenv, "XDG_CONFIG_HOME", ".config")
	if err != nil {
		return "", err
	}
	return filepath.Join(dir, "mxaudit", "policy.toml"), nil
}

// DefaultAuditPath is $XDG_STATE_HOME/mxaudit/audit.jsonl, or
// ~/.local/state/mxaudit/audit.jsonl.
func DefaultAuditPath(getenv func(string) string) (string, error) {
	dir, err := xdgDir(getenv, "XDG_STATE_HOME", filepath.Join(".local", "state"))
	if err != nil {
		return "", err
	}
	return filepath.Join(dir, "mxaudit", "audit.jsonl"), nil
}

// xdgDir returns $name when it is an absolute path (the XDG spec says to
// ignore relative ones), else $HOME/fallback.
func xdgDir(getenv func(string) string, name, fallback string) (string, error) {
	if dir := getenv(name); filepath.IsAbs(dir) {
		return dir, nil
	}
	home := getenv("HOME")
	if home == "" {
		return "", errors.New("neither $" + name + " nor $HOME is set: give the path in the configuration")
	}
	return filepath.Join(home, fallback), nil
}

// OSUser returns the name of the user running the process, looked up by
// uid in the user database; "" when the lookup fails (a container without
// a passwd entry), in which case model.CurrentOperator falls back to $USER
// and marks the identity unverified.
//
// It looks the uid up rather than calling user.Current: without cgo,
// user.Current falls back to $USER, without an error, for a uid missing
// from /etc/passwd (an LDAP or SSSD account), and $USER is anyone's to
// set — it would let an operator pass for an approver.
func OSUser() string {
	u, err := user.LookupId(strconv.Itoa(os.Getuid()))
	if err != nil {
		return ""
	}
	return u.Username
}
