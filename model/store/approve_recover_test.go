package store

import (
	"errors"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"strings"
	"syscall"
	"testing"
	"time"

	"mxaudit/model"
)

// approveChildEnv makes the test binary an operator's mxaudit approving
// exception 1 as sato and failing between the audit record and the
// policy write, for "MODE:POLICY:AUDIT": MODE "kill" is killed (SIGKILL,
// by itself, just before the policy file is renamed into place); "fsize"
// runs under RLIMIT_FSIZE so that the policy write fails with EFBIG
// while the shorter audit log still takes its records.
const approveChildEnv = "MXAUDIT_APPROVE_CHILD"

// approveChildLimit is the fsize child's file size limit: above the
// audit log, below the policy file (see TestApprovalRecoveredAfterCrash).
const approveChildLimit = 8 << 10

func approveChild(spec string) int {
	parts := strings.SplitN(spec, ":", 3)
	ps := NewPolicyStore(parts[1], parts[2], []string{"sato", "suzuki"})
	switch parts[0] {
	case "kill":
		ps.ops.BeforeRename = func() error {
			syscall.Kill(os.Getpid(), syscall.SIGKILL)
			select {}
		}
	case "fsize":
		// Go ignores SIGXFSZ, so the write fails with EFBIG.
		lim := syscall.Rlimit{Cur: approveChildLimit, Max: approveChildLimit}
		if err := syscall.Setrlimit(syscall.RLIMIT_FSIZE, &lim); err != nil {
			fmt.Fprintln(os.Stderr, err)
			return 2
		}
	}
	now := time.Now()
	entry := model.NewAuditEntry(model.ActionExceptionApprove, sato, now)
	entry.ExceptionID = 1
	_, err := ChangePolicy(ps, parts[2], &entry, func(p *model.Policy) error {
		_, err := p.Approve(1, sato, now)
		return err
	})
	if err != nil {
		fmt.Fprintln(os.Stderr, err)
		return 1
	}
	return 0
}

// approvalRecordsOK returns the ok approval records of the log.
func approvalRecordsOK(t *testing.T, auditPath string) []model.AuditEntry {
	t.Helper()
	entries, err := ReadAuditLog(auditPath)
	if err != nil {
		t.Fatal(err)
	}
	var out []model.AuditEntry
	for _, e := range entries {
		if e.Action == model.ActionExceptionApprove && e.Outcome == model.OutcomeOK {
			out = append(out, e)
		}
	}
	return out
}

// TestApprovalRecoveredAfterCrash: an approver's mxaudit dies (kill -9)
// or its policy write fails (a real EFBIG) after the approval's audit
// record and before the policy file holds it. The exception is still
// pending, nothing applies that the log does not show, and approving it
// again binds the recorded approval instead of refusing or asking for a
// second record.
func TestApprovalRecoveredAfterCrash(t *testing.T) {
	if testing.Short() {
		t.Skip("spawns processes")
	}
	for _, mode := range []string{"kill", "fsize"} {
		t.Run(mode, func(t *testing.T) {
			dir := t.TempDir()
			path, auditPath := filepath.Join(dir, "policy.toml"), filepath.Join(dir, "audit.jsonl")
			s := NewPolicyStore(path, auditPath, []string{"sato", "suzuki"})
			now := time.Now()
			add := model.NewAuditEntry(model.ActionExceptionAdd, tanaka, now)
			if _, err := ChangePolicy(s, auditPath, &add, func(p *model.Policy) error {
				_, err := p.Add(addRequest("partner.example.co.jp"), tanaka, now)
				return err
			}); err != nil {
				t.Fatal(err)
			}
			// Pending requests (which need no record to be read) make the
			// policy file longer than the child's file size limit.
			if _, err := s.Update(func(p *model.Policy) error {
				for i := range 40 {
					if _, err := p.Add(addRequest(fmt.Sprintf("filler%d.example.co.jp", i)), tanaka, now); err != nil {
						return err
					}
				}
				return nil
			}, nil); err != nil {
				t.Fatal(err)
			}
			if info, _ := os.Stat(path); info.Size() <= approveChildLimit {
				t.Fatalf("policy of %d bytes: not over the child's limit", info.Size())
			}

			cmd := exec.Command(os.Args[0], "-test.run=^$")
			cmd.Env = append(os.Environ(), approveChildEnv+"="+strings.Join([]string{mode, path, auditPath}, ":"))
			out, err := cmd.CombinedOutput()
			var exit *exec.ExitError
			switch {
			case !errors.As(err, &exit):
				t.Fatalf("child: %v, want it to fail: %s", err, out)
			case mode == "kill" && exit.Sys().(syscall.WaitStatus).Signal() != syscall.SIGKILL:
				t.Fatalf("child: %v, want killed: %s", err, out)
			case mode == "fsize" && !strings.Contains(string(out), "run the approval again"):
				t.Fatalf("child: %v: %s, want the policy write to fail and say what to do", err, out)
			}

			recs := approvalRecordsOK(t, auditPath)
			if len(recs) != 1 {
				t.Fatalf("%d ok approval records after the crash, want the child's one", len(recs))
			}
			p, err := s.Load()
			if err != nil {
				t.Fatal(err)
			}
			if st := p.Status(p.Find(1), time.Now()); st != model.StatusPending {
				t.Fatalf("after the crash exception 1 is %s, want pending (the file never held the approval)", st)
			}

			// Another approver approves again: the recorded approval is bound.
			later := time.Now().Add(time.Minute)
			again := model.NewAuditEntry(model.ActionExceptionApprove, model.Operator{User: "suzuki"}, later)
			again.ExceptionID = 1
			p, err = ChangePolicy(s, auditPath, &again, func(p *model.Policy) error {
				_, err := p.Approve(1, model.Operator{User: "suzuki"}, later)
				return err
			})
			if err != nil {
				t.Fatalf("approve after the crash: %v", err)
			}
			e := p.Find(1)
			want := fmt.Sprintf("%d:%s", recs[0].Seq, recs[0].Hash)
			if e.ApprovedBy != "sato" || e.ApprovalRecord != want || again.Seq != recs[0].Seq {
				t.Errorf("recovered approval by %q bound to %q (entry seq %d), want sato's, %s", e.ApprovedBy, e.ApprovalRecord, again.Seq, want)
			}
			p, _ = s.Load()
			if st := p.Status(p.Find(1), later); st != model.StatusActive {
				t.Errorf("reloaded: %s (%s), want active", st, p.Find(1).Why(later, p.Approvers))
			}
			if n := len(approvalRecordsOK(t, auditPath)); n != 1 {
				t.Errorf("%d ok approval records after the recovery, want 1 (no second approval)", n)
			}
			if r, err := VerifyAuditLog(auditPath); err != nil || !r.OK() {
				t.Errorf("VerifyAuditLog = %+v, %v", r, err)
			}
		})
	}
}

// TestApprovalUnboundRecovery: an approval left unbound (its record is in
// the log, the approval_record line is not, as an older mxaudit left it
// when it died between its two writes) is bound by approving again; one
// the log does not prove is refused with what to do.
func TestApprovalUnboundRecovery(t *testing.T) {
	record := regexp.MustCompile(`(?m)^approval_record = .*\n`)
	tests := []struct {
		name    string
		edit    func(string) string
		wantErr string
	}{
		{"record in the log", func(s string) string { return record.ReplaceAllString(s, "") }, ""},
		{"approval typed by hand", func(s string) string {
			s = record.ReplaceAllString(s, "")
			return strings.Replace(s, `approved_by = "sato"`, `approved_by = "suzuki"`, 1)
		}, "Remove the approved_by, approved_from and approved lines of exception 1 from "},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			s, path, auditPath := approvedPolicy(t)
			bound, _ := s.Load()
			data, _ := os.ReadFile(path)
			os.WriteFile(path, []byte(tt.edit(string(data))), 0o600)
			if p, _ := s.Load(); p.Status(p.Find(1), testNow) != model.StatusUnverified {
				t.Fatalf("edited: %s, want unverified", p.Status(p.Find(1), testNow))
			}
			op := model.Operator{User: "suzuki"}
			if tt.wantErr != "" {
				op = sato
			}
			entry := model.NewAuditEntry(model.ActionExceptionApprove, op, testNow)
			entry.ExceptionID = 1
			p, err := ChangePolicy(s, auditPath, &entry, func(p *model.Policy) error {
				_, err := p.Approve(1, op, testNow)
				return err
			})
			if tt.wantErr != "" {
				if err == nil || !strings.Contains(err.Error(), tt.wantErr) {
					t.Fatalf("approve = %v, want %q", err, tt.wantErr)
				}
				return
			}
			if err != nil {
				t.Fatal(err)
			}
			if got, want := p.Find(1).ApprovalRecord, bound.Find(1).ApprovalRecord; got != want {
				t.Errorf("bound to %q, want the original %q", got, want)
			}
			if p, _ := s.Load(); p.Status(p.Find(1), testNow) != model.StatusActive {
				t.Errorf("reloaded: %s, want active", p.Status(p.Find(1), testNow))
			}
		})
	}
}
