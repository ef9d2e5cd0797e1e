package archive

import (
	"bufio"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"slices"
	"strings"
	"testing"

	yzip "github.com/yeka/zip"

	"mxaudit/model"
)

// The differential tests hold mxaudit to what stock tools do with the same
// bytes (issue 12): whenever 7-Zip or Info-ZIP unzip lists an entry,
// mxaudit lists it; whenever either says the entry is encrypted or asks
// for its password, mxaudit says encrypted. The tools are real (CI installs
// p7zip-full and unzip); without them the tests skip loudly.

// toolEntry is one entry as a tool reports it.
type toolEntry struct {
	name      string
	encrypted bool
}

// sevenZipTool returns the 7-Zip binary, or skips.
func sevenZipTool(t *testing.T) string {
	t.Helper()
	for _, name := range []string{"7zz", "7z"} {
		if p, err := exec.LookPath(name); err == nil {
			return p
		}
	}
	t.Skip("SKIPPED: 7-Zip (7z or 7zz) is not installed; install p7zip-full or 7zip to run the differential tests (CI does)")
	return ""
}

// unzipTool returns Info-ZIP unzip, or skips.
func unzipTool(t *testing.T) string {
	t.Helper()
	p, err := exec.LookPath("unzip")
	if err != nil {
		t.Skip("SKIPPED: Info-ZIP unzip is not installed; install unzip to run the differential tests (CI does)")
	}
	return p
}

// run runs a tool and returns its combined output; tools exit non-zero on
// the warnings these archives are built to cause, so the status is ignored.
func run(bin string, args ...string) string {
	out, _ := exec.Command(bin, args...).CombinedOutput()
	return string(out)
}

// sevenZipView lists path with "7z l -slt" (a wrong password given, so that
// an archive with encrypted headers fails instead of prompting) and tests
// it with "7z t": an entry that fails with "Wrong password" needs one.
func sevenZipView(bin, path string) (entries []toolEntry, needsPassword bool, out string) {
	out = run(bin, "l", "-slt", "-pmxaudit-wrong", path)
	var cur *toolEntry
	sc := bufio.NewScanner(strings.NewReader(out))
	listing := false
	for sc.Scan() {
		line := sc.Text()
		switch {
		case line == "----------":
			listing = true
		case !listing:
		case strings.HasPrefix(line, "Path = "):
			entries = append(entries, toolEntry{name: strings.TrimPrefix(line, "Path = ")})
			cur = &entries[len(entries)-1]
		case cur != nil && line == "Encrypted = +":
			cur.encrypted = true
		case cur != nil && line == "Folder = +":
			entries = entries[:len(entries)-1] // directories carry no data
			cur = nil
		}
	}
	test := run(bin, "t", "-pmxaudit-wrong", path)
	needsPassword = strings.Contains(test, "Wrong password") || strings.Contains(out, "Cannot open encrypted archive")
	return entries, needsPassword, out + test
}

var unzipIncorrect = regexp.MustCompile(`(?m)^\s*skipping: (.+?)\s+incorrect password`)

// unzipView lists path with "unzip -Z -v" (every central record, with its
// "file security status") and tests it with a wrong password.
func unzipView(bin, path string) (entries []toolEntry, out string) {
	out = run(bin, "-Z", "-v", path)
	lines := strings.Split(out, "\n")
	for i := 0; i < len(lines); i++ {
		if !strings.HasPrefix(lines[i], "Central directory entry #") || i+3 >= len(lines) {
			continue
		}
		e := toolEntry{name: strings.TrimSpace(lines[i+3])}
		for j := i + 4; j < len(lines) && !strings.HasPrefix(lines[j], "Central directory entry #"); j++ {
			if status, ok := strings.CutPrefix(strings.TrimSpace(lines[j]), "file security status:"); ok && strings.TrimSpace(status) == "encrypted" {
				e.encrypted = true
			}
		}
		if !strings.HasSuffix(e.name, "/") {
			entries = append(entries, e)
		}
	}
	test := run(bin, "-t", "-P", "mxaudit-wrong", path)
	for _, m := range unzipIncorrect.FindAllStringSubmatch(test, -1) {
		entries = append(entries, toolEntry{name: m[1], encrypted: true})
	}
	return entries, out + test
}

// topEntries maps the names mxaudit lists at the top level of a (every
// archive found in the bytes) to whether it calls them encrypted.
func topEntries(a *model.Archive) map[string]bool {
	m := map[string]bool{}
	for _, arc := range append([]*model.Archive{a}, a.Others...) {
		for _, e := range arc.Entries {
			m[e.Name] = m[e.Name] || e.Encrypted
		}
	}
	return m
}

// compare asserts the differential rule for one tool's view.
func compare(t *testing.T, tool string, a *model.Archive, entries []toolEntry, out string) {
	t.Helper()
	ours := topEntries(a)
	for _, e := range entries {
		enc, listed := ours[e.name]
		if !listed {
			t.Errorf("%s lists %q, mxaudit does not (mxaudit: %v)\n%s", tool, e.name, ours, out)
			continue
		}
		if e.encrypted && !enc {
			t.Errorf("%s says %q is encrypted, mxaudit does not\n%s", tool, e.name, out)
		}
	}
}

// TestDifferentialZip runs every hostile ZIP through 7-Zip and unzip.
func TestDifferentialZip(t *testing.T) {
	sz, uz := sevenZipTool(t), unzipTool(t)
	dir := t.TempDir()
	for i, h := range hostileZips(t) {
		t.Run(h.name, func(t *testing.T) {
			path := filepath.Join(dir, strings.Repeat("h", i+1)+".zip")
			if err := os.WriteFile(path, h.data, 0o644); err != nil {
				t.Fatal(err)
			}
			a := inspectBytes(h.data)
			entries, needsPassword, out := sevenZipView(sz, path)
			compare(t, "7z", a, entries, out)
			if needsPassword && !anyEncrypted(a) {
				t.Errorf("7z asks for a password, mxaudit does not say encrypted\n%s", out)
			}
			entries, out = unzipView(uz, path)
			compare(t, "unzip", a, entries, out)
			t.Logf("7z and unzip agree with mxaudit: %d entries, encrypted=%v, risks %v", len(topEntries(a)), anyEncrypted(a), a.AllRisks())
		})
	}
}

// TestDifferentialSevenZipAndRAR checks 7z archives made by 7-Zip itself
// (encrypted contents, encrypted headers, several files in one solid
// folder, a directory) and the hand-built RAR 4 and RAR 5 archives against
// 7-Zip's listing of them.
func TestDifferentialSevenZipAndRAR(t *testing.T) {
	sz := sevenZipTool(t)
	dir := t.TempDir()
	src := filepath.Join(dir, "src")
	for name, data := range map[string]string{"a.txt": "hello", "sub/b.txt": "world", "setup.exe": "MZ\x90\x00"} {
		p := filepath.Join(src, name)
		if err := os.MkdirAll(filepath.Dir(p), 0o755); err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(p, []byte(data), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	make7z := func(name string, args ...string) []byte {
		out := filepath.Join(dir, name)
		cmd := exec.Command(sz, append(append([]string{"a", "-bd"}, args...), out, ".")...)
		cmd.Dir = src
		if msg, err := cmd.CombinedOutput(); err != nil {
			t.Fatalf("7z a %v: %v\n%s", args, err, msg)
		}
		b, err := os.ReadFile(out)
		if err != nil {
			t.Fatal(err)
		}
		return b
	}
	files := []rarFile{{name: "readme.txt", data: []byte("hello")}, {name: "payload.exe", data: []byte("MZ\x90\x00"), encrypted: true}}
	tests := []struct {
		name      string
		data      []byte
		encrypted bool
	}{
		{"plain.7z", make7z("plain.7z"), false},
		{"encrypted.7z", make7z("encrypted.7z", "-pinfected"), true},
		{"encrypted-headers.7z", make7z("encrypted-headers.7z", "-pinfected", "-mhe=on"), true},
		{"stored-encrypted.7z", make7z("stored-encrypted.7z", "-pinfected", "-mx=0"), true},
		{"rar4.rar", rar4(files, false), true},
		{"rar4-headers.rar", rar4(files, true), true},
		{"rar5.rar", rar5(files, false), true},
		{"rar5-headers.rar", rar5(files, true), true},
		{"plain-rar5.rar", rar5(files[:1], false), false},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			path := filepath.Join(dir, "check-"+tt.name)
			if err := os.WriteFile(path, tt.data, 0o644); err != nil {
				t.Fatal(err)
			}
			a := inspectBytes(tt.data)
			if anyEncrypted(a) != tt.encrypted {
				t.Errorf("encrypted = %v, want %v (%+v)", anyEncrypted(a), tt.encrypted, a)
			}
			if a.Error != "" && !tt.encrypted {
				t.Errorf("error %q on a readable archive", a.Error)
			}
			if !tt.encrypted && !slices.Contains(a.AllRisks(), model.RiskNotInspected) {
				t.Errorf("plain %s: risks %v lack %s: its contents are never decompressed", tt.name, a.AllRisks(), model.RiskNotInspected)
			}
			entries, needsPassword, out := sevenZipView(sz, path)
			if len(entries) == 0 && !needsPassword {
				t.Fatalf("7z lists nothing and asks no password: the generator is wrong\n%s", out)
			}
			compare(t, "7z", a, entries, out)
			if needsPassword && !anyEncrypted(a) {
				t.Errorf("7z asks for a password, mxaudit does not say encrypted\n%s", out)
			}
		})
	}
}

// TestDifferentialZipStoredIn7z stores an encrypted ZIP in a 7z made by
// 7-Zip (-mx0, so its bytes appear as they are): unzip reads the inner
// ZIP from its end record, and mxaudit must see it too (review finding 2).
func TestDifferentialZipStoredIn7z(t *testing.T) {
	sz, uz := sevenZipTool(t), unzipTool(t)
	dir := t.TempDir()
	inner := yekaZipBytes(t, file{name: "setup.exe", data: []byte("MZ\x90\x00"), password: "infected", enc: yzip.StandardEncryption})
	if err := os.WriteFile(filepath.Join(dir, "report.dat"), inner, 0o644); err != nil {
		t.Fatal(err)
	}
	out := filepath.Join(dir, "invoice.zip")
	cmd := exec.Command(sz, "a", "-bd", "-t7z", "-mx0", out, "report.dat")
	cmd.Dir = dir
	if msg, err := cmd.CombinedOutput(); err != nil {
		t.Fatalf("7z a: %v\n%s", err, msg)
	}
	b, err := os.ReadFile(out)
	if err != nil {
		t.Fatal(err)
	}
	a := inspectBytes(b)
	if !anyEncrypted(a) {
		t.Errorf("the encrypted ZIP stored in the 7z is not seen: %+v", a)
	}
	entries, view := unzipView(uz, out)
	compare(t, "unzip", a, entries, view)
	entries, _, view = sevenZipView(sz, out)
	compare(t, "7z", a, entries, view)
}
