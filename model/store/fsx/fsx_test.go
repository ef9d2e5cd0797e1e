package fsx

import (
	"bufio"
	"context"
	"errors"
	"io/fs"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"syscall"
	"testing"
	"time"
)

// TestMain lets the test binary act as a second process holding a lock:
// with FSX_HOLD set it locks that file, says so, and waits for stdin to
// close.
func TestMain(m *testing.M) {
	if path := os.Getenv("FSX_HOLD"); path != "" {
		f, err := OpenLocked(context.Background(), path)
		if err != nil {
			os.Stdout.WriteString("error: " + err.Error() + "\n")
			os.Exit(1)
		}
		os.Stdout.WriteString("locked\n")
		bufio.NewReader(os.Stdin).ReadString('\n')
		f.Close()
		os.Exit(0)
	}
	os.Exit(m.Run())
}

// holdLock starts a child process that holds the lock on path until the
// test ends.
func holdLock(t *testing.T, path string) {
	t.Helper()
	cmd := exec.Command(os.Args[0])
	cmd.Env = append(os.Environ(), "FSX_HOLD="+path)
	stdin, err := cmd.StdinPipe()
	if err != nil {
		t.Fatal(err)
	}
	out, err := cmd.StdoutPipe()
	if err != nil {
		t.Fatal(err)
	}
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { stdin.Close(); cmd.Wait() })
	line, _ := bufio.NewReader(out).ReadString('\n')
	if line != "locked\n" {
		t.Fatalf("the child did not take the lock: %q", line)
	}
}

func TestLockContention(t *testing.T) {
	tests := []struct {
		name    string
		held    bool
		timeout time.Duration
		wantErr bool
	}{
		{"free lock", false, time.Second, false},
		{"held by another process, deadline passes", true, 150 * time.Millisecond, true},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			path := filepath.Join(t.TempDir(), "x.lock")
			if tt.held {
				holdLock(t, path)
			}
			ctx, cancel := context.WithTimeout(context.Background(), tt.timeout)
			defer cancel()
			start := time.Now()
			f, err := OpenLocked(ctx, path)
			if (err != nil) != tt.wantErr {
				t.Fatalf("OpenLocked = %v, want error %v", err, tt.wantErr)
			}
			if err == nil {
				f.Close()
				return
			}
			if !errors.Is(err, context.DeadlineExceeded) || !strings.Contains(err.Error(), "still held") {
				t.Errorf("error %q does not say the lock is held and the deadline passed", err)
			}
			if d := time.Since(start); d < tt.timeout || d > tt.timeout+2*time.Second {
				t.Errorf("gave up after %s, want about %s", d, tt.timeout)
			}
		})
	}
}

// TestLockReleasedOnClose: a waiter gets the lock as soon as the holder
// closes its file.
func TestLockReleasedOnClose(t *testing.T) {
	path := filepath.Join(t.TempDir(), "x.lock")
	first, err := OpenLocked(context.Background(), path)
	if err != nil {
		t.Fatal(err)
	}
	go func() { time.Sleep(50 * time.Millisecond); first.Close() }()
	second, err := OpenLocked(context.Background(), path)
	if err != nil {
		t.Fatal(err)
	}
	second.Close()
}

func TestLockRefusesSymlink(t *testing.T) {
	dir := t.TempDir()
	target := filepath.Join(dir, "elsewhere")
	os.WriteFile(target, nil, 0o600)
	link := filepath.Join(dir, "x.lock")
	if err := os.Symlink(target, link); err != nil {
		t.Fatal(err)
	}
	if f, err := OpenLocked(context.Background(), link); err == nil {
		f.Close()
		t.Fatal("a lock file that is a symbolic link was followed")
	}
}

func TestWriteFileFailures(t *testing.T) {
	diskFull := errors.New("no space left on device")
	tests := []struct {
		name   string
		ops    Ops
		target func(dir string) string // returns the path to write
		want   error
	}{
		{"write fails half way", Ops{Write: func(f *os.File, b []byte) error { f.Write(b[:len(b)/2]); return diskFull }}, nil, diskFull},
		{"crash before rename", Ops{BeforeRename: func() error { return diskFull }}, nil, diskFull},
		{"rename fails for real (target is a directory)", Ops{}, func(dir string) string {
			p := filepath.Join(dir, "sub")
			os.Mkdir(p, 0o700)
			os.WriteFile(filepath.Join(p, "keep"), []byte("x"), 0o600)
			return p
		}, fs.ErrExist},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			dir := t.TempDir()
			path := filepath.Join(dir, "policy.toml")
			if tt.target != nil {
				path = tt.target(dir)
			} else if err := WriteFile(path, []byte("old content\n"), 0o640, Ops{}); err != nil {
				t.Fatal(err)
			}
			before, _ := os.ReadFile(path)
			err := WriteFile(path, []byte("new content, longer than the old\n"), 0o640, tt.ops)
			if !errors.Is(err, tt.want) {
				t.Fatalf("WriteFile = %v, want %v", err, tt.want)
			}
			if after, _ := os.ReadFile(path); string(after) != string(before) {
				t.Errorf("the file changed after a failed write: %q", after)
			}
			entries, _ := os.ReadDir(dir)
			for _, e := range entries {
				if strings.HasSuffix(e.Name(), ".tmp") {
					t.Errorf("temporary file %s left behind", e.Name())
				}
			}
		})
	}
}

func TestWriteFileKeepsMode(t *testing.T) {
	dir := t.TempDir()
	path := filepath.Join(dir, "map")
	os.WriteFile(path, []byte("a"), 0o644)
	os.Chmod(path, 0o644)
	if err := WriteFile(path, []byte("b"), 0o600, Ops{}); err != nil {
		t.Fatal(err)
	}
	if info, _ := os.Stat(path); info.Mode().Perm() != 0o644 {
		t.Errorf("mode %v, want the old file's 0644", info.Mode().Perm())
	}
}

// TestSharedModes: in a setgid, group-writable directory new files are
// group-writable whatever the umask; elsewhere they stay private.
func TestSharedModes(t *testing.T) {
	old := syscall.Umask(0o022)
	defer syscall.Umask(old)
	tests := []struct {
		name    string
		dirMode fs.FileMode
		want    fs.FileMode
	}{
		{"private directory", 0o700, 0o600},
		{"group-shared directory (2770)", fs.ModeSetgid | 0o770, 0o660},
		{"group-writable without setgid is not shared", 0o770, 0o600},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			dir := filepath.Join(t.TempDir(), "d")
			os.Mkdir(dir, 0o700)
			if err := os.Chmod(dir, tt.dirMode); err != nil {
				t.Fatal(err)
			}
			f, err := Create(filepath.Join(dir, "audit.jsonl"), os.O_WRONLY|os.O_APPEND, 0o600)
			if err != nil {
				t.Fatal(err)
			}
			f.Close()
			if err := WriteFile(filepath.Join(dir, "policy.toml"), []byte("x"), 0o600, Ops{}); err != nil {
				t.Fatal(err)
			}
			lock, err := OpenLocked(context.Background(), filepath.Join(dir, "policy.toml.lock"))
			if err != nil {
				t.Fatal(err)
			}
			lock.Close()
			for _, name := range []string{"audit.jsonl", "policy.toml", "policy.toml.lock"} {
				info, err := os.Stat(filepath.Join(dir, name))
				if err != nil {
					t.Fatal(err)
				}
				if info.Mode().Perm() != tt.want {
					t.Errorf("%s: mode %v, want %v", name, info.Mode().Perm(), tt.want)
				}
			}
		})
	}
}

func TestInRoot(t *testing.T) {
	dir := t.TempDir()
	root, err := os.OpenRoot(dir)
	if err != nil {
		t.Fatal(err)
	}
	defer root.Close()
	os.Mkdir(filepath.Join(dir, "state"), 0o700)
	if err := WriteFileIn(root, "state/a.json", []byte("{}"), 0o640, Ops{}); err != nil {
		t.Fatal(err)
	}
	if err := SyncDirIn(root, "state"); err != nil {
		t.Fatal(err)
	}
	f, err := OpenLockedIn(context.Background(), root, "state/.lock")
	if err != nil {
		t.Fatal(err)
	}
	f.Close()
	if b, _ := os.ReadFile(filepath.Join(dir, "state", "a.json")); string(b) != "{}" {
		t.Errorf("content %q", b)
	}
}

// TestMkdirInShared: a folder created in a shared directory is shared
// too (2770), whatever the umask; elsewhere it keeps the mode asked for.
func TestMkdirInShared(t *testing.T) {
	old := syscall.Umask(0o022)
	defer syscall.Umask(old)
	for _, tt := range []struct {
		parent fs.FileMode
		want   fs.FileMode
	}{
		{0o700, 0o750 &^ 0o022},
		{fs.ModeSetgid | 0o770, fs.ModeSetgid | 0o770},
	} {
		dir := t.TempDir()
		os.Chmod(dir, tt.parent)
		root, err := os.OpenRoot(dir)
		if err != nil {
			t.Fatal(err)
		}
		if err := MkdirIn(root, "state", 0o750); err != nil {
			t.Fatal(err)
		}
		root.Close()
		info, _ := os.Stat(filepath.Join(dir, "state"))
		if got := info.Mode() & (fs.ModePerm | fs.ModeSetgid); got != tt.want {
			t.Errorf("parent %v: state is %v, want %v", tt.parent, got, tt.want)
		}
	}
}
