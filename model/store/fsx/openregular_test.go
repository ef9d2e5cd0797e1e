//go:build unix

package fsx

import (
	"errors"
	"os"
	"path/filepath"
	"syscall"
	"testing"
	"time"
)

// TestOpenRegular: a regular file opens; a FIFO, a folder and a symbolic
// link in its place are refused at once, the FIFO without waiting for a
// writer.
func TestOpenRegular(t *testing.T) {
	dir := t.TempDir()
	file := filepath.Join(dir, "file")
	if err := os.WriteFile(file, []byte("x"), 0o600); err != nil {
		t.Fatal(err)
	}
	f, info, err := OpenRegular(file)
	if err != nil || info.Size() != 1 {
		t.Fatalf("a regular file: %v", err)
	}
	f.Close()
	fifo := filepath.Join(dir, "fifo")
	if err := syscall.Mkfifo(fifo, 0o600); err != nil {
		t.Skip("no FIFO here:", err)
	}
	link := filepath.Join(dir, "link")
	if err := os.Symlink(file, link); err != nil {
		t.Fatal(err)
	}
	for _, path := range []string{fifo, dir, link} {
		done := make(chan error, 1)
		go func() {
			f, _, err := OpenRegular(path)
			if err == nil {
				f.Close()
			}
			done <- err
		}()
		select {
		case err := <-done:
			if err == nil {
				t.Errorf("%s: opened", filepath.Base(path))
			}
			if path == dir && !errors.Is(err, ErrNotRegular) {
				t.Errorf("a folder: %v, want ErrNotRegular", err)
			}
		case <-time.After(10 * time.Second):
			t.Fatalf("%s: the open waits", filepath.Base(path))
		}
	}
}
