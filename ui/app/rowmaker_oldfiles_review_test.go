package app

import (
	"bytes"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

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
			path, b := rowsFile(t, cfg)
			line, rest, _ := bytes.Cut(b, []byte("\n"))
			h := strings.Fields(string(line))
			if len(h) != 5 || h[2] != rowMaker() {
				t.Fatalf("header %q does not name rowMaker %q", line, rowMaker())
			}
			h[2] = c.maker
			if err := os.WriteFile(path, append([]byte(strings.Join(h, " ")+"\n"), rest...), 0o600); err != nil {
				t.Fatal(err)
			}
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
			_, b = rowsFile(t, cfg)
			line, _, _ = bytes.Cut(b, []byte("\n"))
			if h := strings.Fields(string(line)); len(h) != 5 || h[2] != rowMaker() {
				t.Fatalf("the list was not kept again by this mxaudit: header %q", line)
			}
			if temps, _ := filepath.Glob(filepath.Join(cfg.CacheDir, ".*.tmp")); len(temps) > 0 {
				t.Fatalf("temporary files left: %v", temps)
			}
			if s := scanRows(t, a); len(s.rows) == 0 {
				t.Fatal("the list kept again is not handed out")
			}
		})
	}
}
