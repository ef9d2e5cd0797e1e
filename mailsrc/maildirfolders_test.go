package mailsrc

import (
	"context"
	"io"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"mxaudit/model"
)

// TestMaildirOpensThroughAReplacedFolder checks the folder roots Open
// keeps: after cur/ is moved away and made again, a message only in the
// new folder is still opened (by path, since the kept root is the old
// folder's), and after the next listing a message in both is read from
// the new one.
func TestMaildirOpensThroughAReplacedFolder(t *testing.T) {
	dir, md := newTestMaildir(t, map[string]string{
		"cur/1700000001.M1P1.host:2,S": tinyMessage("old one"),
	})
	list := func() {
		t.Helper()
		if err := md.List(context.Background(), func(Entry) error { return nil }); err != nil {
			t.Fatal(err)
		}
	}
	watcherList := func() {
		t.Helper()
		if err := md.ListIDs(context.Background(), func(model.MessageID) error { return nil }); err != nil {
			t.Fatal(err)
		}
	}
	read := func(id string) string {
		t.Helper()
		rc, err := md.Open(context.Background(), model.MessageID(id))
		if err != nil {
			t.Fatalf("open %s: %v", id, err)
		}
		defer rc.Close()
		b, err := io.ReadAll(rc)
		if err != nil {
			t.Fatal(err)
		}
		return string(b)
	}
	list()
	if got := read("1700000001.M1P1.host"); !strings.Contains(got, "old one") {
		t.Fatalf("read %q", got)
	}
	cur := filepath.Join(dir, "cur")
	if err := os.Rename(cur, filepath.Join(dir, "cur.old")); err != nil {
		t.Fatal(err)
	}
	writeFile(t, dir, "cur/1700000002.M2P2.host:2,S", tinyMessage("only in the new folder"), time.Time{})
	writeFile(t, dir, "cur/1700000001.M1P1.host:2,S", tinyMessage("new one"), time.Time{})
	if got := read("1700000002.M2P2.host"); !strings.Contains(got, "only in the new folder") {
		t.Fatalf("read %q", got)
	}
	watcherList()
	if got := read("1700000001.M1P1.host"); !strings.Contains(got, "new one") {
		t.Fatalf("after the watcher's listing, read %q from the replaced folder", got)
	}
	if err := os.Rename(cur, filepath.Join(dir, "cur.older")); err != nil {
		t.Fatal(err)
	}
	writeFile(t, dir, "cur/1700000001.M1P1.host:2,S", tinyMessage("newest one"), time.Time{})
	list()
	if got := read("1700000001.M1P1.host"); !strings.Contains(got, "newest one") {
		t.Fatalf("after a listing, read %q from the replaced folder", got)
	}
}
