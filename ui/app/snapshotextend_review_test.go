package app

import (
	"fmt"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"
	"time"

	"mxaudit/model"
	"mxaudit/model/store"
)

// Adversarial tests of the snapshot of the whole listing recorded by a
// replay with extendAt or more new mails (snapshotextend.go), written in
// a security review of that change.

// zipDate is the date of h's ZIP mail as a scan without cache sees it.
func (h *heldBack) zipDate(t *testing.T) time.Time {
	t.Helper()
	for _, m := range freshScan(t, h.dir, h.cfg) {
		if m.ID == h.zip {
			return m.Date
		}
	}
	t.Fatalf("no ZIP mail %s", h.zip)
	return time.Time{}
}

// zipIn is h's ZIP mail among msgs.
func (h *heldBack) zipIn(t *testing.T, msgs []model.Message) model.Message {
	t.Helper()
	i := slices.IndexFunc(msgs, func(m model.Message) bool { return m.ID == h.zip })
	if i < 0 {
		t.Fatalf("no ZIP mail %s", h.zip)
	}
	return msgs[i]
}

// checkAll checks a console's scan of h (rows and messages) and a CLI
// scan against scans without cache, and returns the console's scan.
func (h *heldBack) checkAll(t *testing.T, what string) rowScan {
	t.Helper()
	want := freshScan(t, h.dir, h.cfg)
	s := scanRows(t, h.a)
	sameAsFresh(t, what+" (console)", h.a, s, want)
	if got, replayed := scanSorted(t, h.dir, h.cfg, Options{}); !slices.Equal(got, freshSorted(t, h.dir, h.cfg)) {
		t.Fatalf("%s: the CLI scan (replayed %v) printed other messages than a scan without cache", what, replayed)
	}
	return s
}

// TestReviewExtendTwice: two extensions in a row (the second with the
// password mail of the ZIP mail both held), each scan, the console's and
// the CLI's, as a scan without cache; each extension records its own
// snapshot of the whole listing.
func TestReviewExtendTwice(t *testing.T) {
	h := newHeldBack(t, nil)
	s0 := snapshotOf(t, h.dir, h.cfg)
	h.deliverNewsFrom(t, 1999980000, extendAt)
	h.checkAll(t, "first extension")
	s1 := snapshotOf(t, h.dir, h.cfg)
	if s1.Digest == s0.Digest || s1.Count != s0.Count+extendAt {
		t.Fatalf("the first extension recorded no snapshot of the whole listing (count %d, was %d)", s1.Count, s0.Count)
	}
	h.checkAll(t, "after the first extension")
	h.deliverNewsFrom(t, 1999990000, extendAt)
	h.passwordComes(t)
	h.checkAll(t, "second extension, password come")
	s2 := snapshotOf(t, h.dir, h.cfg)
	if s2.Digest == s1.Digest || s2.Count != s1.Count+extendAt+1 {
		t.Fatalf("the second extension recorded no snapshot of the whole listing (count %d, was %d)", s2.Count, s1.Count)
	}
	h.checkAll(t, "after the second extension")
	h.checkAll(t, "after the second extension, again")
}

// TestReviewExtendThenRemoved: the extension opened the held ZIP mail
// with its password mail; removing the password mail, then a new mail
// of the middle, then all new mail, each scan is a scan without cache's.
func TestReviewExtendThenRemoved(t *testing.T) {
	h := newHeldBack(t, nil)
	h.deliverNewsFrom(t, 1999990000, extendAt)
	late := h.passwordComes(t)
	h.checkAll(t, "extension with the password mail")
	h.checkAll(t, "unchanged")
	if err := os.Remove(late); err != nil {
		t.Fatal(err)
	}
	h.checkAll(t, "password mail removed")
	h.checkAll(t, "password mail removed, unchanged")
	mid, _ := filepath.Glob(filepath.Join(h.dir, "new", "1999990100.*"))
	if len(mid) != 1 {
		t.Fatalf("news at %q", mid)
	}
	if err := os.Remove(mid[0]); err != nil {
		t.Fatal(err)
	}
	h.checkAll(t, "a new mail of the middle removed")
	news, _ := filepath.Glob(filepath.Join(h.dir, "new", "19999*.news"))
	for _, p := range news {
		if err := os.Remove(p); err != nil {
			t.Fatal(err)
		}
	}
	h.checkAll(t, "all new mail removed")
}

// TestReviewExtendNewsCloseTheWindow: new mail dated well after the held
// ZIP mail closes its window; the password mail, coming after, must not
// open it (a scan without cache does not), in the extension nor after.
func TestReviewExtendNewsCloseTheWindow(t *testing.T) {
	h := newHeldBack(t, nil)
	d := h.zipDate(t).Add(72 * time.Hour)
	for i := range extendAt {
		deliverNewsDated(t, h.dir, fmt.Sprintf("%d.M1P1.news", 1999990000+i), d)
	}
	h.checkAll(t, "news closing the window")
	h.passwordComes(t)
	h.checkAll(t, "then the password mail")
	h.checkAll(t, "unchanged")
}

// TestReviewExtendUnreadableNewMail: a new mail without a sender (so
// "inert", ppap.Inert), dated three days after the held ZIP mail, comes
// first among extendAt new mails, then the ZIP mail's password mail. A
// scan without cache pairs the ZIP mail when that mail closes its window
// (by its date), before the password mail: the ZIP mail stays shut.
// During the extension's scan the mail cannot be read (EIO): the stream
// takes it as an undated error, which closes a dated ZIP mail's window
// only by listing distance (zeroDateSpan), so the password mail opens
// the ZIP mail; the snapshot recorded names the unreadable mail as
// uncached (inert). Once it can be read again, the replay must not show
// the ZIP mail opened.
func TestReviewExtendUnreadableNewMail(t *testing.T) {
	h := newHeldBack(t, nil)
	zd := h.zipDate(t)
	const x = "1999980000.M1P1.nofrom"
	h.deliverWithoutSender(t, x, zd.Add(72*time.Hour))
	h.deliverNewsFrom(t, 1999990000, extendAt)
	h.passwordComes(t)
	want := h.zipIn(t, freshScan(t, h.dir, h.cfg))
	t.Logf("a scan without cache: ZIP mail opened by %q, verdict %v", opened(&want), want.Verdict.Attachment)
	// The extension's scan, x unreadable.
	a, err := Open(t.Context(), h.dir, h.cfg, Options{})
	if err != nil {
		t.Fatal(err)
	}
	a.src = &failOpen{Source: a.src, fail: map[model.MessageID]bool{x: true}}
	var during []model.Message
	err = a.Scan(t.Context(), func(m model.Message) error { during = append(during, m); return nil }, nil)
	replayed := a.ScanReplayed()
	a.Close()
	if err != nil {
		t.Fatal(err)
	}
	s := snapshotOf(t, h.dir, h.cfg)
	z := h.zipIn(t, during)
	t.Logf("extension scan (replayed %v): ZIP mail opened by %q; snapshot of %d messages, uncached %v", replayed, opened(&z), s.Count, s.Uncached)
	// x readable again.
	for _, step := range []string{"x readable again (CLI)", "x readable again (CLI), again"} {
		var got []model.Message
		a, err := Open(t.Context(), h.dir, h.cfg, Options{})
		if err != nil {
			t.Fatal(err)
		}
		err = a.Scan(t.Context(), func(m model.Message) error { got = append(got, m); return nil }, nil)
		replayed := a.ScanReplayed()
		a.Close()
		if err != nil {
			t.Fatal(err)
		}
		if z := h.zipIn(t, got); !sameJSON(t, z, want) {
			t.Fatalf("%s: the scan (replayed %v) shows the ZIP mail opened by %q (verdict %v), a scan without cache by %q (verdict %v)",
				step, replayed, opened(&z), z.Verdict.Attachment, opened(&want), want.Verdict.Attachment)
		}
	}
}

// TestReviewExtendReadOnlyCache: a cache another holder has locked is
// read only: the extension records nothing and the scan is a scan
// without cache's.
func TestReviewExtendReadOnlyCache(t *testing.T) {
	h := newHeldBack(t, nil)
	before := snapshotOf(t, h.dir, h.cfg)
	h.deliverNewsFrom(t, 1999990000, extendAt)
	h.passwordComes(t)
	name, fp := cacheIdentity(t, h.dir, h.cfg)
	c, err := store.OpenCache(h.cfg.CacheDir, name, fp)
	if err != nil {
		t.Fatal(err)
	}
	got, replayed := scanSorted(t, h.dir, h.cfg, Options{})
	c.Close()
	if !slices.Equal(got, freshSorted(t, h.dir, h.cfg)) {
		t.Fatalf("read-only cache: the scan (replayed %v) printed other messages than a scan without cache", replayed)
	}
	if s := snapshotOf(t, h.dir, h.cfg); s.Digest != before.Digest {
		t.Fatal("a read-only cache recorded a snapshot")
	}
	h.checkAll(t, "cache writable again")
}

// TestReviewExtendForgotten: the held ZIP mail cannot be read while the
// extension's stream pairs it with its password mail (a pairing not
// remembered, ppap.Forgetter): nothing is recorded, the old snapshot
// stays whole, and once the ZIP mail can be read every scan is a scan
// without cache's.
func TestReviewExtendForgotten(t *testing.T) {
	h := newHeldBack(t, nil)
	before := snapshotOf(t, h.dir, h.cfg)
	h.deliverNewsFrom(t, 1999990000, extendAt)
	h.passwordComes(t)
	a, err := Open(t.Context(), h.dir, h.cfg, Options{})
	if err != nil {
		t.Fatal(err)
	}
	a.src = &failOpen{Source: a.src, fail: map[model.MessageID]bool{h.zip: true}}
	err = a.Scan(t.Context(), func(model.Message) error { return nil }, nil)
	replayed := a.ScanReplayed()
	a.Close()
	if err != nil {
		t.Fatal(err)
	}
	if s := snapshotOf(t, h.dir, h.cfg); s.Digest != before.Digest {
		t.Fatalf("a forgotten pairing was recorded (the scan replayed %v)", replayed)
	}
	h.checkAll(t, "the ZIP mail readable again")
	h.checkAll(t, "unchanged")
}

// TestReviewExtendHeldPasswordMailLosesItsNote: the snapshot's pairing
// held a ZIP mail, waiting, and its password mail, pinned, which opened
// it at the listing's end (noted: PasswordFor). Among extendAt new
// mails comes a copy of that password mail dated closer to the ZIP
// mail, which a scan without cache tries first: the held password mail
// may then no longer be noted (not ChangedByPairing), and its outcome
// as the old snapshot recorded it must not be replayed.
func TestReviewExtendHeldPasswordMailLosesItsNote(t *testing.T) {
	dir := snapshotQuarantine(t)
	cfg := Config{}
	cfg.Offline, cfg.CacheDir = true, t.TempDir()
	var zip *model.Message
	all := freshScan(t, dir, cfg)
	for i := range all {
		if opened(&all[i]) != "" && (zip == nil || all[i].ID > zip.ID) {
			zip = &all[i]
		}
	}
	if zip == nil {
		t.Fatal("no paired ZIP mail")
	}
	pw := opened(zip)
	paths, _ := filepath.Glob(filepath.Join(dir, "*", string(pw)+"*"))
	if len(paths) != 1 {
		t.Fatalf("the password mail %s is at %q", pw, paths)
	}
	raw, err := os.ReadFile(paths[0])
	if err != nil {
		t.Fatal(err)
	}
	a, err := Open(t.Context(), dir, cfg, Options{})
	if err != nil {
		t.Fatal(err)
	}
	defer a.Close()
	h := &heldBack{a: a, dir: dir, cfg: cfg, zip: zip.ID}
	h.shut = untilRows(t, a)
	s1 := snapshotOf(t, dir, cfg)
	// The copy: another Message-ID, dated half a minute after the ZIP mail.
	cp := string(raw)
	cp = replaceHeader(t, cp, "Message-ID", "<copy-of-password@example.co.jp>")
	cp = replaceHeader(t, cp, "Date", zip.Date.Add(30*time.Second).Format(time.RFC1123Z))
	h.deliverNewsFrom(t, 1999990000, extendAt)
	if err := os.WriteFile(filepath.Join(dir, "new", "1999999999.M1P1.copy"), []byte(cp), 0o600); err != nil {
		t.Fatal(err)
	}
	want := freshScan(t, dir, cfg)
	for i := range want {
		if want[i].ID == zip.ID || want[i].ID == pw || want[i].ID == "1999999999.M1P1.copy" {
			t.Logf("without cache: %s opened by %q, password for %v", want[i].ID, opened(&want[i]), want[i].PasswordFor)
		}
	}
	h.checkAll(t, "the copy come")
	s2 := snapshotOf(t, dir, cfg)
	inS1 := slices.ContainsFunc(s1.Changed, func(c changedMessage) bool { return c.ID == pw })
	inS2 := slices.ContainsFunc(s2.Changed, func(c changedMessage) bool { return c.ID == pw })
	t.Logf("snapshots %d -> %d messages; the password mail changed in the first %v, in the second %v", s1.Count, s2.Count, inS1, inS2)
	h.checkAll(t, "unchanged")
}

// replaceHeader replaces the first header field name of the raw mail.
func replaceHeader(t *testing.T, raw, name, value string) string {
	t.Helper()
	head, body, ok := strings.Cut(raw, "\r\n\r\n")
	if !ok {
		t.Fatal("no header end")
	}
	lines := strings.Split(head, "\r\n")
	for i := 0; i < len(lines); i++ {
		if k, _, ok := strings.Cut(lines[i], ":"); ok && strings.EqualFold(k, name) {
			j := i + 1
			for j < len(lines) && (strings.HasPrefix(lines[j], " ") || strings.HasPrefix(lines[j], "\t")) {
				j++
			}
			lines = slices.Replace(lines, i, j, name+": "+value)
			return strings.Join(lines, "\r\n") + "\r\n\r\n" + body
		}
	}
	t.Fatalf("no %s header", name)
	return ""
}
