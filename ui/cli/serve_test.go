package cli

import (
	"bytes"
	"context"
	"io"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"mxaudit/analysis/scan"
	"mxaudit/mailsrc/demo"
	"mxaudit/model"
	"mxaudit/ui/app"
)

// TestServeCommand: "mxaudit serve" parses its flags over the [serve]
// table, opens the source and the desk, and hands a started hub to the
// server main injected, with the files its commands must use.
func TestServeCommand(t *testing.T) {
	dir := t.TempDir()
	q := filepath.Join(dir, "q")
	if err := demo.WriteMaildir(q, demo.Samples(demo.Options{})[:3]); err != nil {
		t.Fatal(err)
	}
	cfgPath := filepath.Join(dir, "config.toml")
	if err := os.WriteFile(cfgPath, []byte(`offline = true
policy_file = "`+filepath.Join(dir, "policy.toml")+`"
audit_log = "`+filepath.Join(dir, "audit.jsonl")+`"
viewers = ["carol"]
[serve]
listen = "127.0.0.1:2300"
authorized_keys = "/etc/keys"
idle_timeout = "5m"
`), 0o600); err != nil {
		t.Fatal(err)
	}
	tests := []struct {
		name  string
		args  []string
		serve bool
		code  int
		check func(t *testing.T, st app.ServeConfig, hub *app.Hub)
	}{
		{"config only", []string{"--config", cfgPath, q}, true, ExitOK, func(t *testing.T, st app.ServeConfig, hub *app.Hub) {
			if st.Listen != "127.0.0.1:2300" || st.AuthorizedKeys != "/etc/keys" || st.IdleTimeout.Duration != 5*time.Minute {
				t.Errorf("settings %+v", st)
			}
			if st.Source != q || st.Config != cfgPath || st.AuditLog != filepath.Join(dir, "audit.jsonl") {
				t.Errorf("served files %+v", st)
			}
			if st.HostKey != filepath.Join(dir, "state", "mxaudit", "ssh_host_ed25519_key") {
				t.Errorf("host key %q", st.HostKey)
			}
			if err := hub.Wait(context.Background()); err != nil || hub.Len() != 3 {
				t.Errorf("hub: %d messages, %v", hub.Len(), err)
			}
			if !app.RolesOf(hub.App().Config()).IsViewer("Carol") {
				t.Error("carol is not a viewer")
			}
		}},
		{"flags win", []string{"--config", cfgPath, "--listen", ":2444", "--authorized-keys", "/k", "--host-key", "/h", "--max-sessions", "3", q}, true, ExitOK,
			func(t *testing.T, st app.ServeConfig, _ *app.Hub) {
				if st.Listen != ":2444" || st.AuthorizedKeys != "/k" || st.HostKey != "/h" || st.MaxSessions != 3 {
					t.Errorf("settings %+v", st)
				}
			}},
		{"no server", []string{"--config", cfgPath, q}, false, ExitFailed, nil},
		{"no source", []string{"--config", cfgPath}, true, ExitUsage, nil},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			var stderr bytes.Buffer
			env := Env{Stdout: io.Discard, Stderr: &stderr, Getenv: func(k string) string {
				if k == "XDG_STATE_HOME" {
					return filepath.Join(dir, "state")
				}
				return os.Getenv(k)
			}}
			called := false
			if tt.serve {
				env.Serve = func(_ context.Context, hub *app.Hub, st app.ServeConfig, _ io.Writer) error {
					called = true
					if tt.check != nil {
						tt.check(t, st, hub)
					}
					return nil
				}
			}
			if code := Main(context.Background(), append([]string{"serve"}, tt.args...), env); code != tt.code {
				t.Fatalf("exit %d, want %d: %s", code, tt.code, stderr.String())
			}
			if called != (tt.code == ExitOK) {
				t.Errorf("server called: %v", called)
			}
		})
	}
}

// TestOperatorFromServe: a command run over "mxaudit serve" acts as the
// key's operator, and its policy change is reported.
func TestOperatorFromServe(t *testing.T) {
	dir := t.TempDir()
	op := model.Operator{User: "alice", Key: "SHA256:k", SSHClient: "192.0.2.9"}
	var changed []model.AuditEntry
	var out bytes.Buffer
	env := Env{Stdout: &out, Stderr: &out, Getenv: func(string) string { return "" }, Operator: &op,
		PolicyChanged: func(e model.AuditEntry, _ model.Policy) { changed = append(changed, e) }}
	args := []string{"exception", "add", "--policy", filepath.Join(dir, "p.toml"), "--audit-log", filepath.Join(dir, "a.jsonl"),
		"--config", filepath.Join(dir, "none.toml"), "--domain", "example.com", "--kind", "dmarc-fail", "--reason", "r"}
	if err := os.WriteFile(filepath.Join(dir, "none.toml"), nil, 0o600); err != nil {
		t.Fatal(err)
	}
	if code := Main(context.Background(), args, env); code != ExitOK {
		t.Fatalf("exit %d: %s", code, out.String())
	}
	if len(changed) != 1 || changed[0].Operator != "alice" || changed[0].Key != "SHA256:k" || changed[0].SSHClient != "192.0.2.9" {
		t.Fatalf("reported %+v", changed)
	}
	if !strings.Contains(out.String(), "requested") {
		t.Errorf("output %q", out.String())
	}
}

// fakeListing is a shared scan of two messages.
type fakeListing struct{}

func (fakeListing) Scan(_ context.Context, emit func(model.Message) error, _ func(scan.Progress)) error {
	for _, id := range []model.MessageID{"one", "two"} {
		if err := emit(model.Message{ID: id, Subject: "s " + string(id)}); err != nil {
			return err
		}
	}
	return nil
}

func (fakeListing) Name() string { return "shared" }

// TestListingOverServe: scan and stats over "mxaudit serve" read the
// server's shared scan and never open SOURCE themselves.
func TestListingOverServe(t *testing.T) {
	tests := []struct {
		args []string
		want string
	}{
		{[]string{"scan", "--json", "/nonexistent"}, `"id":"two"`},
		{[]string{"stats", "--json", "/nonexistent"}, `"messages": 2`},
	}
	for _, tt := range tests {
		var out bytes.Buffer
		env := Env{Stdout: &out, Stderr: &out, Getenv: func(string) string { return "" }, Listing: fakeListing{}}
		if code := Main(context.Background(), tt.args, env); code != ExitOK || !strings.Contains(out.String(), tt.want) {
			t.Errorf("%q: exit %d, output %q; want %q", tt.args, code, out.String(), tt.want)
		}
	}
}
