package cli

import (
	"archive/zip"
	"bytes"
	"context"
	"encoding/base64"
	"encoding/json"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/charmbracelet/x/exp/golden"

	"mxaudit/analysis/auth/authtest"
	"mxaudit/analysis/dnszone"
	"mxaudit/model"
	"mxaudit/ui/termtext"
)

// runSubcommand runs one of the commands of this package the way Main
// would, with a private configuration directory.
func runSubcommand(t *testing.T, run func(context.Context, []string, Env) int, args ...string) (int, string, string) {
	t.Helper()
	t.Setenv("XDG_CONFIG_HOME", t.TempDir())
	var out, errOut bytes.Buffer
	code := run(context.Background(), args, Env{Stdout: &out, Stderr: &errOut, Getenv: func(string) string { return "" }})
	return code, out.String(), errOut.String()
}

// zipFile builds a one-entry ZIP; encrypted only sets the flag, which is
// what the analyser reads.
func zipFile(t *testing.T, encrypted bool) []byte {
	t.Helper()
	var b bytes.Buffer
	w := zip.NewWriter(&b)
	fh := &zip.FileHeader{Name: "doc.txt", Method: zip.Store}
	if encrypted {
		fh.Flags |= 0x1
	}
	f, err := w.CreateHeader(fh)
	if err != nil {
		t.Fatal(err)
	}
	f.Write([]byte("hello world"))
	if err := w.Close(); err != nil {
		t.Fatal(err)
	}
	return b.Bytes()
}

// statsMail is one message of the hand-counted set.
type statsMail struct {
	name, from, date, authResults string
	file                          string
	data                          []byte
}

func writeMails(t *testing.T, dir string, mails []statsMail) {
	t.Helper()
	for _, m := range mails {
		var b strings.Builder
		fmt.Fprintf(&b, "From: %s\r\nTo: q@quarantine.test\r\nSubject: %s\r\nDate: %s\r\nMessage-ID: <%s@test>\r\nMIME-Version: 1.0\r\n", m.from, m.name, m.date, m.name)
		if m.authResults != "" {
			// As the gateway writes them: its Authentication-Results above
			// its Received (fields below the entry hop came with the mail).
			fmt.Fprintf(&b, "Authentication-Results: mx.test; %s\r\n", m.authResults)
			b.WriteString("Received: from out.sender.test (out.sender.test [192.0.2.10]) by mx.test (Postfix) id 1; Sun, 1 Mar 2026 09:00:00 +0000\r\n")
		}
		if m.file == "" {
			b.WriteString("Content-Type: text/plain\r\n\r\nhello\r\n")
		} else {
			fmt.Fprintf(&b, "Content-Type: multipart/mixed; boundary=b\r\n\r\n--b\r\nContent-Type: text/plain\r\n\r\nhello\r\n"+
				"--b\r\nContent-Type: application/octet-stream\r\nContent-Disposition: attachment; filename=%s\r\n"+
				"Content-Transfer-Encoding: base64\r\n\r\n%s\r\n--b--\r\n", m.file, base64.StdEncoding.EncodeToString(m.data))
		}
		if err := os.WriteFile(filepath.Join(dir, m.name+".eml"), []byte(b.String()), 0o600); err != nil {
			t.Fatal(err)
		}
	}
}

// TestStatsJSON checks "stats --json" against a hand-counted set of four
// messages, with the DMARC policies served by the loopback DNS server:
//
//	m1 good.example   1 Mar  spf pass, dkim pass, dmarc pass   p=reject     -> disposition none
//	m2 spoof.example  1 Mar  spf fail, dkim fail, dmarc fail   p=quarantine -> quarantine; encrypted ZIP
//	m3 spoof.example  3 Mar  spf softfail, unsigned, dmarc fail             -> quarantine; .exe (risky)
//	m4 plain.example  3 Mar  no results at all                 no policy    -> plain ZIP, clean
//
// DKIM is verified live: no message carries a DKIM-Signature, so all four
// are "none" whatever Authentication-Results says; m4 has no SPF result.
func TestStatsJSON(t *testing.T) {
	dir := t.TempDir()
	exe := append([]byte("MZ\x90\x00"), make([]byte, 60)...)
	writeMails(t, dir, []statsMail{
		{"m1", "a@good.example", "Sun, 1 Mar 2026 10:00:00 +0000", "spf=pass smtp.mailfrom=a@good.example; dkim=pass header.d=good.example; dmarc=pass header.from=good.example", "", nil},
		{"m2", "a@spoof.example", "Sun, 1 Mar 2026 11:00:00 +0000", "spf=fail smtp.mailfrom=a@spoof.example; dkim=fail header.d=spoof.example; dmarc=fail header.from=spoof.example", "a.zip", zipFile(t, true)},
		{"m3", "b@spoof.example", "Tue, 3 Mar 2026 11:00:00 +0000", "spf=softfail smtp.mailfrom=b@spoof.example; dmarc=fail header.from=spoof.example", "invoice.exe", exe},
		{"m4", "c@plain.example", "Tue, 3 Mar 2026 12:00:00 +0000", "", "b.zip", zipFile(t, false)},
	})
	srv := authtest.StartDNS(t, dnszone.Zone{
		{Name: "_dmarc.good.example", Type: "TXT", Value: "v=DMARC1; p=reject"},
		{Name: "_dmarc.spoof.example", Type: "TXT", Value: "v=DMARC1; p=quarantine"},
	})
	code, out, errOut := runSubcommand(t, runStats, "--json", "--trusted-hosts", "mx.test", "--dns", srv.Addr(), "--dns-timeout", "500ms", dir)
	if code != ExitOK {
		t.Fatalf("exit %d: %s", code, errOut)
	}
	var st model.Stats
	if err := json.Unmarshal([]byte(out), &st); err != nil {
		t.Fatalf("%v\n%s", err, out)
	}
	day := func(d int) time.Time { return time.Date(2026, 3, d, 0, 0, 0, 0, time.UTC) }
	want := model.Stats{
		Messages:     4,
		SPF:          model.ResultCounts{Pass: 1, Fail: 1, SoftFail: 1, Unchecked: 1},
		DKIM:         model.ResultCounts{None: 4},
		DMARC:        model.ResultCounts{Pass: 1, Fail: 2, None: 1},
		Dispositions: model.DispositionCounts{None: 1, Quarantine: 2, NoPolicy: 1},
		Encrypted:    1, Risky: 1,
		Series: model.Series{Unit: "day", Points: []model.Point{
			{Start: day(1), Messages: 2, Encrypted: 1}, {Start: day(2)}, {Start: day(3), Messages: 2, Risky: 1},
		}},
		FailingDomains: []model.DomainCount{{Domain: "spoof.example", Messages: 2}},
	}
	got, _ := json.Marshal(st)
	wantJSON, _ := json.Marshal(want)
	if !bytes.Equal(got, wantJSON) {
		t.Errorf("stats:\n got %s\nwant %s", got, wantJSON)
	}

	code, out, _ = runSubcommand(t, runStats, "--json", "--dmarc-fail", "--trusted-hosts", "mx.test", "--dns", srv.Addr(), dir)
	if code != ExitOK || !strings.Contains(out, `"messages": 2,`) {
		t.Errorf("--dmarc-fail: exit %d\n%s", code, out)
	}
	if code, _, _ := runSubcommand(t, runStats, "--offline"); code != ExitUsage {
		t.Errorf("no source: exit %d, want %d", code, ExitUsage)
	}
}

// chartStats is a fixed Stats for the chart golden files.
func chartStats() model.Stats {
	day := func(d int) time.Time { return time.Date(2026, 3, d, 0, 0, 0, 0, time.UTC) }
	var pts []model.Point
	for d := 1; d <= 14; d++ {
		pts = append(pts, model.Point{Start: day(d), Messages: 40 + d*3, Encrypted: d % 5, Risky: d % 3, PPAPPairs: d % 4 / 3})
	}
	return model.Stats{
		Messages:     1234,
		SPF:          model.ResultCounts{Pass: 900, Fail: 200, SoftFail: 100, Neutral: 4, None: 28, TempError: 2},
		DKIM:         model.ResultCounts{Pass: 800, Fail: 34, None: 400},
		DMARC:        model.ResultCounts{Pass: 850, Fail: 300, None: 84},
		Dispositions: model.DispositionCounts{None: 934, Quarantine: 200, Reject: 16, NoPolicy: 84},
		Encrypted:    28, Risky: 14, PPAPPairs: 3, Undated: 2,
		Series:         model.Series{Unit: "day", Points: pts},
		FailingDomains: []model.DomainCount{{Domain: "spoof.example", Messages: 120}, {Domain: "very-long-subdomain.of.a-rather-long-domain.example", Messages: 60}, {Domain: "\x1b[31mred.example", Messages: 7}, {Domain: "日本語.example", Messages: 3}},
	}
}

func TestStatsChart(t *testing.T) {
	for _, width := range []int{80, 160} {
		t.Run(fmt.Sprint(width), func(t *testing.T) {
			out := renderStats(chartStats(), "maildir /var/quarantine", model.Filter{}, width)
			for i, line := range strings.Split(strings.TrimSuffix(out, "\n"), "\n") {
				if w := termtext.Width(line); w > width {
					t.Errorf("line %d is %d columns wide: %q", i+1, w, line)
				}
			}
			if strings.Contains(out, "\x1b") {
				t.Error("an escape sequence from a domain reached the output")
			}
			golden.RequireEqual(t, out)
		})
	}
}
