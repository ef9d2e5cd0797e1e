package app

import (
	"fmt"
	"os"
	"path/filepath"
	"regexp"
	"slices"
	"testing"
	"time"

	"mxaudit/mailsrc/demo"
)

// TestRemovedThenLateZipAfterPrune (concurrency/data-safety review): the
// snapshot's stream pruned a late-delivered, old-dated password mail at
// place 1280; thirty news mails are taken out, so the listing as it is
// now ends before that pruning would happen. A ZIP mail from the same
// sender, dated before the password mail, arrives. The replay after the
// removal resumes from the tail moved up (Tail.Without), which lacks the
// password mail; pairing the listing as it is now opens the archive.
func TestRemovedThenLateZipAfterPrune(t *testing.T) { lateZipAfterPrune(t, 30) }

// Control: the late ZIP mail without the removal replays as pairing does.
func TestLateZipAfterPruneNoRemovalControl(t *testing.T) { lateZipAfterPrune(t, 0) }

func lateZipAfterPrune(t *testing.T, removeN int) {
	var zipRaw, pwRaw []byte
	samples := demo.Samples(demo.Options{})
	for _, z := range samples {
		if z.Want.PasswordMail == "" {
			continue
		}
		for _, p := range samples {
			if p.Name == z.Want.PasswordMail || p.Want.PasswordFor == z.Name && p.Want.PasswordCorrect {
				zipRaw, pwRaw = z.Raw, p.Raw
			}
		}
		if zipRaw != nil {
			break
		}
	}
	if zipRaw == nil {
		t.Fatal("no PPAP pair in the demo samples")
	}
	d0 := time.Date(2026, 11, 2, 9, 0, 0, 0, time.UTC)
	dated := func(raw []byte, at time.Time) []byte {
		re := regexp.MustCompile(`(?m)^Date: [^\r\n]*\r\n`)
		if !re.Match(raw) {
			t.Fatal("no Date header")
		}
		return re.ReplaceAll(raw, []byte("Date: "+at.Format(time.RFC1123Z)+"\r\n"))
	}
	dir := filepath.Join(t.TempDir(), "quarantine")
	for _, sub := range []string{"new", "cur", "tmp"} {
		if err := os.MkdirAll(filepath.Join(dir, sub), 0o700); err != nil {
			t.Fatal(err)
		}
	}
	const n, pwAt = 1300, 1050
	name := func(i int) string { return fmt.Sprintf("17%08d.M1P1.news", i) }
	for i := range n {
		if i == pwAt {
			if err := os.WriteFile(filepath.Join(dir, "new", fmt.Sprintf("17%08d.M1P1.pw", i)), dated(pwRaw, d0.Add(time.Hour)), 0o600); err != nil {
				t.Fatal(err)
			}
			continue
		}
		deliverNewsDated(t, dir, name(i), d0.Add(10*24*time.Hour+time.Duration(i)*time.Second))
	}
	cfg := Config{}
	cfg.Offline, cfg.CacheDir = true, t.TempDir()
	if _, replayed := scanSorted(t, dir, cfg, Options{}); replayed {
		t.Fatal("cold scan replayed")
	}
	for i := 10; i < 10+removeN; i++ {
		if err := os.Remove(filepath.Join(dir, "new", name(i))); err != nil {
			t.Fatal(err)
		}
	}
	if err := os.WriteFile(filepath.Join(dir, "new", "1800000000.M1P1.zip"), dated(zipRaw, d0), 0o600); err != nil {
		t.Fatal(err)
	}
	want := freshSorted(t, dir, cfg)
	got, replayed := scanSorted(t, dir, cfg, Options{})
	again, replayedAgain := scanSorted(t, dir, cfg, Options{})
	t.Logf("replayed %v; next start replayed %v, same as pairing: %v", replayed, replayedAgain, slices.Equal(again, want))
	for _, w := range want {
		if !slices.Contains(got, w) {
			t.Logf("pairing printed for %.40s: %s", w[7:], regexp.MustCompile(`"archive":\{[^}]*`).FindString(w))
		}
	}
	if !slices.Equal(got, want) {
		for _, g := range got {
			if !slices.Contains(want, g) {
				i := regexp.MustCompile(`"archive":\{[^}]*`).FindString(g)
				t.Logf("replay printed for %.40s: %s", g[7:], i)
			}
		}
		t.Fatalf("after the removal and the late ZIP mail the scan (replayed %v) printed otherwise than a scan without cache", replayed)
	}
}
