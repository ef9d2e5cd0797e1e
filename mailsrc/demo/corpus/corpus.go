// Package corpus locates the public third-party test files that live beside
// the repository in ../shared/corpus (see that folder's README). They are
// never copied into the project; tests that use them skip, loudly, where the
// folder is absent.
package corpus

import (
	"os"
	"path/filepath"
	"testing"
)

// EnvVar overrides where the corpus is looked for.
const EnvVar = "MXAUDIT_CORPUS"

// Dir returns the absolute path of the corpus sub-folder sub (for example
// "zip/libarchive"), or skips the test with a message naming where it looked.
func Dir(t testing.TB, sub string) string {
	t.Helper()
	root, tried := Root()
	if root == "" {
		t.Skipf("SKIP: third-party corpus not found (looked in %s; set %s to its path)", tried, EnvVar)
	}
	dir := filepath.Join(root, filepath.FromSlash(sub))
	if _, err := os.Stat(dir); err != nil {
		t.Skipf("SKIP: corpus folder %s absent: %v", dir, err)
	}
	return dir
}

// Root finds the corpus: $MXAUDIT_CORPUS, else ../shared/corpus next to the
// module root (the directory holding go.mod), searched upwards from the
// working directory. It returns "" and the place it looked when absent.
func Root() (root, tried string) {
	if env := os.Getenv(EnvVar); env != "" {
		if isDir(env) {
			return env, env
		}
		return "", env
	}
	dir, err := os.Getwd()
	if err != nil {
		return "", "(no working directory)"
	}
	for {
		if _, err := os.Stat(filepath.Join(dir, "go.mod")); err == nil {
			c := filepath.Join(filepath.Dir(dir), "shared", "corpus")
			if isDir(c) {
				return c, c
			}
			return "", c
		}
		parent := filepath.Dir(dir)
		if parent == dir {
			return "", "../shared/corpus (no go.mod found above the working directory)"
		}
		dir = parent
	}
}

func isDir(p string) bool {
	st, err := os.Stat(p)
	return err == nil && st.IsDir()
}
