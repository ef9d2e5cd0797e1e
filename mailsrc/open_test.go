package mailsrc

import (
	"errors"
	"io/fs"
	"os"
	"path/filepath"
	"strings"
	"syscall"
	"testing"
	"time"
)

func TestOpen(t *testing.T) {
	base := t.TempDir()
	mkdir := func(rel string) string {
		p := filepath.Join(base, rel)
		if err := os.MkdirAll(p, 0o755); err != nil {
			t.Fatal(err)
		}
		return p
	}
	mkdir("maildir/cur")
	writeFile(t, base, "maildir/cur/1.M1.host:2,S", tinyMessage("maildir"), time.Time{})
	mkdir("newonly/new")
	writeFile(t, base, "tree/spam-1.gz", gzipped(t, tinyMessage("tree")), time.Time{})
	mkdir("empty")
	writeFile(t, base, "q.mbox", "From a@example.com Mon Mar  7 14:23:23 2011\n"+tinyMessage("mbox")+"\n", time.Time{})
	writeFile(t, base, "bom.mbox", "\uFEFFFrom a Mon Mar  7 14:23:23 2011\n"+tinyMessage("1")+"\nFrom a Mon Mar  7 14:23:23 2011\n"+tinyMessage("2"), time.Time{})
	writeFile(t, base, "one.eml", tinyMessage("eml"), time.Time{})
	writeFile(t, base, "spam-one", gzipped(t, tinyMessage("gz")), time.Time{})
	writeFile(t, base, "obs.eml", "From  : John <j@example.com>\nSubject: obsolete syntax\n\n", time.Time{})
	writeFile(t, base, "notes.txt", "shopping list\n", time.Time{})
	writeFile(t, base, "empty.eml", "", time.Time{})
	fifo := filepath.Join(base, "fifo")
	if err := syscall.Mkfifo(fifo, 0o644); err != nil {
		t.Fatal(err)
	}

	tests := []struct {
		rel      string
		kind     string // Name prefix; "" when Open must fail
		messages int
		errIs    error
		errText  string
	}{
		{rel: "maildir", kind: "maildir ", messages: 1},
		{rel: "newonly", kind: "maildir ", messages: 0},
		{rel: "tree", kind: "directory ", messages: 1},
		{rel: "empty", kind: "directory ", messages: 0},
		{rel: "q.mbox", kind: "mbox ", messages: 1},
		{rel: "bom.mbox", kind: "mbox ", messages: 2},
		{rel: "one.eml", kind: "file ", messages: 1},
		{rel: "spam-one", kind: "file ", messages: 1},
		{rel: "obs.eml", kind: "file ", messages: 1},
		{rel: "notes.txt", errIs: ErrNotMail, errText: "not a mail message"},
		{rel: "empty.eml", errIs: ErrNotMail, errText: "not a mail message"},
		{rel: "missing", errIs: fs.ErrNotExist, errText: "no such file or directory"},
		{rel: "fifo", errText: "not a directory or regular file"},
	}
	for _, tt := range tests {
		t.Run(tt.rel, func(t *testing.T) {
			path := filepath.Join(base, tt.rel)
			src, err := Open(path)
			if tt.kind == "" {
				if err == nil {
					src.Close()
					t.Fatalf("Open succeeded, want an error")
				}
				if tt.errIs != nil && !errors.Is(err, tt.errIs) {
					t.Errorf("error %v does not wrap %v", err, tt.errIs)
				}
				if want := "cannot open quarantine " + path + ": " + tt.errText; !strings.HasPrefix(err.Error(), want) {
					t.Errorf("error %q, want it to start with %q", err, want)
				}
				return
			}
			if err != nil {
				t.Fatal(err)
			}
			mustClose(t, src)
			if src.Name() != tt.kind+path {
				t.Errorf("Name = %q, want %q", src.Name(), tt.kind+path)
			}
			entries := listAll(t, src)
			if len(entries) != tt.messages {
				t.Fatalf("listed %d, want %d", len(entries), tt.messages)
			}
			for _, e := range entries {
				if e.Err != nil {
					t.Errorf("%s: %v", e.ID, e.Err)
				} else if body := readMessage(t, src, e.ID); !strings.Contains(body, "Subject: ") {
					t.Errorf("%s: opened %q", e.ID, body)
				}
			}
		})
	}
}

func TestOpenUnreadable(t *testing.T) {
	if os.Geteuid() == 0 {
		t.Skip("SKIP: running as root, permissions do not block reads")
	}
	dir := filepath.Join(t.TempDir(), "locked")
	if err := os.Mkdir(dir, 0); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { os.Chmod(dir, 0o755) })
	_, err := Open(dir)
	if want := "cannot open quarantine " + dir + ": permission denied"; err == nil || err.Error() != want || !errors.Is(err, fs.ErrPermission) {
		t.Errorf("Open = %v, want %q", err, want)
	}
}
