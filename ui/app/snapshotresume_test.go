package app

import (
	"os"
	"path/filepath"
	"slices"
	"testing"

	"mxaudit/model"
)

// passwordHeldBack takes out of the Maildir dir the password mail of the
// last paired ZIP mail a scan without cache finds, and returns the ZIP
// mail's ID and the password mail's file, moved aside.
func passwordHeldBack(t *testing.T, dir string, cfg Config) (zip model.MessageID, aside string, name string) {
	t.Helper()
	var last *model.Message
	all := freshScan(t, dir, cfg)
	for i := range all {
		if opened(&all[i]) != "" && (last == nil || all[i].ID > last.ID) {
			last = &all[i]
		}
	}
	if last == nil {
		t.Fatal("no paired ZIP mail: the test checks no pairing")
	}
	pw := opened(last)
	paths, _ := filepath.Glob(filepath.Join(dir, "*", string(pw)+"*"))
	if len(paths) != 1 {
		t.Fatalf("the password mail %s is at %q", pw, paths)
	}
	aside = filepath.Join(t.TempDir(), "password")
	if err := os.Rename(paths[0], aside); err != nil {
		t.Fatal(err)
	}
	return last.ID, aside, filepath.Base(paths[0])
}

// opened is the password mail an archive of m was opened with, if any.
func opened(m *model.Message) model.MessageID {
	for _, a := range m.Attachments {
		if a.Archive != nil && a.Archive.PasswordSource != "" {
			return a.Archive.PasswordSource
		}
	}
	return ""
}

// TestRowsResumedWhenThePasswordComes: a ZIP mail whose password mail
// has not come yet is held by the snapshot's pairing at the end of its
// listing; when the password mail comes, listed last, the console's scan
// hands out the kept list with that ZIP mail's row made anew from the
// pairing resumed from the snapshot's tail (opened), every row and
// message read back what a scan without cache emits, and the scan of
// messages (the CLI's) prints the same. Without the kept list, it hands
// out messages and keeps the snapshot's list again, with the snapshot's
// own row of the ZIP mail: once the password mail is gone again, the
// scan hands out that list, the ZIP mail shut.
func TestRowsResumedWhenThePasswordComes(t *testing.T) {
	dir := snapshotQuarantine(t)
	cfg := Config{}
	cfg.Offline, cfg.CacheDir = true, t.TempDir()
	zip, aside, _ := passwordHeldBack(t, dir, cfg)
	a, err := Open(t.Context(), dir, cfg, Options{})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { a.Close() })
	shut := untilRows(t, a)
	if zipRow := slices.IndexFunc(shut.rows, func(r *model.Row) bool { return r.ID() == zip }); zipRow < 0 {
		t.Fatalf("the ZIP mail %s is not among the rows handed out", zip)
	}

	late := filepath.Join(dir, "new", "1999999999.M1P1.password")
	if err := os.Rename(aside, late); err != nil {
		t.Fatal(err)
	}
	want := freshScan(t, dir, cfg)
	if i := slices.IndexFunc(want, func(m model.Message) bool { return m.ID == zip }); i < 0 || opened(&want[i]) != "1999999999.M1P1.password" {
		t.Fatalf("a scan without cache does not open %s with the password mail listed last: the test shows nothing", zip)
	}
	s := scanRows(t, a)
	if len(s.rows) == 0 || !a.ScanReplayed() {
		t.Fatal("the scan after the password mail came did not hand out the kept list")
	}
	if n := sameAsFresh(t, "the password mail come", a, s, want); n != len(want)-1 {
		t.Fatalf("%d rows handed out, want all but the new mail's (%d)", n, len(want)-1)
	}
	got, replayed := scanSorted(t, dir, cfg, Options{})
	if !replayed || !slices.Equal(got, freshSorted(t, dir, cfg)) {
		t.Fatalf("the scan of messages (replayed %v) printed other messages than a scan without cache", replayed)
	}

	// Without the kept list, the scan hands out messages (the ZIP
	// mail's resumed) and keeps the snapshot's list again: the ZIP mail
	// in it is the snapshot's, shut.
	path, _ := rowsFile(t, cfg)
	if err := os.Remove(path); err != nil {
		t.Fatal(err)
	}
	if s := scanRows(t, a); len(s.rows) > 0 || !a.ScanReplayed() {
		t.Fatal("the scan without the kept list did not replay messages")
	} else {
		sameAsFresh(t, "the password mail come, no list kept", a, s, want)
	}
	if s := scanRows(t, a); len(s.rows) == 0 {
		t.Fatal("no list was kept of a scan paired from the snapshot's tail")
	} else {
		sameAsFresh(t, "the password mail come, the list kept again", a, s, want)
	}

	if err := os.Remove(late); err != nil {
		t.Fatal(err)
	}
	s = scanRows(t, a)
	if len(s.rows) == 0 {
		t.Fatal("the scan after the password mail went did not hand out the kept list")
	}
	sameAsFresh(t, "the password mail gone again", a, s, freshScan(t, dir, cfg))
}
