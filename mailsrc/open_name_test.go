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
	name := func(path string) string {
		t.Helper()
		src, err := Open(path)
		if err != nil {
			t.Fatal(err)
		}
		defer src.Close()
		return src.Name()
	}
	for _, rel := range []string{"maildir", "tree", "q.mbox", "one.eml"} {
		t.Chdir(one)
		fromOne, full := name(rel), name(filepath.Join(one, rel))
		dotted := name("./maildir/../" + rel)
		t.Chdir(two)
		fromTwo := name(rel)
		if fromOne != full || dotted != full {
			t.Errorf("%s: named %q relative, %q with dots, %q by its full path", rel, fromOne, dotted, full)
		}
		if fromOne == fromTwo {
			t.Errorf("%s: two quarantines share the name %q", rel, fromOne)
		}
	}
}
