package app

import (
	"bytes"
	"context"
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"os"
	"path/filepath"
	"runtime/debug"
	"strings"
	"testing"

	"mxaudit/model"
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

// TestMismatchedKeptRowIsNotListedAgain (the concurrency review's): a
// kept list holding, for a message, a row this mxaudit does not make of
// it, with digest, IDs, order and checksums all right, is handed out;
// Message refuses the message (errListChanged: scan again), and drops
// the list, so that the scan again makes that row anew instead of
// handing the same list out once more and leaving the message unread.
func TestMismatchedKeptRowIsNotListedAgain(t *testing.T) {
	a, _, cfg := keptQuarantine(t, Options{})
	untilRows(t, a)
	path, h, _ := keptHeader(t, cfg)
	rf, err := openRowsWith(path, func(string) (int, bool) { return 1 << 20, true })
	if err != nil {
		t.Fatal(err)
	}
	var rows []*model.Row
	for rf.rowsLeft > 0 {
		block, err := rf.next()
		if err != nil {
			break
		}
		for i := range block {
			rows = append(rows, &block[i])
		}
	}
	rf.Close()
	if len(rows) == 0 {
		t.Fatal("no rows kept")
	}
	// The first row, as other row code would have made it.
	id := rows[0].ID()
	m, err := a.Message(context.Background(), id)
	if err != nil {
		t.Fatalf("reading back %s before the edit: %v", id, err)
	}
	m.Subject += " (made otherwise)"
	other := model.NewRowOf(&m, rows[0].Content())
	rows[0] = &other
	if err := saveRows(path, h[3], rows); err != nil {
		t.Fatal(err)
	}

	s := scanRows(t, a)
	if len(s.rows) == 0 || !bytes.Equal(encodedRow(s.rows[0]), encodedRow(&other)) {
		t.Fatalf("the edited list was not handed out (%d rows)", len(s.rows))
	}
	if _, err := a.Message(context.Background(), id); !errors.Is(err, errListChanged) {
		t.Fatalf("Message of a row made otherwise: %v, want errListChanged", err)
	}
	// The operator scans again, as the error says.
	s = scanRows(t, a)
	for _, r := range s.rows {
		if r.ID() == id && bytes.Equal(encodedRow(r), encodedRow(&other)) {
			t.Fatal("the scan again lists the row made otherwise once more")
		}
	}
	if _, err := a.Message(context.Background(), id); err != nil && !errors.Is(err, ErrNotSpilled) {
		t.Fatalf("after the scan again, Message: %v", err)
	}
}

// TestOldBinarysRowsIgnoredAndReplaced: a list kept by an mxaudit before
// rowMaker (its header names the binary: "go" and 30 hex digits, from
// the toolchain's build ID, or 32 hex digits, the executable's SHA-256),
// or by a build whose rows are made otherwise, is neither shown ahead
// nor handed out nor read for kept rows: the scan lists what a fresh scan
// lists, keeps its own list in its place (named by rowMaker), leaves no
// temporary file, and the next start hands that list out.
func TestOldBinarysRowsIgnoredAndReplaced(t *testing.T) {
	for _, c := range []struct{ what, maker string }{
		{"a build ID's", "go" + strings.Repeat("ab", 15)},
		{"an executable sum's", strings.Repeat("0f", 16)},
		{"another row maker's", "rows-" + strings.Repeat("1", 32)},
		{"another executable's", "exe-" + strings.Repeat("2", 32)},
	} {
		t.Run(c.what, func(t *testing.T) {
			smallRowBlocks(t)
			a, dir, cfg := keptQuarantine(t, Options{})
			untilRows(t, a)
			path, h, rest := keptHeader(t, cfg)
			h[2] = c.maker
			rewriteKept(t, path, h, rest)
			s := scanRows(t, a)
			if len(s.rows) != 0 {
				t.Fatalf("%s list: %d rows handed out", c.what, len(s.rows))
			}
			for _, r := range s.ahead {
				if r != nil {
					t.Fatalf("%s list: %d rows shown ahead", c.what, len(r))
				}
			}
			if l := a.listed.Load(); l.reused != 0 {
				t.Fatalf("%s list: %d kept rows reused", c.what, l.reused)
			}
			sameAsFresh(t, c.what, a, s, freshScan(t, dir, cfg))
			keptHeader(t, cfg) // kept again, by this mxaudit
			if temps, _ := filepath.Glob(filepath.Join(cfg.CacheDir, ".*.tmp")); len(temps) > 0 {
				t.Fatalf("temporary files left: %v", temps)
			}
			if s := scanRows(t, a); len(s.rows) == 0 {
				t.Fatal("the list kept again is not handed out")
			}
		})
	}
}
