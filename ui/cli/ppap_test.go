package cli

import (
	"bufio"
	"bytes"
	"context"
	"encoding/json"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"mxaudit/analysis/clamd/clamdtest"
	"mxaudit/mailsrc/demo"
	"mxaudit/model"
	"mxaudit/ui/app"
)

// scanDemoJSON writes the demo quarantine as a Maildir, runs "scan --json"
// on it with cfg and returns each message's JSON line and decoded record.
func scanDemoJSON(t *testing.T, cfg Config) ([]demo.Sample, map[string][]byte, map[string]model.Message) {
	t.Helper()
	samples := demo.Samples(demo.Options{})
	dir := filepath.Join(t.TempDir(), "quarantine")
	if err := demo.WriteMaildir(dir, samples); err != nil {
		t.Fatal(err)
	}
	var stdout, stderr bytes.Buffer
	env := Env{Stdout: &stdout, Stderr: &stderr}
	cfg.Offline, cfg.CacheDir = true, t.TempDir()
	a, err := openApp(context.Background(), dir, cfg, env, nil)
	if err != nil {
		t.Fatal(err)
	}
	defer a.Close()
	if err := scanTo(context.Background(), a, formatJSON, env, nil); err != nil {
		t.Fatalf("scan: %v\n%s", err, stderr.String())
	}
	lines := map[string][]byte{}
	msgs := map[string]model.Message{}
	sc := bufio.NewScanner(&stdout)
	sc.Buffer(nil, 16<<20)
	for sc.Scan() {
		var m model.Message
		if err := json.Unmarshal(sc.Bytes(), &m); err != nil {
			t.Fatalf("bad JSON line: %v", err)
		}
		lines[string(m.ID)] = bytes.Clone(sc.Bytes())
		msgs[string(m.ID)] = m
	}
	if len(msgs) != len(samples) {
		t.Fatalf("%d records for %d samples", len(msgs), len(samples))
	}
	return samples, lines, msgs
}

// TestScanPairsPPAP checks "mxaudit scan --json" on the demo quarantine:
// every ZIP mail whose right password was sent is opened with the
// password from that very mail, the password mail names it, nothing else
// is paired, and no password is printed.
func TestScanPairsPPAP(t *testing.T) {
	samples, lines, msgs := scanDemoJSON(t, Config{})
	pairs := 0
	for _, s := range samples {
		m := msgs[s.Name]
		for _, l := range m.PasswordFor {
			if string(l.Message) != s.Want.PasswordFor {
				t.Errorf("%s marked as the password mail of %s", s.Name, l.Message)
			}
		}
		if s.Want.Password == "" {
			continue
		}
		if bytes.Contains(lines[s.Name], []byte(s.Want.Password)) {
			t.Errorf("%s: its password is in the JSON output", s.Name)
		}
		if !bytes.Contains(lines[s.Name], []byte(`"decrypted":`)) {
			t.Errorf("%s: no decrypted field", s.Name)
		}
		arc := m.Attachments[0].Archive
		if s.Want.PasswordMail == "" {
			if arc.Decrypted || m.Verdict.Attachment != model.AttachmentEncrypted {
				t.Errorf("%s: opened (%v) or not encrypted (%s) without a right password mail", s.Name, arc.Decrypted, m.Verdict.Attachment)
			}
			continue
		}
		pairs++
		if !arc.Decrypted || string(arc.PasswordSource) != s.Want.PasswordMail {
			t.Errorf("%s: decrypted %v, password_source %q, want %q", s.Name, arc.Decrypted, arc.PasswordSource, s.Want.PasswordMail)
		}
		if arc.Scan != nil {
			t.Errorf("%s: scan result without clamd: %+v", s.Name, arc.Scan)
		}
	}
	if pairs < 12 {
		t.Errorf("only %d pairs in the demo", pairs)
	}
}

// TestScanWithClamd runs the same scan with a real clamd configured by
// clamd_socket: every decrypted archive carries clamd's verdict.
func TestScanWithClamd(t *testing.T) {
	srv := clamdtest.Start(t)
	samples, _, msgs := scanDemoJSON(t, Config{ClamdSocket: srv.Socket, PPAPWindow: app.Duration{Duration: 2 * time.Hour}})
	scanned := 0
	for _, s := range samples {
		if s.Want.PasswordMail == "" {
			continue
		}
		arc := msgs[s.Name].Attachments[0].Archive
		if arc.Scan == nil || arc.Scan.Engine != "clamd" || arc.Scan.Result != model.ScanClean {
			t.Errorf("%s: scan %+v, want clean by clamd", s.Name, arc.Scan)
			continue
		}
		scanned++
		if r := msgs[s.Name].Verdict.Reasons[0]; !strings.Contains(r, "password found in "+s.Want.PasswordMail) {
			t.Errorf("%s: first reason %q", s.Name, r)
		}
	}
	if scanned == 0 {
		t.Error("nothing scanned")
	}
}
