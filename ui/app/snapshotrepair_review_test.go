package app

import (
	"os"
	"path/filepath"
	"regexp"
	"testing"
	"time"
)

// redated writes the mail at from under new/name with its Date header
// replaced by date.
func redated(t *testing.T, dir, from, name string, date time.Time) {
	t.Helper()
	raw, err := os.ReadFile(from)
	if err != nil {
		t.Fatal(err)
	}
	re := regexp.MustCompile(`(?m)^Date:[^\r\n]*`)
	if !re.Match(raw) {
		t.Fatalf("%s has no Date", from)
	}
	raw = re.ReplaceAll(raw, []byte("Date: "+date.Format(time.RFC1123Z)))
	if err := os.WriteFile(filepath.Join(dir, "new", name), raw, 0o600); err != nil {
		t.Fatal(err)
	}
}

// TestRepairThenResumedRows (security review): at the end of the listing a ZIP mail (Z)
// whose window is still open, its password mail (P) and a mail of another
// domain dated after them (the latest date). P is taken out (influential:
// a Repair pairs Z's domain again, and holds Z, unpaired, in its tail)
// and, in the same scan, a copy of P arrives as new mail (paired from
// the Repair's tail: Z opened again). The console's rows must be what a
// scan without cache gives.
func TestRepairThenResumedRows(t *testing.T) {
	r := oldNewsQuarantine(t, "1794788000")
	dir, cfg := r.dir, r.cfg
	out := freshSorted(t, dir, cfg)
	zipPath, zip := maildirFile(t, dir, out, `"password_source":"`)
	var pwID string
	for _, a := range zip.Attachments {
		if a.Archive != nil && a.Archive.PasswordSource != "" {
			pwID = string(a.Archive.PasswordSource)
		}
	}
	var pwPath string
	for _, sub := range []string{"cur", "new"} {
		if names, _ := filepath.Glob(filepath.Join(dir, sub, pwID+"*")); len(names) == 1 {
			pwPath = names[0]
		}
	}
	if pwPath == "" {
		t.Fatalf("no password mail %q", pwID)
	}
	d := time.Date(2030, 1, 1, 9, 0, 0, 0, time.UTC)
	redated(t, dir, zipPath, "1999999980.M1P1.zip", d)
	redated(t, dir, pwPath, "1999999981.M1P1.pw", d.Add(5*time.Minute))
	deliverNewsDated(t, dir, "1999999982.M1P1.news", d.Add(10*time.Minute))

	a := r.console()
	names, _ := filepath.Glob(filepath.Join(dir, "*", "1999999981.M1P1.pw*"))
	if len(names) != 1 {
		t.Fatal(names)
	}
	raw, err := os.ReadFile(names[0])
	if err != nil {
		t.Fatal(err)
	}
	if err := os.Remove(names[0]); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(filepath.Join(dir, "new", "1999999990.M1P1.pw2"), raw, 0o600); err != nil {
		t.Fatal(err)
	}
	want := freshScan(t, dir, cfg)
	for _, step := range []string{"P taken out, a copy after", "then unchanged"} {
		s := scanRows(t, a)
		if !a.ScanReplayed() {
			t.Fatalf("%s: not replayed", step)
		}
		sameAsFresh(t, step, a, s, want)
	}
}
