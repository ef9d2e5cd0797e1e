package app

import (
	"os"
	"path/filepath"
	"testing"
)

// TestRowsRepairedThenResumed (concurrency review): a password mail whose ZIP mail the
// snapshot's tail still holds (its window open at the listing's end) is
// taken out, so a Repair pairs its domain again, while a copy of it
// arrives as new mail that pairs from the repaired tail
// (resumeAppended). The console's rows must be what a scan without
// cache gives: on that scan, on the next, and after the copy is taken
// out too (the list kept under the repaired snapshot's digest).
func TestRowsRepairedThenResumed(t *testing.T) {
	for _, pwName := range []string{"1795389660.M590978P63.demo", "1795387920.M567221P60.demo"} {
		t.Run(pwName, func(t *testing.T) {
			r := oldNewsQuarantine(t, "1794788000")
			dir, cfg := r.dir, r.cfg
			a := r.console()
			names, _ := filepath.Glob(filepath.Join(dir, "*", pwName+"*"))
			if len(names) != 1 {
				t.Fatalf("%s: %d files", pwName, len(names))
			}
			raw, err := os.ReadFile(names[0])
			if err != nil {
				t.Fatal(err)
			}
			if err := os.Remove(names[0]); err != nil {
				t.Fatal(err)
			}
			if err := os.WriteFile(filepath.Join(dir, "new", "1999999992.M1P1.copy"), raw, 0o600); err != nil {
				t.Fatal(err)
			}
			want := freshScan(t, dir, cfg)
			s := scanRows(t, a)
			if !a.ScanReplayed() {
				t.Fatal("the password mail taken out, its copy after: not replayed")
			}
			sameAsFresh(t, "pw taken out, its copy after", a, s, want)

			s = scanRows(t, a)
			sameAsFresh(t, "then unchanged", a, s, want)

			r.remove("1999999992.M1P1.copy")
			want = freshScan(t, dir, cfg)
			s = scanRows(t, a)
			sameAsFresh(t, "the copy taken out", a, s, want)
		})
	}
}
