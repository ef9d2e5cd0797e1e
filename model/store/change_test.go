package store

import (
	"errors"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"mxaudit/model"
)

func TestChangePolicy(t *testing.T) {
	now := time.Date(2026, 11, 28, 12, 0, 0, 0, time.UTC)
	op := model.Operator{User: "tanaka"}
	add := func(p *model.Policy) error {
		_, err := p.Add(model.ExceptionRequest{Scope: model.ScopeDomain, Value: "partner.example",
			Kinds: []model.ExceptionKind{model.KindEncryptedArchive}, Reason: "PPAP partner"}, op, now)
		return err
	}
	tests := []struct {
		name       string
		change     func(*model.Policy) error
		badAudit   bool
		wantErr    string
		wantExc    int    // exceptions in the file afterwards
		wantRecord string // outcome of the last audit record, "" for none
	}{
		{"a change is written and recorded", add, false, "", 1, model.OutcomeOK},
		{"a refused change is recorded as failed", func(*model.Policy) error { return errors.New("no exception 9") },
			false, "no exception 9", 0, "no exception 9"},
		{"no audit log, no change", add, true, "audit log", 0, ""},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			dir := t.TempDir()
			ps := NewPolicyStore(filepath.Join(dir, "policy.toml"), filepath.Join(dir, "audit.jsonl"), []string{"sato"})
			auditPath := filepath.Join(dir, "audit.jsonl")
			if tt.badAudit {
				// A directory where the log should be: it cannot be opened.
				if err := os.Mkdir(auditPath, 0o700); err != nil {
					t.Fatal(err)
				}
			}
			entry := model.NewAuditEntry(model.ActionExceptionAdd, op, now)
			_, err := ChangePolicy(ps, auditPath, &entry, tt.change)
			if tt.wantErr == "" && err != nil || tt.wantErr != "" && (err == nil || !strings.Contains(err.Error(), tt.wantErr)) {
				t.Fatalf("error %v, want %q", err, tt.wantErr)
			}
			p, err := ps.Load()
			if err != nil {
				t.Fatal(err)
			}
			if len(p.Exceptions) != tt.wantExc {
				t.Fatalf("%d exceptions in the file, want %d", len(p.Exceptions), tt.wantExc)
			}
			if tt.badAudit {
				return
			}
			rep, err := VerifyAuditLog(auditPath)
			if err != nil || rep.Problem != "" || rep.Records != 1 {
				t.Fatalf("audit log: %v %q, %d records", err, rep.Problem, rep.Records)
			}
			data, _ := os.ReadFile(auditPath)
			if !strings.Contains(string(data), `"outcome":"`+tt.wantRecord+`"`) {
				t.Fatalf("record %s lacks outcome %q", data, tt.wantRecord)
			}
		})
	}
}
