package fsx

import (
	"crypto/rand"
	"encoding/hex"
	"fmt"
	"io/fs"
	"os"
)

// Ops are the steps of an atomic write that tests replace to simulate a
// crash or a full disk part-way through. A nil field is the real step.
type Ops struct {
	// Write writes data to the temporary file; a caller that streams
	// what it writes passes no data and writes it here.
	Write func(f *os.File, data []byte) error
	// BeforeRename runs after the temporary file is fsynced and closed,
	// before it is renamed over the target; an error aborts the write.
	BeforeRename func() error
}

// WriteFile replaces path with data so that a reader (or a crash) sees
// either the old content or the new, never a mix: the data goes to a
// temporary file in the same directory, which is fsynced, given the old
// file's permissions (for a new file, Mode(dir, perm)), renamed over path,
// and the directory fsynced. On failure the temporary file is removed and
// path is untouched.
func WriteFile(path string, data []byte, perm fs.FileMode, ops Ops) error {
	return writeAtomic(osDir{}, path, data, perm, ops)
}

// WriteFileIn is WriteFile for a name inside root.
func WriteFileIn(root *os.Root, name string, data []byte, perm fs.FileMode, ops Ops) error {
	return writeAtomic(rootDir{root}, name, data, perm, ops)
}

// dirOps is what an atomic write needs of a directory.
type dirOps interface {
	opener
	Rename(oldpath, newpath string) error
	Remove(name string) error
	Open(name string) (*os.File, error)
	dir(name string) string
	join(dir, name string) string
	base(name string) string
}

func writeAtomic(d dirOps, name string, data []byte, perm fs.FileMode, ops Ops) (err error) {
	dir := d.dir(name)
	if info, err := d.Stat(name); err == nil {
		perm = info.Mode().Perm()
	} else if info, err := d.Stat(dir); err == nil && IsShared(info) {
		perm = sharedMode(perm)
	}
	var rnd [6]byte
	rand.Read(rnd[:])
	tmpName := d.join(dir, "."+d.base(name)+"."+hex.EncodeToString(rnd[:])+".tmp")
	tmp, err := d.OpenFile(tmpName, os.O_WRONLY|os.O_CREATE|os.O_EXCL|noFollow, 0o600)
	if err != nil {
		return fmt.Errorf("write %s: %w", name, err)
	}
	defer func() {
		if err != nil {
			tmp.Close()
			d.Remove(tmpName)
		}
	}()
	write := ops.Write
	if write == nil {
		write = func(f *os.File, b []byte) error { _, err := f.Write(b); return err }
	}
	if err := write(tmp, data); err != nil {
		return fmt.Errorf("write %s: %w", name, err)
	}
	if err := tmp.Chmod(perm); err != nil {
		return fmt.Errorf("write %s: %w", name, err)
	}
	if err := tmp.Sync(); err != nil {
		return fmt.Errorf("write %s: %w", name, err)
	}
	if err := tmp.Close(); err != nil {
		return fmt.Errorf("write %s: %w", name, err)
	}
	if ops.BeforeRename != nil {
		if err := ops.BeforeRename(); err != nil {
			return fmt.Errorf("write %s: %w", name, err)
		}
	}
	if err := d.Rename(tmpName, name); err != nil {
		return fmt.Errorf("write %s: %w", name, err)
	}
	return syncDir(d, dir)
}
