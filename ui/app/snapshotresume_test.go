package app

import (
	"os"
	"path/filepath"
	"slices"
	"testing"

	"mxaudit/model"
)

// heldBack is a quarantine whose last paired ZIP mail (as a scan without
// cache pairs it) has its password mail held back, and an App that has
// kept its list of it: the snapshot's pairing held the ZIP mail, still
// waiting for its password, when its listing ended.
type heldBack struct {
	a     *App
	dir   string
	cfg   Config
	zip   model.MessageID
	aside string  // the password mail, out of the Maildir
	shut  rowScan // the scan that handed out the kept list first
	late  string  // where passwordComes delivered it
}

// newHeldBack makes it; prepare, when set, is called with the Maildir,
// the config and the ZIP mail before the App is opened on it.
func newHeldBack(t *testing.T, prepare func(dir string, cfg Config, zip model.MessageID)) *heldBack {
	t.Helper()
	h := &heldBack{dir: snapshotQuarantine(t)}
	h.cfg.Offline, h.cfg.CacheDir = true, t.TempDir()
	var last *model.Message
	all := freshScan(t, h.dir, h.cfg)
	for i := range all {
		if opened(&all[i]) != "" && (last == nil || all[i].ID > last.ID) {
			last = &all[i]
		}
	}
	if last == nil {
		t.Fatal("no paired ZIP mail: the test checks no pairing")
	}
	h.zip = last.ID
	pw := opened(last)
	paths, _ := filepath.Glob(filepath.Join(h.dir, "*", string(pw)+"*"))
	if len(paths) != 1 {
		t.Fatalf("the password mail %s is at %q", pw, paths)
	}
	h.aside = filepath.Join(t.TempDir(), "password")
	if err := os.Rename(paths[0], h.aside); err != nil {
		t.Fatal(err)
	}
	if prepare != nil {
		prepare(h.dir, h.cfg, h.zip)
	}
	a, err := Open(t.Context(), h.dir, h.cfg, Options{})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { a.Close() })
	h.a, h.shut = a, untilRows(t, a)
	return h
}

// passwordComes delivers the password mail, listed last, and returns
// its path.
func (h *heldBack) passwordComes(t *testing.T) string {
	t.Helper()
	h.late = filepath.Join(h.dir, "new", "1999999999.M1P1.password")
	if err := os.Rename(h.aside, h.late); err != nil {
		t.Fatal(err)
	}
	return h.late
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
	h := newHeldBack(t, nil)
	a, dir, cfg, zip := h.a, h.dir, h.cfg, h.zip
	if zipRow := slices.IndexFunc(h.shut.rows, func(r *model.Row) bool { return r.ID() == zip }); zipRow < 0 {
		t.Fatalf("the ZIP mail %s is not among the rows handed out", zip)
	}
	late := h.passwordComes(t)
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
	if s := withoutKeptList(t, a, cfg, "the password mail come", want); len(s.rows) == 0 {
		t.Fatal("no list was kept of a scan paired from the snapshot's tail")
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

// withoutKeptList removes the list a keeps, then scans: a scan of
// messages, replayed, which keeps its list again; then scans again, and
// returns that scan. Each must hand out what a scan without cache emits
// (want).
func withoutKeptList(t *testing.T, a *App, cfg Config, what string, want []model.Message) rowScan {
	t.Helper()
	path, _ := rowsFile(t, cfg)
	if err := os.Remove(path); err != nil {
		t.Fatal(err)
	}
	s := scanRows(t, a)
	if len(s.rows) > 0 || !a.ScanReplayed() {
		t.Fatalf("%s: the scan without the kept list did not replay messages", what)
	}
	sameAsFresh(t, what+", no list kept", a, s, want)
	s = scanRows(t, a)
	sameAsFresh(t, what+", the list kept again", a, s, want)
	return s
}
