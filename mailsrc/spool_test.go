package mailsrc

import (
	"bytes"
	"io"
	"os"
	"runtime"
	"strings"
	"testing"
)

// TestSpoolSmallStaysInMemory: a message that fits in memory makes no
// file at all, and reads back whole.
func TestSpoolSmallStaysInMemory(t *testing.T) {
	dir := t.TempDir()
	s := NewSpool(dir)
	want := []byte("a small message\r\n")
	if _, err := s.Write(want); err != nil {
		t.Fatal(err)
	}
	if names, _ := os.ReadDir(dir); s.f != nil || len(names) != 0 {
		t.Errorf("a %d-byte message made a file (%v)", len(want), names)
	}
	if got, err := io.ReadAll(s.Owner()); err != nil || !bytes.Equal(got, want) {
		t.Fatalf("read back %q, %v", got, err)
	}
}

// TestSpool: past its memory a spool is a private file (0600) that no
// other process can open by name (it is gone from the directory at once
// on Unix), reads back what was written any number of times, starts over
// on Reset, and leaves nothing behind once closed.
func TestSpool(t *testing.T) {
	dir := t.TempDir()
	s := NewSpool(dir)
	s.limit = 64 // small, so that the content below moves to a file
	io.Copy(s, strings.NewReader("first attempt, cut short"))
	if err := s.Reset(); err != nil {
		t.Fatal(err)
	}
	want := bytes.Repeat([]byte("line of the message\r\n"), 10000)
	if _, err := io.Copy(s, bytes.NewReader(want)); err != nil {
		t.Fatal(err)
	}
	if s.f == nil {
		t.Fatal("the spool never moved to a file")
	}
	info, err := s.f.Stat()
	if err != nil || info.Mode().Perm() != 0o600 {
		t.Errorf("spool mode %v, %v: want 0600", info.Mode(), err)
	}
	if names, _ := os.ReadDir(dir); runtime.GOOS != "windows" && len(names) != 0 {
		t.Errorf("the spool can be opened by name: %v", names)
	}
	for range 2 {
		got, err := io.ReadAll(s.Reader())
		if err != nil || !bytes.Equal(got, want) || s.Size() != int64(len(want)) {
			t.Fatalf("read back %d bytes (size %d), %v; want %d", len(got), s.Size(), err, len(want))
		}
	}
	owner := s.Owner()
	if got, _ := io.ReadAll(owner); !bytes.Equal(got, want) {
		t.Error("the owner reader reads other bytes")
	}
	if err := owner.Close(); err != nil {
		t.Fatal(err)
	}
	if _, err := s.f.Stat(); err == nil {
		t.Error("closing the owner reader left the spool open")
	}
	if names, _ := os.ReadDir(dir); len(names) != 0 {
		t.Errorf("left behind: %v", names)
	}
}
