package main

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"os"
	"path/filepath"
	"testing"

	"mxaudit/mailsrc/demo"
	"mxaudit/model"
	"mxaudit/ui/app"
	"mxaudit/ui/cli"
	"mxaudit/ui/console"
)

// TestConsoleHonoursScanSettings runs "mxaudit scan --json" and the
// console ("mxaudit SOURCE", with the console main hands in) on the same
// quarantine and the same configuration file, and checks that the
// console's list is fed exactly the verdicts the scan prints — with PPAP
// pairing on, and with no_ppap = true, which the console once ignored.
func TestConsoleHonoursScanSettings(t *testing.T) {
	dir := filepath.Join(t.TempDir(), "quarantine")
	if err := demo.WriteMaildir(dir, demo.Samples(demo.Options{})); err != nil {
		t.Fatal(err)
	}
	for _, noPPAP := range []bool{false, true} {
		t.Run(fmt.Sprintf("no_ppap=%v", noPPAP), func(t *testing.T) {
			home := t.TempDir()
			conf := filepath.Join(home, "config.toml")
			body := fmt.Sprintf("trusted_hosts = [%q]\noffline = true\nno_ppap = %v\ncache_dir = %q\n",
				demo.TrustedMTA, noPPAP, filepath.Join(home, "cache"))
			if err := os.WriteFile(conf, []byte(body), 0o600); err != nil {
				t.Fatal(err)
			}
			env := func(stdout *bytes.Buffer) cli.Env {
				return cli.Env{Stdout: stdout, Stderr: &bytes.Buffer{}, Getenv: func(k string) string {
					return map[string]string{"HOME": home, "XDG_CONFIG_HOME": home, "XDG_STATE_HOME": home}[k]
				}}
			}

			var out bytes.Buffer
			if code := cli.Main(t.Context(), []string{"scan", "--json", "--config", conf, dir}, env(&out)); code != cli.ExitOK {
				t.Fatalf("scan: exit %d", code)
			}
			scanned := verdicts(t, &out)

			shown := map[model.MessageID]string{}
			consoleEnv := env(&bytes.Buffer{})
			consoleEnv.IsTerminal = true
			consoleEnv.Console = func(ctx context.Context, ws *app.Workspace, _ bool) error {
				// What the console's list is fed: its Source, built from
				// the workspace as console.RunWorkspace builds it.
				return console.ConfigFor(ws).Source.Scan(ctx, func(m model.Message) error {
					shown[m.ID] = summary(m)
					return nil
				}, nil)
			}
			if code := cli.Main(t.Context(), []string{"--config", conf, dir}, consoleEnv); code != cli.ExitOK {
				t.Fatalf("console: exit %d", code)
			}

			if len(shown) != len(scanned) || len(scanned) == 0 {
				t.Fatalf("console listed %d messages, scan %d", len(shown), len(scanned))
			}
			decrypted := 0
			for id, want := range scanned {
				if shown[id] != want {
					t.Errorf("%s:\n console %s\n scan    %s", id, shown[id], want)
				}
				if bytes.Contains([]byte(want), []byte(`"decrypted":true`)) {
					decrypted++
				}
			}
			if noPPAP && decrypted > 0 {
				t.Errorf("no_ppap: %d messages have a decrypted archive", decrypted)
			}
			if !noPPAP && decrypted == 0 {
				t.Error("PPAP on: no archive was decrypted; the test proves nothing")
			}
		})
	}
}

// verdicts reads JSON Lines and returns each message's summary.
func verdicts(t *testing.T, r *bytes.Buffer) map[model.MessageID]string {
	t.Helper()
	out := map[model.MessageID]string{}
	dec := json.NewDecoder(r)
	for dec.More() {
		var m model.Message
		if err := dec.Decode(&m); err != nil {
			t.Fatal(err)
		}
		out[m.ID] = summary(m)
	}
	return out
}

// summary is what must agree between the two front ends: the verdict,
// the authentication results and what the archive inspection and the
// PPAP pairing found.
func summary(m model.Message) string {
	type archive struct {
		Name      string
		Encrypted bool
		Decrypted bool `json:"decrypted"`
		Source    model.MessageID
	}
	var archives []archive
	for _, a := range m.Attachments {
		if a.Archive != nil {
			archives = append(archives, archive{a.Filename, a.Archive.Encrypted, a.Archive.Decrypted, a.Archive.PasswordSource})
		}
	}
	b, err := json.Marshal(struct {
		Verdict  model.Verdict
		Auth     *model.Auth
		Archives []archive
		Password []model.PasswordLink
	}{m.Verdict, m.Auth, archives, m.PasswordFor})
	if err != nil {
		return err.Error()
	}
	// One more round trip, so that invalid UTF-8 (replaced by U+FFFD in
	// the scan's JSON) reads the same on both sides.
	var v any
	if err := json.Unmarshal(b, &v); err != nil {
		return err.Error()
	}
	b, _ = json.Marshal(v)
	return string(b)
}
