package app

import (
	"crypto/sha256"
	"encoding/hex"
	"os"
	"runtime/debug"
	"strings"
	"testing"
)

// TestRowMakerNamesTheRowCodeNotTheBinary: another build of mxaudit (its
// flags, revision, code outside package model) makes rows as this one
// when package model's source, the libraries and the toolchain are the
// same; another source of model, another version of a library, or of
// Go, does not; a library replaced by a directory, or vendored without
// a sum, names nothing, which leaves the executable to name the rows.
func TestRowMakerNamesTheRowCodeNotTheBinary(t *testing.T) {
	base := func() *debug.BuildInfo {
		return &debug.BuildInfo{
			GoVersion: "go1.26.0",
			Path:      "mxaudit",
			Main:      debug.Module{Path: "mxaudit", Version: "(devel)"},
			Deps: []*debug.Module{
				{Path: "golang.org/x/net", Version: "v0.47.0", Sum: "h1:net="},
				{Path: "github.com/go-json-experiment/json", Version: "v0.0.0-2025", Sum: "h1:json="},
			},
			Settings: []debug.BuildSetting{{Key: "vcs.revision", Value: "aaaa"}, {Key: "-ldflags", Value: ""}},
		}
	}
	want := rowMakerOf(base(), "src")
	if !strings.HasPrefix(want, "rows-") || strings.ContainsAny(want, " \t\n") {
		t.Fatalf("rowMakerOf = %q: not a header field", want)
	}
	for _, tt := range []struct {
		name string
		edit func(*debug.BuildInfo)
		same bool
	}{
		{"another revision of mxaudit", func(b *debug.BuildInfo) { b.Settings[0].Value = "bbbb" }, true},
		{"other link flags", func(b *debug.BuildInfo) { b.Settings[1].Value = "-X main.v=2" }, true},
		{"a released mxaudit", func(b *debug.BuildInfo) { b.Main.Version = "v1.2.3" }, true},
		{"another Go", func(b *debug.BuildInfo) { b.GoVersion = "go1.26.1" }, false},
		{"another x/net", func(b *debug.BuildInfo) { b.Deps[0].Version, b.Deps[0].Sum = "v0.48.0", "h1:net2=" }, false},
		{"another sum", func(b *debug.BuildInfo) { b.Deps[1].Sum = "h1:other=" }, false},
		{"another library", func(b *debug.BuildInfo) {
			b.Deps = append(b.Deps, &debug.Module{Path: "example.com/x", Version: "v1.0.0", Sum: "h1:x="})
		}, false},
		{"a library replaced by a release", func(b *debug.BuildInfo) {
			b.Deps[0].Replace = &debug.Module{Path: "example.com/fork", Version: "v0.1.0", Sum: "h1:fork="}
		}, false},
	} {
		b := base()
		tt.edit(b)
		if got := rowMakerOf(b, "src"); (got == want) != tt.same || got == "" {
			t.Errorf("%s: rowMakerOf = %q, the base's %q (same wanted: %v)", tt.name, got, want, tt.same)
		}
	}
	for _, tt := range []struct {
		name string
		edit func(*debug.BuildInfo)
	}{
		{"a library replaced by a directory", func(b *debug.BuildInfo) { b.Deps[0].Replace = &debug.Module{Path: "../net"} }},
		{"a library without a sum", func(b *debug.BuildInfo) { b.Deps[1].Sum = "" }},
		{"no Go version", func(b *debug.BuildInfo) { b.GoVersion = "" }},
		{"no libraries (a GOPATH build)", func(b *debug.BuildInfo) { b.Deps = nil }},
	} {
		b := base()
		tt.edit(b)
		if got := rowMakerOf(b, "src"); got != "" {
			t.Errorf("%s: rowMakerOf = %q, want nothing", tt.name, got)
		}
	}
	if got := rowMakerOf(base(), "other model code"); got == want || got == "" {
		t.Errorf("another source of package model: rowMakerOf = %q, the base's %q", got, want)
	}
	if got := rowMakerOf(base(), ""); got != "" {
		t.Errorf("no source of package model: rowMakerOf = %q, want nothing", got)
	}
	if got := rowMakerOf(nil, "src"); got != "" {
		t.Errorf("rowMakerOf(nil) = %q", got)
	}
	// A test binary records no libraries (go test leaves them out), and
	// is named by its executable; mxaudit itself records them.
	prefix := "exe-"
	if info, ok := debug.ReadBuildInfo(); ok && len(info.Deps) > 0 {
		prefix = "rows-"
	}
	if got := rowMaker(); !strings.HasPrefix(got, prefix) {
		t.Errorf("this test binary's rowMaker() = %q, want it named %s…", got, prefix)
	}
}

// TestExecutableSumNamesTheBinary: the fallback name is the SHA-256 of
// the executable this process runs.
func TestExecutableSumNamesTheBinary(t *testing.T) {
	exe, err := os.Executable()
	if err != nil {
		t.Skip(err)
	}
	b, err := os.ReadFile(exe)
	if err != nil {
		t.Skip(err)
	}
	sum := sha256.Sum256(b)
	if got, want := executableSum(), "exe-"+hex.EncodeToString(sum[:16]); got != want {
		t.Fatalf("executableSum = %q, want %q", got, want)
	}
}
