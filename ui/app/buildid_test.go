package app

import (
	"os"
	"os/exec"
	"path/filepath"
	"runtime"
	"strings"
	"testing"
)

// TestGoBuildIDIsTheToolchains: the build ID read from this test
// binary's ELF note is the one `go tool buildid` reads.
func TestGoBuildIDIsTheToolchains(t *testing.T) {
	if runtime.GOOS != "linux" {
		t.Skip("the build ID is read from an ELF note")
	}
	exe, err := os.Executable()
	if err != nil {
		t.Fatal(err)
	}
	out, err := exec.Command("go", "tool", "buildid", exe).Output()
	if err != nil {
		t.Skipf("go tool buildid: %v", err)
	}
	id, ok := goBuildID(exe)
	if want := strings.TrimSpace(string(out)); !ok || id != want {
		t.Fatalf("goBuildID = %q, %v; go tool buildid says %q", id, ok, want)
	}
	if b := buildID(); !strings.HasPrefix(b, "go") || len(b) != 32 {
		t.Fatalf("buildID = %q, not named by the build ID", b)
	}
	if _, ok := goBuildID(filepath.Join(t.TempDir(), "none")); ok {
		t.Fatal("a build ID read from no file")
	}
	notELF := filepath.Join(t.TempDir(), "script")
	if err := os.WriteFile(notELF, []byte("#!/bin/sh\n"), 0o700); err != nil {
		t.Fatal(err)
	}
	if _, ok := goBuildID(notELF); ok {
		t.Fatal("a build ID read from a file that is not ELF")
	}
}

// TestOnlyTheToolchainsBuildIDsNameABuild: a build ID set by hand does
// not name a build; the binary's bytes do.
func TestOnlyTheToolchainsBuildIDsNameABuild(t *testing.T) {
	part := "DUUDA8Lq5Ygj6ykx_wYZ"
	for _, tt := range []struct {
		id string
		ok bool
	}{
		{part + "/SHlS1JFimCEnao4l16M1/z-P2NGy8pda2sqvUiYYk/ib1e0lmMBHGSTu6YPbOZ", true},
		{part + "/" + part, true},
		{part, false},
		{"", false},
		{"release-1.2", false},
		{strings.Repeat(part+"/", 4) + part, false},
		{part + "/" + part[:19], false},
		{part + "/" + part[:19] + "=", false},
		{part + "/" + part[:19] + "+", false},
		{part + "//" + part, false},
	} {
		if got := isToolchainBuildID(tt.id); got != tt.ok {
			t.Errorf("%q: %v, want %v", tt.id, got, tt.ok)
		}
	}
}
