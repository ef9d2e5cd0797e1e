package store

import (
	"os"
	"strings"
	"testing"
)

// TestPeekCache: PeekCache accepts the file OpenCache wrote for the same
// source and settings, and nothing OpenCache would refuse or rebuild.
func TestPeekCache(t *testing.T) {
	dir := t.TempDir()
	if _, ok := PeekCache(dir, testSource, testFingerprint); ok {
		t.Fatal("a cache that was never written passes")
	}
	c := openTestCache(t, dir)
	if err := c.Put("7/0", sampleMessage(0)); err != nil {
		t.Fatal(err)
	}
	path := c.Path()
	if err := c.Close(); err != nil {
		t.Fatal(err)
	}
	if got, ok := PeekCache(dir, testSource, testFingerprint); !ok || got != path {
		t.Fatalf("PeekCache = %q, %v; want %q, true", got, ok, path)
	}
	if _, ok := PeekCache(dir, testSource, testFingerprint+" changed"); ok {
		t.Error("a cache written under other settings passes")
	}
	if _, ok := PeekCache(dir, testSource+"/other", testFingerprint); ok {
		t.Error("another source's cache passes")
	}
	data, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	damage := []struct {
		name string
		mode os.FileMode
		data string
	}{
		{"writable by its group", 0o620, string(data)},
		{"header damaged", 0o600, strings.Replace(string(data), "mxaudit", "mxaudiT", 1)},
		{"header too long", 0o600, strings.Repeat("x", maxHeaderLen+1) + "\n"},
		{"no header line", 0o600, ""},
	}
	for _, d := range damage {
		if err := os.WriteFile(path, []byte(d.data), 0o600); err != nil {
			t.Fatal(err)
		}
		if err := os.Chmod(path, d.mode); err != nil {
			t.Fatal(err)
		}
		if _, ok := PeekCache(dir, testSource, testFingerprint); ok {
			t.Errorf("%s: passes", d.name)
		}
	}
}
