package mailsrc

import (
	"os"
	"path/filepath"
	"testing"
	"time"
)

// TestOpenNamesTheSourceByItsFullPath: a source's name keys its analysis
// cache. The same quarantine given by a relative path and by its full
// path is one name, and "q" from two directories is two, for every kind
// Open tells apart.
func TestOpenNamesTheSourceByItsFullPath(t *testing.T) {
	one, two := t.TempDir(), t.TempDir()
	for _, base := range []string{one, two} {
		if err := os.MkdirAll(filepath.Join(base, "maildir/cur"), 0o755); err != nil {
			t.Fatal(err)
		}
		writeFile(t, base, "maildir/cur/1.M1.host:2,S", tinyMessage("maildir"), time.Time{})
		writeFile(t, base, "tree/a.eml", tinyMessage("tree"), time.Time{})
		writeFile(t, base, "q.mbox", "From a@example.com Mon Mar  7 14:23:23 2011\n"+tinyMessage("mbox")+"\n", time.Time{})
		writeFile(t, base, "one.eml", tinyMessage("eml"), time.Time{})
	}
	for _, rel := range []string{"maildir", "tree", "q.mbox", "one.eml"} {
		t.Chdir(one)
		fromOne, full := sourceName(t, rel), sourceName(t, filepath.Join(one, rel))
		dotted := sourceName(t, "./maildir/../"+rel)
		t.Chdir(two)
		fromTwo := sourceName(t, rel)
		if fromOne != full || dotted != full {
			t.Errorf("%s: named %q relative, %q with dots, %q by its full path", rel, fromOne, dotted, full)
		}
		if fromOne == fromTwo {
			t.Errorf("%s: two quarantines share the name %q", rel, fromOne)
		}
	}
}

// TestOpenFollowsTheKernelThroughLinks (found in review): ".." after a
// symbolic link is the parent of the link's target, as the kernel walks
// it, not the link's own folder, as text cleaning would have it; and a
// quarantine reached through a link is named as by its target. Here
// b/work links to a/work, and a/q and b/q are two quarantines.
func TestOpenFollowsTheKernelThroughLinks(t *testing.T) {
	base := t.TempDir()
	for _, d := range []string{"a/work", "a/q/cur", "b/q/cur"} {
		if err := os.MkdirAll(filepath.Join(base, d), 0o755); err != nil {
			t.Fatal(err)
		}
	}
	writeFile(t, base, "a/q/cur/1.M1.a:2,S", tinyMessage("a"), time.Time{})
	writeFile(t, base, "b/q/cur/1.M1.b:2,S", tinyMessage("b"), time.Time{})
	for link, target := range map[string]string{"b/work": "../a/work", "qlink": "a/q"} {
		if err := os.Symlink(target, filepath.Join(base, link)); err != nil {
			t.Fatal(err)
		}
	}
	want := sourceName(t, filepath.Join(base, "a/q"))
	t.Chdir(filepath.Join(base, "b/work")) // $PWD spells the link
	for _, path := range []string{"../q", base + "/b/work/../q", filepath.Join(base, "qlink")} {
		if got := sourceName(t, path); got != want {
			t.Errorf("%s: named %q, want %q", path, got, want)
		}
	}
}

// sourceName is the Name of the source Open gives for path.
func sourceName(t *testing.T, path string) string {
	t.Helper()
	src, err := Open(path)
	if err != nil {
		t.Fatal(err)
	}
	defer src.Close()
	return src.Name()
}
