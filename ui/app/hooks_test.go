package app

import (
	"context"
	"encoding/json"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"mxaudit/model"
	"mxaudit/model/store"
)

// script writes an executable shell script into dir and returns its path.
func script(t *testing.T, dir, name, body string) string {
	t.Helper()
	p := filepath.Join(dir, name)
	if err := os.WriteFile(p, []byte("#!/bin/sh\n"+body), 0o700); err != nil {
		t.Fatal(err)
	}
	return p
}

// TestRunHooks runs real child processes after a release: one that
// keeps its stdin and $MXAUDIT_ACTION, one that fails, one that hangs
// past the timeout, and one that does not exist. Every command runs,
// the failures are reported and audited, and nothing waits for the
// hanging one longer than the timeout and the pipe grace.
func TestRunHooks(t *testing.T) {
	dir := t.TempDir()
	keep := script(t, dir, "keep.sh", `cat > "$1/stdin"; printf %s "$MXAUDIT_ACTION" > "$1/action"`+"\n")
	fail := script(t, dir, "fail.sh", "echo 'ticket system down' >&2; exit 3\n")
	hang := script(t, dir, "hang.sh", "sleep 30\n")
	desk := NewDeskIn(dir, func(string) string { return "" }, "sato")
	desk.Config.Hooks = HooksConfig{
		Timeout: Duration{300 * time.Millisecond},
		Release: [][]string{{keep, dir}, {fail}, {hang}, {filepath.Join(dir, "missing")}, {keep, dir}},
	}
	var warnings []string
	ev := HookEvent{Event: EventRelease, Source: "/var/quarantine", MessageID: "cur/1", HeaderMessageID: "<a@b>",
		From: "taro@partner.example.co.jp", Subject: "見積書"}
	start := time.Now()
	res := desk.RunHooks(context.Background(), ev, []byte("raw message\r\n"), func(s string) { warnings = append(warnings, s) })
	if d := time.Since(start); d > 5*time.Second {
		t.Errorf("hooks took %s", d)
	}
	tests := []struct {
		argv0, err string
	}{
		{keep, ""},
		{fail, "exit status 3: ticket system down"},
		{hang, "timed out after 300ms"},
		{filepath.Join(dir, "missing"), "no such file"},
		{keep, ""},
	}
	if len(res) != len(tests) {
		t.Fatalf("%d results", len(res))
	}
	for i, tt := range tests {
		r := res[i]
		switch {
		case r.Argv[0] != tt.argv0:
			t.Errorf("%d: ran %v", i, r.Argv)
		case tt.err == "" && r.Err != nil:
			t.Errorf("%d: %v", i, r.Err)
		case tt.err != "" && (r.Err == nil || !strings.Contains(r.Err.Error(), tt.err)):
			t.Errorf("%d: error %v, want %q", i, r.Err, tt.err)
		}
	}
	if got, _ := os.ReadFile(filepath.Join(dir, "stdin")); string(got) != "raw message\r\n" {
		t.Errorf("stdin %q", got)
	}
	raw, _ := os.ReadFile(filepath.Join(dir, "action"))
	var got HookEvent
	if err := json.Unmarshal(raw, &got); err != nil {
		t.Fatalf("%v: %s", err, raw)
	}
	if got.Event != EventRelease || got.MessageID != "cur/1" || got.Subject != "見積書" || got.Operator != "sato" || !got.Stdin {
		t.Errorf("action %+v", got)
	}
	if len(warnings) != 3 {
		t.Errorf("warnings %q", warnings)
	}
	entries, err := store.ReadAuditLog(desk.AuditPath)
	if err != nil {
		t.Fatal(err)
	}
	if len(entries) != 3 {
		t.Fatalf("%d audit records, want 3", len(entries))
	}
	for _, e := range entries {
		if e.Action != model.ActionHook || e.Outcome == model.OutcomeOK || e.MessageID != "cur/1" || !strings.HasPrefix(e.Detail, "after release: ") {
			t.Errorf("record %+v", e)
		}
	}
	if rep, err := store.VerifyAuditLog(desk.AuditPath); err != nil || !rep.OK() {
		t.Errorf("audit chain: %+v %v", rep, err)
	}
}

// TestRunHooksNone checks that an event without commands runs nothing
// and that stdin is optional.
func TestRunHooksNone(t *testing.T) {
	dir := t.TempDir()
	keep := script(t, dir, "keep.sh", `test -t 0 || cat > "$1/stdin"; printf %s "$MXAUDIT_ACTION" > "$1/action"`+"\n")
	desk := NewDeskIn(dir, func(string) string { return "" }, "sato")
	desk.Config.Hooks.ExceptionApprove = [][]string{{keep, dir}}
	if desk.HasHooks(EventRelease) || !desk.HasHooks(EventExceptionApprove) {
		t.Error("HasHooks")
	}
	if res := desk.RunHooks(context.Background(), HookEvent{Event: EventDelete}, nil, nil); res != nil {
		t.Errorf("delete ran %v", res)
	}
	e := model.Exception{ID: 4, Scope: model.ScopeDomain, Value: "example.co.jp", Kinds: []model.ExceptionKind{model.KindEncryptedArchive}}
	res := desk.RunHooks(context.Background(), HookEvent{Event: EventExceptionApprove, Exception: HookExceptionOf(e)}, nil, nil)
	if len(res) != 1 || res[0].Err != nil {
		t.Fatalf("results %+v", res)
	}
	raw, _ := os.ReadFile(filepath.Join(dir, "action"))
	if !strings.Contains(string(raw), `"exception":{"id":4,"scope":"domain","value":"example.co.jp"`) || !strings.Contains(string(raw), `"stdin":false`) {
		t.Errorf("action %s", raw)
	}
}

// TestNoticeExpired runs the exception_expire hook once per expired,
// approved exception, however often cron asks.
func TestNoticeExpired(t *testing.T) {
	dir := t.TempDir()
	hook := script(t, dir, "expired.sh", `printf '%s\n' "$MXAUDIT_ACTION" >> "$1/expired"`+"\n")
	desk := NewDeskIn(dir, func(string) string { return "" }, "cron")
	desk.Config.Hooks.ExceptionExpire = [][]string{{hook, dir}}
	now := desk.Now
	p := model.Policy{Approvers: []string{"sato"}, Exceptions: []model.Exception{
		{ID: 1, Scope: model.ScopeDomain, Value: "old.example", RequestedBy: "tanaka", ApprovedBy: "sato", Expires: now.Add(-time.Hour)},
		{ID: 2, Scope: model.ScopeDomain, Value: "pending.example", RequestedBy: "tanaka", Expires: now.Add(-time.Hour)},
		{ID: 3, Scope: model.ScopeDomain, Value: "live.example", RequestedBy: "tanaka", ApprovedBy: "sato", Expires: now.Add(time.Hour)},
	}}
	for run, want := range []int{1, 0} {
		got, err := desk.NoticeExpired(context.Background(), p, nil)
		if err != nil || len(got) != want {
			t.Fatalf("run %d: %d expired (%v), want %d", run, len(got), err, want)
		}
	}
	lines, _ := os.ReadFile(filepath.Join(dir, "expired"))
	if strings.Count(string(lines), "\n") != 1 || !strings.Contains(string(lines), `"value":"old.example"`) {
		t.Errorf("hook ran: %s", lines)
	}
}

// TestChangeRunsApproveHooks approves an exception through Desk.Change,
// as the console and the exception command do, and checks that the
// exception_approve hook ran once, for the approval only.
func TestChangeRunsApproveHooks(t *testing.T) {
	dir := t.TempDir()
	hook := script(t, dir, "approved.sh", `printf '%s\n' "$MXAUDIT_ACTION" >> "$1/approved"`+"\n")
	desk := NewDeskIn(dir, func(string) string { return "" }, "tanaka")
	desk.Policy = store.NewPolicyStore(desk.PolicyPath, desk.AuditPath, []string{"sato"})
	desk.Config.Hooks.ExceptionApprove = [][]string{{hook, dir}}
	now := time.Now().UTC()
	add := model.NewAuditEntry(model.ActionExceptionAdd, model.Operator{User: "tanaka"}, now)
	if _, err := desk.Change(&add, func(p *model.Policy) error {
		_, err := p.Add(model.ExceptionRequest{Scope: model.ScopeDomain, Value: "partner.example.co.jp",
			Kinds: []model.ExceptionKind{model.KindEncryptedArchive}, Reason: "portal in March"}, model.Operator{User: "tanaka"}, now)
		return err
	}); err != nil {
		t.Fatal(err)
	}
	approve := model.NewAuditEntry(model.ActionExceptionApprove, model.Operator{User: "sato"}, now)
	approve.ExceptionID = 1
	if _, err := desk.Change(&approve, func(p *model.Policy) error {
		_, err := p.Approve(1, model.Operator{User: "sato"}, now)
		return err
	}); err != nil {
		t.Fatal(err)
	}
	lines, _ := os.ReadFile(filepath.Join(dir, "approved"))
	if strings.Count(string(lines), "\n") != 1 || !strings.Contains(string(lines), `"approved_by":"sato"`) {
		t.Errorf("hook ran: %s", lines)
	}
}
