//go:build unix

package mailsrc

import (
	"context"
	"os"
	"path/filepath"
	"sync/atomic"
	"testing"
	"time"
)

// countingDir counts the watcher's listings of a folder tree.
type countingDir struct {
	*Dir
	lists atomic.Int32
}

func (c *countingDir) List(ctx context.Context, fn func(Entry) error) error {
	c.lists.Add(1)
	return c.Dir.List(ctx, fn)
}

func watchCountingDir(t *testing.T, dir string, folderSettle time.Duration) (*countingDir, <-chan Change) {
	t.Helper()
	d, err := NewDir(dir)
	if err != nil {
		t.Fatal(err)
	}
	mustClose(t, d)
	src := &countingDir{Dir: d}
	return src, watchCounting(t, src, folderSettle)
}

// TestPollWatcherSkipsAQuietFolderTree checks that a tree of message
// files whose folders have not changed is not listed again, and that
// changes in any folder of it still are, a file still being written
// included.
func TestPollWatcherSkipsAQuietFolderTree(t *testing.T) {
	dir := t.TempDir()
	writeFile(t, dir, "a.eml", tinyMessage("a"), time.Time{})
	writeFile(t, dir, "x/y/b.eml", tinyMessage("b"), time.Time{})
	src, changes := watchCountingDir(t, dir, time.Nanosecond)
	wantChange(t, nextChange(t, changes, "the first listing"), Added, "a.eml", "x/y/b.eml")
	expectUnlisted(t, &src.lists, changes, "nothing changed")

	writeFile(t, dir, "x/y/c.eml", tinyMessage("c"), time.Time{})
	wantChange(t, nextChange(t, changes, "a file in a sub-folder"), Added, "x/y/c.eml")
	expectUnlisted(t, &src.lists, changes, "nothing changed after the file")

	writeFile(t, dir, "z/d.eml", tinyMessage("d"), time.Time{})
	wantChange(t, nextChange(t, changes, "a new folder"), Added, "z/d.eml")

	if err := os.Remove(filepath.Join(dir, "x", "y", "b.eml")); err != nil {
		t.Fatal(err)
	}
	wantChange(t, nextChange(t, changes, "a deletion in a sub-folder"), Removed, "x/y/b.eml")
	expectUnlisted(t, &src.lists, changes, "nothing changed after the deletion")

	// A copy in progress: only its creation changes the folder; the
	// watcher must keep listing until the file holds still.
	copySlowly(t, filepath.Join(dir, "x", "e.eml"), 200*time.Millisecond, changes)
	wantChange(t, nextChange(t, changes, "the finished copy"), Added, "x/e.eml")
	expectUnlisted(t, &src.lists, changes, "nothing changed after the copy")
}

// TestPollWatcherListsATreeWithLinks checks that a tree holding a
// symbolic link is listed at every poll: the link's target can change
// while no folder does.
func TestPollWatcherListsATreeWithLinks(t *testing.T) {
	dir := t.TempDir()
	writeFile(t, dir, "a.eml", tinyMessage("a"), time.Time{})
	if err := os.Symlink("a.eml", filepath.Join(dir, "b.eml")); err != nil {
		t.Fatal(err)
	}
	src, changes := watchCountingDir(t, dir, time.Nanosecond)
	wantChange(t, nextChange(t, changes, "the first listing"), Added, "a.eml", "b.eml")
	before := src.lists.Load()
	expectQuiet(t, changes, "nothing changed")
	if n := src.lists.Load() - before; n < 3 {
		t.Fatalf("a tree with a link was listed %d times in eight intervals, want every interval", n)
	}
}
