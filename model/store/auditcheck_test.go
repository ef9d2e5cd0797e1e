package store

import (
	"bytes"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"mxaudit/model"
)

// TestAuditCheck: the check before a run refuses a log whose tail is
// torn, edited or re-chained, and passes a whole one.
func TestAuditCheck(t *testing.T) {
	tests := []struct {
		name    string
		damage  func(t *testing.T, path string)
		wantErr string
	}{
		{"intact", func(*testing.T, string) {}, ""},
		{"last line truncated", func(t *testing.T, path string) {
			b, _ := os.ReadFile(path)
			os.WriteFile(path, b[:len(b)-10], 0o600)
		}, "truncated"},
		{"last record edited", func(t *testing.T, path string) {
			b, _ := os.ReadFile(path)
			os.WriteFile(path, bytes.Replace(b, []byte(`"operator":"sato"`), []byte(`"operator":"suzu"`), 1), 0o600)
		}, "edited"},
		{"last record rebuilt on a different predecessor", func(t *testing.T, path string) {
			b, _ := os.ReadFile(path)
			lines := bytes.SplitAfter(b, []byte("\n"))
			var last model.AuditEntry
			prev, _ := parseRecord(bytes.TrimSpace(lines[1]))
			last = *prev
			last.PrevHash = strings.Repeat("0", 64)
			line, _ := last.Chain(&model.AuditEntry{Seq: 1, Hash: strings.Repeat("0", 64)})
			os.WriteFile(path, append(append([]byte{}, lines[0]...), append(line, '\n')...), 0o600)
		}, "does not chain"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			path := filepath.Join(t.TempDir(), "audit.jsonl")
			l, err := OpenAuditLog(path)
			if err != nil {
				t.Fatal(err)
			}
			for _, op := range []string{"tanaka", "sato"} {
				e := model.NewAuditEntry(model.ActionDelete, model.Operator{User: op}, testNow)
				e.Outcome = model.OutcomeOK
				if _, err := l.Append(e); err != nil {
					t.Fatal(err)
				}
			}
			tt.damage(t, path)
			err = l.Check()
			if tt.wantErr == "" {
				if err != nil {
					t.Fatalf("Check = %v", err)
				}
				return
			}
			if err == nil || !strings.Contains(err.Error(), tt.wantErr) {
				t.Fatalf("Check = %v, want %q", err, tt.wantErr)
			}
		})
	}
}

// TestLastAnchor: the console's anchor is the last record's SEQ:HASH, the
// same "audit verify" prints; a torn tail is an error, not an anchor.
func TestLastAnchor(t *testing.T) {
	path := filepath.Join(t.TempDir(), "audit.jsonl")
	if a, err := LastAnchor(path); err != nil || a != (Anchor{}) {
		t.Fatalf("missing log: %v, %v", a, err)
	}
	l, err := OpenAuditLog(path)
	if err != nil {
		t.Fatal(err)
	}
	var last model.AuditEntry
	for _, op := range []string{"tanaka", "sato"} {
		e := model.NewAuditEntry(model.ActionDelete, model.Operator{User: op}, testNow)
		e.Outcome = model.OutcomeOK
		if last, err = l.Append(e); err != nil {
			t.Fatal(err)
		}
	}
	a, err := LastAnchor(path)
	r, _ := VerifyAuditLog(path)
	if err != nil || a != (Anchor{Seq: last.Seq, Hash: last.Hash}) || a != r.Head {
		t.Errorf("anchor %v, %v; verify head %v", a, err, r.Head)
	}
	f, _ := os.OpenFile(path, os.O_WRONLY|os.O_APPEND, 0)
	f.WriteString(`{"seq":3`)
	f.Close()
	if _, err := LastAnchor(path); err == nil {
		t.Error("a torn tail gave an anchor")
	}
}
