package app

import (
	"os"
	"testing"
)

// TestRowsPastRepairBoundReview: a console whose Repair is refused by
// repairMost pairs the whole listing (messages, not the kept list), each
// as a scan without cache emits it, and the next scan hands out the list
// that pairing kept; the ZIP mail removed next, within the bound again,
// is repaired from that list.
func TestRowsPastRepairBoundReview(t *testing.T) {
	old := repairMost
	t.Cleanup(func() { repairMost = old })
	repairMost = func(int) int { return 0 }
	r := oldNewsQuarantine(t, "1794788000")
	dir, cfg := r.dir, r.cfg
	a := r.console()

	name, _ := maildirFile(t, dir, freshSorted(t, dir, cfg), `"password_for":[`)
	if err := os.Remove(name); err != nil {
		t.Fatal(err)
	}
	want := freshScan(t, dir, cfg)
	s := scanRows(t, a)
	if a.ScanReplayed() || len(s.rows) != 0 || len(s.msgs) != len(want) {
		t.Fatalf("past the bound: replayed %v, %d rows and %d messages, want %d messages", a.ScanReplayed(), len(s.rows), len(s.msgs), len(want))
	}
	sameAsFresh(t, "past the bound", a, s, want)
	s = scanRows(t, a)
	if !a.ScanReplayed() || len(s.rows) != len(want) {
		t.Fatalf("then unchanged: replayed %v, %d rows and %d messages, want %d rows", a.ScanReplayed(), len(s.rows), len(s.msgs), len(want))
	}
	sameAsFresh(t, "then unchanged", a, s, want)

	repairMost = old
	name, _ = maildirFile(t, dir, freshSorted(t, dir, cfg), `"password_source":"1`)
	if err := os.Remove(name); err != nil {
		t.Fatal(err)
	}
	want = freshScan(t, dir, cfg)
	for _, step := range []string{"ZIP taken out, within the bound", "then unchanged again"} {
		s := scanRows(t, a)
		if !a.ScanReplayed() || len(s.rows) != len(want) {
			t.Fatalf("%s: replayed %v, %d rows and %d messages, want %d rows", step, a.ScanReplayed(), len(s.rows), len(s.msgs), len(want))
		}
		sameAsFresh(t, step, a, s, want)
	}
}
