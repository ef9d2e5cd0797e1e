package store

import (
	"bytes"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

	"mxaudit/model"
)

// writeLog appends n release records to a new log and returns its path
// and lines.
func writeLog(t *testing.T, n int) (string, [][]byte) {
	t.Helper()
	path := filepath.Join(t.TempDir(), "state", "audit.jsonl")
	l, err := OpenAuditLog(path)
	if err != nil {
		t.Fatal(err)
	}
	for i := range n {
		e := model.NewAuditEntry(model.ActionRelease, tanaka, testNow.Add(time.Duration(i)*time.Second))
		e.Source = "/var/quarantine"
		e.MessageID = model.MessageID(fmt.Sprintf("cur/%d", i))
		e.HeaderMessageID = fmt.Sprintf("<m%d@example.com>", i)
		e.Recipients = []string{"buyer@example.jp"}
		e.SetOutcome(nil)
		got, err := l.Append(e)
		if err != nil {
			t.Fatal(err)
		}
		if got.Seq != i+1 {
			t.Fatalf("record %d got seq %d", i, got.Seq)
		}
	}
	data, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	return path, bytes.SplitAfter(data, []byte("\n"))[:n]
}

func TestVerifyIntact(t *testing.T) {
	path, lines := writeLog(t, 5)
	r, err := VerifyAuditLog(path)
	if err != nil || !r.OK() || r.Records != 5 || r.Head.Seq != 5 {
		t.Fatalf("VerifyAuditLog = %+v, %v", r, err)
	}
	last, _ := parseRecord(bytes.TrimSuffix(lines[4], []byte("\n")))
	if r.Head.Hash != last.Hash {
		t.Errorf("head hash %s, last record %s", r.Head.Hash, last.Hash)
	}
	entries, err := ReadAuditLog(path)
	if err != nil || len(entries) != 5 || entries[2].HeaderMessageID != "<m2@example.com>" {
		t.Errorf("ReadAuditLog = %d entries, %v", len(entries), err)
	}
	empty := filepath.Join(t.TempDir(), "empty.jsonl")
	os.WriteFile(empty, nil, 0o600)
	if r, err := VerifyAuditLog(empty); err != nil || !r.OK() || r.Records != 0 {
		t.Errorf("empty log: %+v, %v", r, err)
	}
}

// TestVerifyCatchesTampering edits a five-record log in every way the
// chain must reveal and checks the first broken line is named.
func TestVerifyCatchesTampering(t *testing.T) {
	forged := func(lines [][]byte) []byte {
		// A well-formed record with a correct hash of its own, chained to
		// nothing real: what someone without the log's history can write.
		e := model.NewAuditEntry(model.ActionRelease, sato, testNow)
		e.SetOutcome(nil)
		prev, _ := parseRecord(bytes.TrimSuffix(lines[1], []byte("\n")))
		fake := *prev
		fake.Hash = strings.Repeat("0", 64)
		line, _ := e.Chain(&fake)
		return append(line, '\n')
	}
	tests := []struct {
		name     string
		tamper   func(lines [][]byte) [][]byte
		wantLine int
		want     string
	}{
		{"edited field", func(l [][]byte) [][]byte {
			l[2] = bytes.Replace(l[2], []byte(`"outcome":"ok"`), []byte(`"outcome":"OK"`), 1)
			return l
		}, 3, "does not match its hash"},
		{"edited whitespace", func(l [][]byte) [][]byte {
			l[2] = bytes.Replace(l[2], []byte(`,"action"`), []byte(`, "action"`), 1)
			return l
		}, 3, "not in the form mxaudit writes"},
		{"edited with recomputed hash", func(l [][]byte) [][]byte {
			e, _ := parseRecord(bytes.TrimSuffix(l[2], []byte("\n")))
			e.Recipients = []string{"attacker@evil.test"}
			e.Hash = ""
			h, _ := e.ComputeHash()
			e.Hash = h
			b, _ := e.Encode()
			l[2] = append(b, '\n')
			return l
		}, 4, "does not chain"},
		{"deleted record", func(l [][]byte) [][]byte { return append(l[:2:2], l[3:]...) }, 3, "record seq 3 is missing"},
		{"deleted two records", func(l [][]byte) [][]byte { return append(l[:1:1], l[3:]...) }, 2, "seq 2 to 3 are missing"},
		{"reordered records", func(l [][]byte) [][]byte { l[2], l[3] = l[3], l[2]; return l }, 3, "missing"},
		{"duplicated record", func(l [][]byte) [][]byte { return append(l[:3:3], l[2:]...) }, 4, "comes after seq 3"},
		{"inserted record", func(l [][]byte) [][]byte {
			return append(append(l[:2:2], forged(l)), l[2:]...)
		}, 3, "does not chain"},
		{"truncated record", func(l [][]byte) [][]byte { l[4] = l[4][:len(l[4])/2]; return l }, 5, "truncated"},
		{"newline dropped", func(l [][]byte) [][]byte { l[4] = bytes.TrimSuffix(l[4], []byte("\n")); return l }, 5, "truncated"},
		{"garbage line", func(l [][]byte) [][]byte { l[1] = []byte("hello\n"); return l }, 2, "not a valid record"},
		{"unknown field", func(l [][]byte) [][]byte {
			l[1] = bytes.Replace(l[1], []byte(`{"seq"`), []byte(`{"x":1,"seq"`), 1)
			return l
		}, 2, "not a valid record"},
		{"empty line", func(l [][]byte) [][]byte { return append(append(l[:2:2], []byte("\n")), l[2:]...) }, 3, "empty line"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			path, lines := writeLog(t, 5)
			if err := os.WriteFile(path, bytes.Join(tt.tamper(lines), nil), 0o600); err != nil {
				t.Fatal(err)
			}
			r, err := VerifyAuditLog(path)
			if err != nil {
				t.Fatal(err)
			}
			if r.OK() || r.Line != tt.wantLine || !strings.Contains(r.Problem, tt.want) {
				t.Errorf("VerifyAuditLog = line %d %q, want line %d %q", r.Line, r.Problem, tt.wantLine, tt.want)
			}
		})
	}
}

func TestVerifyAnchor(t *testing.T) {
	path, lines := writeLog(t, 5)
	r, _ := VerifyAuditLog(path)
	anchor := r.Head
	parsed, err := ParseAnchor(anchor.String())
	if err != nil || parsed != anchor {
		t.Fatalf("ParseAnchor(%s) = %v, %v", anchor, parsed, err)
	}
	if r, _ := VerifyAuditLog(path, anchor); !r.OK() {
		t.Errorf("anchor of an intact log: %s", r.Problem)
	}
	// Cut the last record off cleanly: the chain alone cannot tell.
	os.WriteFile(path, bytes.Join(lines[:4], nil), 0o600)
	if r, _ := VerifyAuditLog(path); !r.OK() {
		t.Fatalf("tail cut without anchor: %s", r.Problem)
	}
	if r, _ := VerifyAuditLog(path, anchor); r.OK() || !strings.Contains(r.Problem, "cut off the end") {
		t.Errorf("tail cut with anchor: %+v", r)
	}
	wrong := Anchor{Seq: 2, Hash: strings.Repeat("a", 64)}
	if r, _ := VerifyAuditLog(path, wrong); r.OK() || r.Line != 2 || !strings.Contains(r.Problem, "rewritten") {
		t.Errorf("wrong anchor: %+v", r)
	}
	for _, bad := range []string{"", "5", "x:" + anchor.Hash, "5:abc"} {
		if _, err := ParseAnchor(bad); err == nil {
			t.Errorf("ParseAnchor(%q) accepted", bad)
		}
	}
}

func TestAppendRefusesDamagedTail(t *testing.T) {
	path, lines := writeLog(t, 3)
	l, err := OpenAuditLog(path)
	if err != nil {
		t.Fatal(err)
	}
	e := model.NewAuditEntry(model.ActionDelete, tanaka, testNow)
	e.SetOutcome(nil)
	for name, content := range map[string][]byte{
		"torn":   bytes.Join(lines, nil)[:len(bytes.Join(lines, nil))-10],
		"edited": bytes.Join(append(lines[:2:2], bytes.Replace(lines[2], []byte(`"ok"`), []byte(`"no"`), 1)), nil),
	} {
		os.WriteFile(path, content, 0o600)
		if _, err := l.Append(e); err == nil || !strings.Contains(err.Error(), "audit verify") {
			t.Errorf("%s tail: Append = %v, want a refusal", name, err)
		}
		if got, _ := os.ReadFile(path); !bytes.Equal(got, content) {
			t.Errorf("%s tail: the log was written to", name)
		}
	}
}

func TestAppendLongRecordAndGoroutines(t *testing.T) {
	path := filepath.Join(t.TempDir(), "audit.jsonl")
	l, err := OpenAuditLog(path)
	if err != nil {
		t.Fatal(err)
	}
	// A record longer than the tail reader's first chunk.
	big := model.NewAuditEntry(model.ActionRelease, tanaka, testNow)
	for i := range 5000 {
		big.Recipients = append(big.Recipients, fmt.Sprintf("user%d@example.com", i))
	}
	big.SetOutcome(nil)
	if _, err := l.Append(big); err != nil {
		t.Fatal(err)
	}
	var wg sync.WaitGroup
	for g := range 4 {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for i := range 25 {
				e := model.NewAuditEntry(model.ActionDelete, tanaka, time.Time{})
				e.Detail = fmt.Sprintf("goroutine %d record %d", g, i)
				e.SetOutcome(nil)
				if _, err := l.Append(e); err != nil {
					t.Error(err)
					return
				}
			}
		}()
	}
	wg.Wait()
	if r, err := VerifyAuditLog(path); err != nil || !r.OK() || r.Records != 101 {
		t.Errorf("VerifyAuditLog = %+v, %v", r, err)
	}
}

// childEnv tells the test binary, re-executed, to act as an appending
// process instead of running tests.
const childEnv = "MXAUDIT_AUDIT_APPEND_CHILD"

// TestMain lets TestAppendTwoProcesses re-execute this test binary as a
// second (and third) process that appends to the same log.
func TestMain(m *testing.M) {
	if spec := os.Getenv(childEnv); spec != "" {
		os.Exit(appendChild(spec))
	}
	if spec := os.Getenv(teamChildEnv); spec != "" {
		os.Exit(teamChild(spec))
	}
	if spec := os.Getenv(approveChildEnv); spec != "" {
		os.Exit(approveChild(spec))
	}
	os.Exit(m.Run())
}

// appendChild appends N records to PATH, for spec "N:NAME:PATH".
func appendChild(spec string) int {
	parts := strings.SplitN(spec, ":", 3)
	n, _ := strconv.Atoi(parts[0])
	l, err := OpenAuditLog(parts[2])
	if err != nil {
		fmt.Fprintln(os.Stderr, err)
		return 1
	}
	for i := range n {
		e := model.NewAuditEntry(model.ActionRelease, model.Operator{User: parts[1]}, time.Now())
		e.MessageID = model.MessageID(fmt.Sprintf("%s/%d", parts[1], i))
		e.SetOutcome(nil)
		if _, err := l.Append(e); err != nil {
			fmt.Fprintln(os.Stderr, err)
			return 1
		}
	}
	return 0
}

func TestAppendTwoProcesses(t *testing.T) {
	if testing.Short() {
		t.Skip("spawns processes")
	}
	path := filepath.Join(t.TempDir(), "audit.jsonl")
	const perProcess = 200
	var wg sync.WaitGroup
	outputs := make([][]byte, 2)
	errs := make([]error, 2)
	for i, name := range []string{"alpha", "beta"} {
		cmd := exec.Command(os.Args[0], "-test.run=^$")
		cmd.Env = append(os.Environ(), fmt.Sprintf("%s=%d:%s:%s", childEnv, perProcess, name, path))
		wg.Add(1)
		go func() {
			defer wg.Done()
			outputs[i], errs[i] = cmd.CombinedOutput()
		}()
	}
	wg.Wait()
	for i := range errs {
		if errs[i] != nil {
			t.Fatalf("child %d: %v\n%s", i, errs[i], outputs[i])
		}
	}
	r, err := VerifyAuditLog(path)
	if err != nil || !r.OK() {
		t.Fatalf("VerifyAuditLog = %+v, %v", r, err)
	}
	if r.Records != 2*perProcess {
		t.Errorf("%d records, want %d", r.Records, 2*perProcess)
	}
	entries, _ := ReadAuditLog(path)
	seen := map[string]int{}
	interleaved := false
	for i, e := range entries {
		seen[e.Operator]++
		if i > 0 && entries[i-1].Operator != e.Operator {
			interleaved = true
		}
	}
	if seen["alpha"] != perProcess || seen["beta"] != perProcess {
		t.Errorf("records per process: %v", seen)
	}
	t.Logf("interleaved: %v", interleaved)
}
