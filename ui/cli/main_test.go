package cli

import (
	"os"
	"testing"
)

// TestMain keeps the tests' analysis caches out of the real home
// directory: every command that scans caches its results, and a cache
// left from an earlier run would also change what a test measures.
func TestMain(m *testing.M) {
	dir, err := os.MkdirTemp("", "mxaudit-cli-test-cache-")
	if err != nil {
		panic(err)
	}
	os.Setenv("XDG_CACHE_HOME", dir)
	code := m.Run()
	os.RemoveAll(dir)
	os.Exit(code)
}
