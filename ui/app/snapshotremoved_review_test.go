package app

import (
	"bytes"
	"encoding/base64"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	yzip "github.com/yeka/zip"
)

// TestReviewRemovalThenLateZipAfterPruning (security review): the old
// listing's stream pruned a password mail P from its sender index (more
// than 1,024 entries, P dated more than two windows before the latest
// date); messages without influence are taken out, and a ZIP mail with
// a forged Date just before P's arrives as new mail. The replay resumes
// it from the old tail moved up past the removed messages (Tail.Without),
// which lacks P; pairing the listing as it is now (fewer than 1,024
// entries: no pruning) opens the ZIP with P's password and finds an
// executable: "risky", where the replay prints "encrypted".
func TestReviewRemovalThenLateZipAfterPruning(t *testing.T) {
	dir := filepath.Join(t.TempDir(), "quarantine")
	for _, sub := range []string{"new", "cur", "tmp"} {
		if err := os.MkdirAll(filepath.Join(dir, sub), 0o700); err != nil {
			t.Fatal(err)
		}
	}
	write := func(name, raw string) {
		if err := os.WriteFile(filepath.Join(dir, "cur", name), []byte(raw), 0o600); err != nil {
			t.Fatal(err)
		}
	}
	pDate := time.Date(2026, 1, 1, 0, 0, 0, 0, time.UTC)
	write("1700000000.M1P1.pw", fmt.Sprintf("From: Attacker <attacker@evil.example>\r\nTo: tanaka@sakura.example\r\n"+
		"Subject: 【パスワード通知】見積書\r\nDate: %s\r\nMessage-ID: <pw@evil.example>\r\nMIME-Version: 1.0\r\n"+
		"Content-Type: text/plain; charset=UTF-8\r\nContent-Transfer-Encoding: 8bit\r\n\r\nパスワード：Hold-1234\r\n", pDate.Format(time.RFC1123Z)))
	const chats = 1300
	for i := range chats {
		d := pDate.Add(10*24*time.Hour + time.Duration(i)*time.Second)
		write(fmt.Sprintf("%d.M1P1.chat", 1700000001+i), fmt.Sprintf("From: News <news@unrelated.example>\r\n"+
			"To: tanaka@sakura.example\r\nSubject: お知らせ %d\r\nDate: %s\r\nMessage-ID: <c%d@unrelated.example>\r\n"+
			"MIME-Version: 1.0\r\nContent-Type: text/plain; charset=UTF-8\r\n\r\nお知らせです。\r\n", i, d.Format(time.RFC1123Z), i))
	}
	cfg := Config{}
	cfg.Offline, cfg.CacheDir = true, t.TempDir()
	r := removedScans{t, dir, cfg}
	r.scanned("cold", false)
	if s := snapshotOf(t, dir, cfg); s.Table == "" || s.MarksSum == "" {
		t.Fatalf("the snapshot has no table (%q) or marks (%q)", s.Table, s.MarksSum)
	}

	// 400 chat mails released (none influential: no ZIP mail in the listing).
	for i := 1; i <= 400; i++ {
		if err := os.Remove(filepath.Join(dir, "cur", fmt.Sprintf("%d.M1P1.chat", 1700000001+i))); err != nil {
			t.Fatal(err)
		}
	}
	// New mail: a ZIP mail dated ten minutes before P.
	var zb bytes.Buffer
	zw := yzip.NewWriter(&zb)
	fw, err := zw.Encrypt("invoice.exe", "Hold-1234", yzip.AES256Encryption)
	if err != nil {
		t.Fatal(err)
	}
	fw.Write(append([]byte("MZ\x90\x00"), make([]byte, 512)...))
	zw.Close()
	enc := base64.StdEncoding.EncodeToString(zb.Bytes())
	var lines strings.Builder
	for len(enc) > 76 {
		lines.WriteString(enc[:76] + "\r\n")
		enc = enc[76:]
	}
	lines.WriteString(enc)
	write("1800000000.M1P1.zip", fmt.Sprintf("From: Attacker <attacker@evil.example>\r\nTo: tanaka@sakura.example\r\n"+
		"Subject: 見積書\r\nDate: %s\r\nMessage-ID: <zip@evil.example>\r\nMIME-Version: 1.0\r\n"+
		"Content-Type: multipart/mixed; boundary=\"BOUND\"\r\n\r\n--BOUND\r\nContent-Type: text/plain; charset=UTF-8\r\n\r\n"+
		"別途お送りします\r\n--BOUND\r\nContent-Type: application/zip\r\nContent-Disposition: attachment; filename=\"mitsumori.zip\"\r\n"+
		"Content-Transfer-Encoding: base64\r\n\r\n%s\r\n--BOUND--\r\n", pDate.Add(-10*time.Minute).Format(time.RFC1123Z), lines.String()))

	want := freshSorted(t, dir, cfg)
	got, replayed := scanSorted(t, dir, cfg, Options{})
	verdictOf := func(out []string) string {
		for _, l := range out {
			if strings.Contains(l, "zip@evil.example") {
				for _, v := range []string{`"attachment":"risky"`, `"attachment":"encrypted"`} {
					if strings.Contains(l, v) {
						return v
					}
				}
				return "?"
			}
		}
		return "missing"
	}
	t.Logf("replayed %v; the ZIP mail: replay %s, fresh %s", replayed, verdictOf(got), verdictOf(want))
	again, replayedAgain := scanSorted(t, dir, cfg, Options{})
	t.Logf("the next start: replayed %v; the ZIP mail %s", replayedAgain, verdictOf(again))
	if strings.Join(got, "\n") != strings.Join(want, "\n") {
		t.Fatalf("the scan (replayed %v) printed otherwise than a scan without cache: the ZIP mail %s, want %s",
			replayed, verdictOf(got), verdictOf(want))
	}
}
