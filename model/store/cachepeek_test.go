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
	if _, _, ok := PeekCache(dir, testSource, testFingerprint); ok {
		t.Fatal("a cache that was never written passes")
	}
	c := openTestCache(t, dir)
	if err := c.Put("7/0", sampleMessage(0)); err != nil {
		t.Fatal(err)
	}
	path, sum := c.Path(), c.HeaderSum()
	if err := c.Close(); err != nil {
		t.Fatal(err)
	}
	if got, gotSum, ok := PeekCache(dir, testSource, testFingerprint); !ok || got != path || gotSum != sum {
		t.Fatalf("PeekCache = %q, %q, %v; want %q, %q, true", got, gotSum, ok, path, sum)
	}
	if _, _, ok := PeekCache(dir, testSource, testFingerprint+" changed"); ok {
		t.Error("a cache written under other settings passes")
	}
	if _, _, ok := PeekCache(dir, testSource+"/other", testFingerprint); ok {
		t.Error("another source's cache passes")
	}
	// Rebuilt under other settings: another header, another sum, which a
	// file kept for the first names no longer.
	other, err := OpenCache(dir, testSource, testFingerprint+" changed")
	if err != nil {
		t.Fatal(err)
	}
	other.Close()
	if _, gotSum, ok := PeekCache(dir, testSource, testFingerprint+" changed"); !ok || gotSum == sum {
		t.Errorf("a rebuilt cache: sum %q, %v; want another than %q", gotSum, ok, sum)
	}
	if _, _, ok := PeekCache(dir, testSource, testFingerprint); ok {
		t.Error("the first settings pass on the rebuilt cache")
	}
	c = openTestCache(t, dir)
	if err := c.Put("7/0", sampleMessage(0)); err != nil {
		t.Fatal(err)
	}
	c.Close()
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
		if _, _, ok := PeekCache(dir, testSource, testFingerprint); ok {
			t.Errorf("%s: passes", d.name)
		}
	}
}
