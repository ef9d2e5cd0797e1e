package model

import (
	"crypto/sha256"
	"encoding/hex"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"
)

// TestSourceSumIsThePackagesSource: SourceSum sums every .go file of this
// package as it is on disk but the tests, in name order: a file added,
// changed or taken out is another sum; a test is none.
func TestSourceSumIsThePackagesSource(t *testing.T) {
	names, err := filepath.Glob("*.go")
	if err != nil {
		t.Fatal(err)
	}
	slices.Sort(names)
	h := sha256.New()
	n := 0
	for _, name := range names {
		if strings.HasSuffix(name, "_test.go") {
			continue
		}
		b, err := os.ReadFile(name)
		if err != nil {
			t.Fatal(err)
		}
		sum := sha256.Sum256(b)
		h.Write([]byte(name + "\n"))
		h.Write(sum[:])
		n++
	}
	if n < 10 || !slices.Contains(names, "row.go") {
		t.Fatalf("read %d source files: not this package's", n)
	}
	if got, want := SourceSum(), hex.EncodeToString(h.Sum(nil)); got != want {
		t.Fatalf("SourceSum = %s, the source on disk sums to %s", got, want)
	}
}
