package mailsrc

import (
	"context"
	"errors"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"
	"time"

	"mxaudit/model"
)

func TestDirList(t *testing.T) {
	stamp := time.Date(2026, 11, 27, 8, 30, 0, 0, time.UTC)
	msg := tinyMessage("amavis quarantine")
	compressed := gzipped(t, msg)
	truncated := gzipped(t, tinyMessage(strings.Repeat("x", 3000)))[:30]

	// want classifies each listed ID: "mail", "notmail" or "error".
	tests := []struct {
		rel, content, want string
		open               string // the message Open must return; "" = not checked
	}{
		{"spam-AbC123.gz", compressed, "mail", msg},
		{"virus-XyZ789", compressed, "mail", msg}, // gzip without the name saying so
		{"banned-Q1w2E3", msg, "mail", msg},       // plain
		{"plain-named.gz", msg, "mail", msg},      // a .gz name on a plain file
		{"2026/11/0001.eml", msg, "mail", msg},    // recursive
		{"bom.eml", "\uFEFF" + msg, "mail", msg},  // byte order mark dropped
		{"blank.eml", " \t" + msg, "mail", msg},   // leading blanks dropped
		{"mbox-style.eml", "From a@example.com Mon Mar  7 14:23:23 2011\n" + msg, "mail", msg},
		{"zz/crlf.eml", strings.ReplaceAll(msg, "\n", "\r\n"), "mail", strings.ReplaceAll(msg, "\n", "\r\n")},
		{"notes.txt", "Remember to check the quarantine.\n", "notmail", ""},
		{"image.png", "\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR\x00\x00", "notmail", ""},
		{"archive.zip", "PK\x03\x04\x14\x00\x00\x00\x08\x00", "notmail", ""},
		{"empty", "", "notmail", ""},
		{"text.gz", gzipped(t, "plain text, compressed\n"), "notmail", ""},
		{"spam-truncated.gz", truncated, "error", ""},
		{"spam-corrupt", "\x1f\x8b\x08\x00garbage that is no deflate stream", "error", ""},
		{".lock", msg, "skipped", ""},
		{".released/spam-old.gz", compressed, "skipped", ""},
		{"2026/.trash/spam-deleted", msg, "skipped", ""},
	}
	dir := t.TempDir()
	for _, tt := range tests {
		writeFile(t, dir, tt.rel, tt.content, stamp)
	}
	src, err := NewDir(dir)
	if err != nil {
		t.Fatal(err)
	}
	mustClose(t, src)
	if src.Name() != "directory "+dir {
		t.Errorf("Name = %q", src.Name())
	}

	got := map[model.MessageID]Entry{}
	var order []model.MessageID
	for _, e := range listAll(t, src) {
		got[e.ID] = e
		order = append(order, e.ID)
	}
	if !slices.IsSorted(order) { // for these names, walk order is string order
		t.Errorf("not listed in lexical order: %q", order)
	}
	for _, tt := range tests {
		e, listed := got[model.MessageID(tt.rel)]
		switch {
		case tt.want == "skipped":
			if listed {
				t.Errorf("%s: listed, want skipped", tt.rel)
			}
			continue
		case !listed:
			t.Errorf("%s: not listed", tt.rel)
			continue
		case tt.want == "mail" && e.Err != nil,
			tt.want == "notmail" && !errors.Is(e.Err, ErrNotMail),
			tt.want == "error" && (e.Err == nil || errors.Is(e.Err, ErrNotMail)):
			t.Errorf("%s: Err = %v, want %s", tt.rel, e.Err, tt.want)
		}
		if e.Size != int64(len(tt.content)) || !e.Received.Equal(stamp) {
			t.Errorf("%s: Size %d Received %v, want %d %v", tt.rel, e.Size, e.Received, len(tt.content), stamp)
		}
		if tt.open != "" {
			if body := readMessage(t, src, e.ID); body != tt.open {
				t.Errorf("%s: Open = %q, want %q", tt.rel, body, tt.open)
			}
		}
	}
	if len(got) != len(tests)-3 {
		t.Errorf("listed %d entries, want %d", len(got), len(tests)-3)
	}
}

func TestDirOpenNotFound(t *testing.T) {
	parent := t.TempDir()
	dir := filepath.Join(parent, "q")
	writeFile(t, dir, "a/spam-1", tinyMessage("one"), time.Time{})
	writeFile(t, dir, ".released/spam-2", tinyMessage("released"), time.Time{})
	writeFile(t, parent, "outside.eml", tinyMessage("outside"), time.Time{})
	if err := os.Symlink("../outside.eml", filepath.Join(dir, "escape.eml")); err != nil {
		t.Fatal(err)
	}
	src, err := NewDir(dir)
	if err != nil {
		t.Fatal(err)
	}
	mustClose(t, src)

	entries := listAll(t, src)
	var escape *Entry
	for i := range entries {
		if entries[i].ID == "escape.eml" {
			escape = &entries[i]
		}
	}
	if escape == nil || escape.Err == nil || errors.Is(escape.Err, ErrNotMail) {
		t.Errorf("a symbolic link leading out of the folder: %+v, want an entry with a read error", escape)
	}
	if err := os.Remove(filepath.Join(dir, "a", "spam-1")); err != nil {
		t.Fatal(err)
	}
	for _, id := range []model.MessageID{"a/spam-1", "a/spam-1/x", ".released/spam-2", "a/../.released/spam-2", "../outside.eml", "/etc/passwd", "", ".", "a", "a//spam-1"} {
		if _, err := src.Open(context.Background(), id); !errors.Is(err, ErrNotFound) {
			t.Errorf("Open(%q) = %v, want ErrNotFound", id, err)
		}
	}
	if _, err := src.Open(context.Background(), "escape.eml"); err == nil {
		t.Error("Open of a link leading out of the folder succeeded")
	}
}

func TestDirUnreadable(t *testing.T) {
	if os.Geteuid() == 0 {
		t.Skip("SKIP: running as root, file permissions do not block reads (the corrupt gzip cases cover read errors)")
	}
	dir := t.TempDir()
	p := writeFile(t, dir, "locked.eml", tinyMessage("locked"), time.Time{})
	writeFile(t, dir, "open.eml", tinyMessage("open"), time.Time{})
	if err := os.Chmod(p, 0); err != nil {
		t.Fatal(err)
	}
	src, err := NewDir(dir)
	if err != nil {
		t.Fatal(err)
	}
	mustClose(t, src)
	entries := listAll(t, src)
	if len(entries) != 2 || !errors.Is(entries[0].Err, os.ErrPermission) || entries[1].Err != nil {
		t.Fatalf("entries = %+v, want locked.eml with a permission error, then open.eml", entries)
	}
}

func TestNewFile(t *testing.T) {
	dir := t.TempDir()
	msg := tinyMessage("single")
	p := writeFile(t, dir, "spam-single.gz", gzipped(t, msg), time.Time{})
	writeFile(t, dir, "sibling.eml", tinyMessage("sibling"), time.Time{})
	src, err := NewFile(p)
	if err != nil {
		t.Fatal(err)
	}
	mustClose(t, src)
	entries := listAll(t, src)
	if len(entries) != 1 || entries[0].ID != "spam-single.gz" || entries[0].Err != nil {
		t.Fatalf("entries = %+v", entries)
	}
	if body := readMessage(t, src, "spam-single.gz"); body != msg {
		t.Errorf("Open = %q", body)
	}
	if _, err := src.Open(context.Background(), "sibling.eml"); !errors.Is(err, ErrNotFound) {
		t.Errorf("Open of the file's sibling: %v, want ErrNotFound", err)
	}
	if src.Name() != "file "+p {
		t.Errorf("Name = %q", src.Name())
	}
}

func TestDirListStops(t *testing.T) {
	dir := t.TempDir()
	for _, name := range []string{"a", "b", "c", "d"} {
		writeFile(t, dir, name, tinyMessage(name), time.Time{})
	}
	src, err := NewDir(dir)
	if err != nil {
		t.Fatal(err)
	}
	mustClose(t, src)
	ctx, cancel := context.WithCancel(context.Background())
	n := 0
	err = src.List(ctx, func(Entry) error {
		if n++; n == 2 {
			cancel()
		}
		return nil
	})
	if !errors.Is(err, context.Canceled) || n != 2 {
		t.Errorf("List after cancel: %v after %d entries", err, n)
	}
	if _, err := src.Open(ctx, "a"); !errors.Is(err, context.Canceled) {
		t.Errorf("Open with a done context: %v", err)
	}
}

// TestDirTruncatedGzipFailsOnRead checks that a gzip file cut after its
// head, which the listing cannot notice, fails when the message is read
// rather than passing for a shorter message.
func TestDirTruncatedGzipFailsOnRead(t *testing.T) {
	var body strings.Builder
	for i := range 2000 {
		fmt.Fprintf(&body, "line %d of a long message %x\n", i, i*7919)
	}
	full := gzipped(t, tinyMessage("long")+body.String())
	dir := t.TempDir()
	writeFile(t, dir, "spam-cut.gz", full[:len(full)/2], time.Time{})
	src, err := NewDir(dir)
	if err != nil {
		t.Fatal(err)
	}
	mustClose(t, src)
	if e := listAll(t, src); len(e) != 1 || e[0].Err != nil {
		t.Fatalf("entries = %+v, want one message (the head is intact)", e)
	}
	rc, err := src.Open(context.Background(), "spam-cut.gz")
	if err != nil {
		t.Fatal(err)
	}
	defer rc.Close()
	if _, err := io.ReadAll(rc); !errors.Is(err, io.ErrUnexpectedEOF) {
		t.Errorf("reading a truncated gzip message: %v, want io.ErrUnexpectedEOF", err)
	}
}
