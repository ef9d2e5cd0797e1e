package cli

import (
	"encoding/json"
	"io"
	"os"
	"strings"
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

func TestJSONSafe(t *testing.T) {
	var b strings.Builder
	enc := json.NewEncoder(jsonSafe{&b})
	in := "a\u009b2Jb\u202eexe.pdf\u200b\U000E0041"
	if n, err := (jsonSafe{io.Discard}).Write([]byte(in)); err != nil || n != len(in) {
		t.Fatalf("Write reported %d of %d bytes: %v", n, len(in), err)
	}
	if err := enc.Encode(in); err != nil {
		t.Fatal(err)
	}
	want := `"a\u009b2Jb\u202eexe.pdf\u200b\udb40\udc41"` + "\n"
	if b.String() != want {
		t.Fatalf("got %s, want %s", b.String(), want)
	}
	var back string
	if err := json.Unmarshal([]byte(b.String()), &back); err != nil || back != in {
		t.Fatalf("round trip: %q, %v", back, err)
	}
}

func TestJSONSafeIsClean(t *testing.T) {
	for _, c := range []struct {
		in   string
		want bool
	}{
		{`{"subject":"plain ASCII \u001b escaped by encoding/json"}`, true},
		{"パスワードのお知らせ", true},
		{"invalid \xff byte", true}, // nothing a terminal acts on; encoding/json replaced it already
		{"bidi \u202e override", false},
		{"C1 \u009b CSI", false},
		{"zero width \u200b", false},
		{"tag \U000E0041 at the end", false},
	} {
		if got := isClean([]byte(c.in)); got != c.want {
			t.Errorf("isClean(%q) = %v, want %v", c.in, got, c.want)
		}
	}
}
