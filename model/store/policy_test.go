package store

import (
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"

	"mxaudit/model"
	"mxaudit/model/store/fsx"
)

var testNow = time.Date(2026, 11, 28, 12, 0, 0, 0, time.UTC)

var (
	tanaka = model.Operator{User: "tanaka", SSHClient: "192.0.2.7"}
	sato   = model.Operator{User: "sato"}
)

func addRequest(value string) model.ExceptionRequest {
	return model.ExceptionRequest{
		Scope: model.ScopeDomain, Value: value, Kinds: []model.ExceptionKind{model.KindEncryptedArchive},
		Reason: `partner "A" sends orders as ZIP\n (ticket #4711)`,
	}
}

func TestPolicyRoundTrip(t *testing.T) {
	path := filepath.Join(t.TempDir(), "conf", "policy.toml")
	auditPath := filepath.Join(filepath.Dir(path), "audit.jsonl")
	s := NewPolicyStore(path, auditPath, []string{"sato"})
	p, err := s.Load()
	if err != nil || len(p.Exceptions) != 0 {
		t.Fatalf("missing file: %+v, %v", p, err)
	}
	var added model.Exception
	if _, err := s.Update(func(p *model.Policy) (err error) {
		added, err = p.Add(addRequest("partner.example.co.jp"), tanaka, testNow)
		return err
	}, nil); err != nil {
		t.Fatal(err)
	}
	approve := model.NewAuditEntry(model.ActionExceptionApprove, sato, testNow)
	approve.ExceptionID = added.ID
	if _, err := ChangePolicy(s, auditPath, &approve, func(p *model.Policy) error { _, err := p.Approve(added.ID, sato, testNow); return err }); err != nil {
		t.Fatal(err)
	}
	if err := s.RecordHit(added.ID, testNow.Add(time.Hour)); err != nil {
		t.Fatal(err)
	}
	p, err = s.Load()
	if err != nil {
		t.Fatal(err)
	}
	e := p.Find(added.ID)
	if e == nil || e.Reason != added.Reason || e.ApprovedBy != "sato" || e.RequestedFrom != "192.0.2.7" ||
		e.Hits != 1 || !e.LastHit.Equal(testNow.Add(time.Hour)) || !e.Expires.Equal(added.Expires) {
		t.Errorf("reloaded exception = %+v", e)
	}
	if st := p.Status(e, testNow); st != model.StatusActive {
		t.Errorf("status after reload = %s", st)
	}
	if p.NextID != added.ID+1 {
		t.Errorf("NextID = %d", p.NextID)
	}
	data, _ := os.ReadFile(path)
	if !strings.Contains(string(data), "[[exception]]\nid = 1\nscope = \"domain\"\nvalue = \"partner.example.co.jp\"\n") {
		t.Errorf("policy file layout:\n%s", data)
	}
}

func TestPolicyMalformedIsNotOverwritten(t *testing.T) {
	tests := []struct {
		name, content, want string
	}{
		{"syntax", "next_id = 2\n\n[[exception]]\nid = 1\nscope = \"domain\n", "line 5"},
		{"unknown key", "next_id = 2\nowner = \"x\"\n", "unknown keys: owner"},
		{"invalid exception", "next_id = 3\n\n[[exception]]\nid = 1\nscope = \"domain\"\nvalue = \"a.example.com\"\nkinds = [\"risky-type\"]\nreason = \"r\"\nrequested_by = \"t\"\ncreated = 2026-01-01T00:00:00Z\nexpires = 2026-02-01T00:00:00Z\n\n" +
			"[[exception]] # second\nid = 2\nscope = \"domain\"\nvalue = \"co.jp\"\nkinds = [\"risky-type\"]\nreason = \"r\"\nrequested_by = \"t\"\ncreated = 2026-01-01T00:00:00Z\nexpires = 2026-02-01T00:00:00Z\n",
			"line 13: exception 2: domain \"co.jp\" is a public suffix"},
		{"expiry beyond a year", "[[exception]]\nid = 1\nscope = \"domain\"\nvalue = \"a.example.com\"\nkinds = [\"risky-type\"]\nreason = \"r\"\nrequested_by = \"t\"\ncreated = 2026-01-01T00:00:00Z\nexpires = 2027-06-01T00:00:00Z\n", "line 1: exception 1: expires 2027-06-01 is more than 365 days"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			path := filepath.Join(t.TempDir(), "policy.toml")
			if err := os.WriteFile(path, []byte(tt.content), 0o640); err != nil {
				t.Fatal(err)
			}
			s := NewPolicyStore(path, "", []string{"sato"})
			if _, err := s.Load(); err == nil || !strings.Contains(err.Error(), tt.want) || !strings.Contains(err.Error(), path) {
				t.Errorf("Load = %v, want an error naming %s and %q", err, path, tt.want)
			}
			_, err := s.Update(func(p *model.Policy) error {
				t.Error("change called on a malformed policy")
				return nil
			}, nil)
			if err == nil {
				t.Error("Update of a malformed policy succeeded")
			}
			if got, _ := os.ReadFile(path); string(got) != tt.content {
				t.Errorf("the malformed file was overwritten:\n%s", got)
			}
		})
	}
}

// TestPolicyCrashMidWrite injects failures into the atomic write: the old
// file must stay intact and no temporary file may be left behind.
func TestPolicyCrashMidWrite(t *testing.T) {
	diskFull := errors.New("no space left on device")
	tests := []struct {
		name string
		ops  fsx.Ops
	}{
		{"writer fails half way", fsx.Ops{
			Write: func(f *os.File, data []byte) error {
				f.Write(data[:len(data)/2])
				return diskFull
			},
		}},
		{"crash before the rename", fsx.Ops{BeforeRename: func() error { return diskFull }}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			dir := t.TempDir()
			path := filepath.Join(dir, "policy.toml")
			s := NewPolicyStore(path, "", []string{"sato"})
			if _, err := s.Update(func(p *model.Policy) error { _, err := p.Add(addRequest("a.example.com"), tanaka, testNow); return err }, nil); err != nil {
				t.Fatal(err)
			}
			before, _ := os.ReadFile(path)
			s.ops = tt.ops
			_, err := s.Update(func(p *model.Policy) error { _, err := p.Add(addRequest("b.example.com"), tanaka, testNow); return err }, nil)
			if !errors.Is(err, diskFull) {
				t.Errorf("Update = %v, want the injected failure", err)
			}
			if after, _ := os.ReadFile(path); string(after) != string(before) {
				t.Errorf("the policy changed after a failed write:\n%s", after)
			}
			assertNoTempFiles(t, dir)
		})
	}
}

func TestPolicyCommitFailureUndoes(t *testing.T) {
	dir := t.TempDir()
	path := filepath.Join(dir, "policy.toml")
	s := NewPolicyStore(path, "", nil)
	auditDown := errors.New("audit log unwritable")
	fail := func(*model.Policy) error { return auditDown }
	add := func(v string) func(p *model.Policy) error {
		return func(p *model.Policy) error { _, err := p.Add(addRequest(v), tanaka, testNow); return err }
	}

	// No file before: the failed commit removes the new one.
	if _, err := s.Update(add("a.example.com"), fail); !errors.Is(err, auditDown) || !strings.Contains(err.Error(), "undone") {
		t.Errorf("Update = %v", err)
	}
	if _, err := os.Stat(path); !errors.Is(err, os.ErrNotExist) {
		t.Errorf("policy file left after an undone first change: %v", err)
	}
	// A file before: the failed commit puts it back.
	if _, err := s.Update(add("a.example.com"), nil); err != nil {
		t.Fatal(err)
	}
	before, _ := os.ReadFile(path)
	if _, err := s.Update(add("b.example.com"), fail); !errors.Is(err, auditDown) {
		t.Errorf("Update = %v", err)
	}
	if after, _ := os.ReadFile(path); string(after) != string(before) {
		t.Errorf("failed commit kept the change:\n%s", after)
	}
	assertNoTempFiles(t, dir)
}

// TestPolicyConcurrentUpdates runs updates through separate stores (each
// its own lock descriptor, as separate processes would have): every
// change must survive.
func TestPolicyConcurrentUpdates(t *testing.T) {
	path := filepath.Join(t.TempDir(), "policy.toml")
	const n = 16
	var wg sync.WaitGroup
	errs := make(chan error, n)
	for i := range n {
		wg.Add(1)
		go func() {
			defer wg.Done()
			s := NewPolicyStore(path, "", nil)
			_, err := s.Update(func(p *model.Policy) error {
				_, err := p.Add(addRequest(fmt.Sprintf("p%d.example.com", i)), tanaka, testNow)
				return err
			}, nil)
			errs <- err
		}()
	}
	wg.Wait()
	close(errs)
	for err := range errs {
		if err != nil {
			t.Fatal(err)
		}
	}
	p, err := LoadPolicy(path, "", nil)
	if err != nil {
		t.Fatal(err)
	}
	if len(p.Exceptions) != n {
		t.Errorf("%d exceptions after %d concurrent adds", len(p.Exceptions), n)
	}
}

func assertNoTempFiles(t *testing.T, dir string) {
	t.Helper()
	entries, _ := os.ReadDir(dir)
	for _, e := range entries {
		if strings.HasSuffix(e.Name(), ".tmp") {
			t.Errorf("temporary file %s left behind", e.Name())
		}
	}
}
