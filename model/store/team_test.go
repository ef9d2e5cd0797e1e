package store

import (
	"fmt"
	"io"
	"os"
	"os/exec"
	"os/user"
	"path/filepath"
	"strconv"
	"strings"
	"syscall"
	"testing"
	"time"

	"mxaudit/model"
)

// teamChildEnv makes the test binary one operator's mxaudit: with
// "ACTION:USER:POLICY:AUDIT" it requests (add) or approves (approve)
// exception 1 through ChangePolicy, as the exception commands do.
const teamChildEnv = "MXAUDIT_TEAM_CHILD"

func teamChild(spec string) int {
	parts := strings.SplitN(spec, ":", 4)
	action, name, policyPath, auditPath := parts[0], parts[1], parts[2], parts[3]
	op := model.Operator{User: name}
	ps := NewPolicyStore(policyPath, auditPath, []string{"mxaudit-op2"})
	now := time.Now()
	var err error
	switch action {
	case "add":
		entry := model.NewAuditEntry(model.ActionExceptionAdd, op, now)
		_, err = ChangePolicy(ps, auditPath, &entry, func(p *model.Policy) error {
			_, err := p.Add(model.ExceptionRequest{Scope: model.ScopeDomain, Value: "partner.example.co.jp",
				Kinds: []model.ExceptionKind{model.KindEncryptedArchive}, Reason: "orders"}, op, now)
			return err
		})
	case "approve":
		entry := model.NewAuditEntry(model.ActionExceptionApprove, op, now)
		entry.ExceptionID = 1
		_, err = ChangePolicy(ps, auditPath, &entry, func(p *model.Policy) error {
			_, err := p.Approve(1, op, now)
			return err
		})
	}
	if err != nil {
		fmt.Fprintln(os.Stderr, err)
		return 1
	}
	return 0
}

// operator is a real OS account for the two-uid test.
type operator struct {
	name     string
	uid, gid uint32
}

// ensureAccount creates the group or user with the given command
// (groupadd, useradd) unless it exists, and removes it when the test ends.
func ensureAccount(t *testing.T, exists func() bool, del []string, add ...string) {
	t.Helper()
	if exists() {
		return
	}
	if out, err := exec.Command(add[0], add[1:]...).CombinedOutput(); err != nil {
		t.Skipf("SKIP: cannot create accounts for the two-operator test (%s): %v %s", add[0], err, out)
	}
	t.Cleanup(func() { exec.Command(del[0], del[1:]...).Run() })
}

// TestTeamTwoUIDs: two real operators (two uids, each with its own
// primary group, both in the team's group) share a setgid 2770 directory
// with the policy and the audit log; the first requests an exception and
// the second approves it, which needs the files the first created to be
// group-writable. The start-up check then explains a file made 0640.
func TestTeamTwoUIDs(t *testing.T) {
	if os.Geteuid() != 0 {
		t.Skip("SKIP: the two-operator test needs root to create users (useradd) and run as them; CI runs it as root")
	}
	const team = "mxaudit-team"
	ensureAccount(t, func() bool { _, err := user.LookupGroup(team); return err == nil }, []string{"groupdel", team}, "groupadd", team)
	var ops []operator
	for _, name := range []string{"mxaudit-op1", "mxaudit-op2"} {
		ensureAccount(t, func() bool { _, err := user.Lookup(name); return err == nil }, []string{"userdel", name},
			"useradd", "-M", "-U", "-G", team, "-s", "/usr/sbin/nologin", name)
		u, err := user.Lookup(name)
		if err != nil {
			t.Fatal(err)
		}
		uid, _ := strconv.Atoi(u.Uid)
		gid, _ := strconv.Atoi(u.Gid)
		ops = append(ops, operator{name, uint32(uid), uint32(gid)})
	}
	g, err := user.LookupGroup(team)
	if err != nil {
		t.Fatal(err)
	}
	teamGid, _ := strconv.Atoi(g.Gid)

	// A directory the operators can reach, with a copy of this test
	// binary they can run.
	base, err := os.MkdirTemp("", "mxaudit-team-")
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { os.RemoveAll(base) })
	os.Chmod(base, 0o755)
	bin := filepath.Join(base, "store.test")
	copyFile(t, os.Args[0], bin, 0o755)
	shared := filepath.Join(base, "shared")
	if err := os.Mkdir(shared, 0o700); err != nil {
		t.Fatal(err)
	}
	os.Chown(shared, 0, teamGid)
	os.Chmod(shared, os.ModeSetgid|0o770)
	policyPath, auditPath := filepath.Join(shared, "policy.toml"), filepath.Join(shared, "audit.jsonl")

	run := func(op operator, action string) error {
		cmd := exec.Command(bin, "-test.run=^$")
		cmd.Env = append(os.Environ(), teamChildEnv+"="+strings.Join([]string{action, op.name, policyPath, auditPath}, ":"))
		cmd.SysProcAttr = &syscall.SysProcAttr{Credential: &syscall.Credential{Uid: op.uid, Gid: op.gid, Groups: []uint32{uint32(teamGid)}}}
		cmd.Dir = base
		out, err := cmd.CombinedOutput()
		if err != nil {
			return fmt.Errorf("%s %s: %v: %s", op.name, action, err, out)
		}
		return nil
	}
	old := syscall.Umask(0o022) // the usual umask, inherited by the children
	defer syscall.Umask(old)
	if err := run(ops[0], "add"); err != nil {
		t.Fatal(err)
	}
	if err := run(ops[1], "approve"); err != nil {
		t.Fatalf("the second operator could not approve: %v", err)
	}
	for _, name := range []string{"policy.toml", "policy.toml.lock", "audit.jsonl"} {
		info, err := os.Stat(filepath.Join(shared, name))
		if err != nil {
			t.Fatal(err)
		}
		st := info.Sys().(*syscall.Stat_t)
		if info.Mode().Perm() != 0o660 || int(st.Gid) != teamGid {
			t.Errorf("%s: mode %04o group %d, want 0660 and the team's group %d", name, info.Mode().Perm(), st.Gid, teamGid)
		}
	}
	p, err := LoadPolicy(policyPath, auditPath, []string{"mxaudit-op2"})
	if err != nil {
		t.Fatal(err)
	}
	if st := p.Status(&p.Exceptions[0], time.Now()); st != model.StatusActive {
		t.Errorf("status after the second operator's approval: %s (%s)", st, p.Exceptions[0].Why(time.Now(), p.Approvers))
	}
	if problems := CheckTeamSetup(policyPath, auditPath); len(problems) != 0 {
		t.Errorf("check of a good setup: %q", problems)
	}

	// A log made 0640 (as mxaudit created it before): the check says what
	// to run.
	os.Chmod(auditPath, 0o640)
	problems := strings.Join(CheckTeamSetup(policyPath, auditPath), "\n")
	if !strings.Contains(problems, "chmod 660 "+auditPath) {
		t.Errorf("check of a 0640 log: %q", problems)
	}
	// A group-writable directory without setgid.
	os.Chmod(shared, 0o770)
	if problems := strings.Join(CheckTeamSetup(policyPath, auditPath), "\n"); !strings.Contains(problems, "chmod 2770 "+shared) {
		t.Errorf("check of a directory without setgid: %q", problems)
	}
}

func copyFile(t *testing.T, from, to string, mode os.FileMode) {
	t.Helper()
	in, err := os.Open(from)
	if err != nil {
		t.Fatal(err)
	}
	defer in.Close()
	out, err := os.OpenFile(to, os.O_WRONLY|os.O_CREATE|os.O_TRUNC, mode)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := io.Copy(out, in); err != nil {
		t.Fatal(err)
	}
	if err := out.Close(); err != nil {
		t.Fatal(err)
	}
}
