package store

import (
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
)

// fileOps are the file-system steps of an atomic write. Tests replace
// them to simulate a crash or a full disk part-way through; production
// code uses osOps.
type fileOps struct {
	// write writes data to the temporary file.
	write func(f *os.File, data []byte) error
	// rename moves the temporary file over the target.
	rename func(oldpath, newpath string) error
}

var osOps = fileOps{
	write: func(f *os.File, data []byte) error {
		_, err := f.Write(data)
		return err
	},
	rename: os.Rename,
}

// writeAtomic replaces path with data so that a reader (or a crash) sees
// either the old content or the new, never a mix: the data goes to a
// temporary file in the same directory, which is fsynced, given the old
// file's permissions (perm for a new file), renamed over path, and the
// directory fsynced. On failure the temporary file is removed and path is
// untouched.
func writeAtomic(path string, data []byte, perm fs.FileMode, ops fileOps) (err error) {
	dir := filepath.Dir(path)
	if info, err := os.Stat(path); err == nil {
		perm = info.Mode().Perm()
	}
	tmp, err := os.CreateTemp(dir, "."+filepath.Base(path)+".*.tmp")
	if err != nil {
		return fmt.Errorf("write %s: %w", path, err)
	}
	defer func() {
		if err != nil {
			tmp.Close()
			os.Remove(tmp.Name())
		}
	}()
	if err := ops.write(tmp, data); err != nil {
		return fmt.Errorf("write %s: %w", path, err)
	}
	if err := tmp.Chmod(perm); err != nil {
		return fmt.Errorf("write %s: %w", path, err)
	}
	if err := tmp.Sync(); err != nil {
		return fmt.Errorf("write %s: %w", path, err)
	}
	if err := tmp.Close(); err != nil {
		return fmt.Errorf("write %s: %w", path, err)
	}
	if err := ops.rename(tmp.Name(), path); err != nil {
		return fmt.Errorf("write %s: %w", path, err)
	}
	return syncDir(dir)
}

// readIfExists returns the file's content, or nil and no error when it
// does not exist.
func readIfExists(path string) ([]byte, bool, error) {
	b, err := os.ReadFile(path)
	if errors.Is(err, fs.ErrNotExist) {
		return nil, false, nil
	}
	if err != nil {
		return nil, false, err
	}
	return b, true, nil
}

// WriteFileAtomic replaces path with data atomically (see writeAtomic):
// for generated files a daemon reloads when they change, such as the
// exported gateway maps, which must never be seen half written.
func WriteFileAtomic(path string, data []byte, perm fs.FileMode) error {
	return writeAtomic(path, data, perm, osOps)
}
