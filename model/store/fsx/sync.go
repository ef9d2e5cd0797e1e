package fsx

import (
	"fmt"
	"os"
)

// SyncDir fsyncs a directory so that a rename, a new file or a removal in
// it survives a crash. File systems that cannot fsync a directory (EINVAL)
// are accepted: there is nothing more to do on them.
func SyncDir(dir string) error { return syncDir(osDir{}, dir) }

// SyncDirIn is SyncDir for a directory inside root.
func SyncDirIn(root *os.Root, dir string) error { return syncDir(rootDir{root}, dir) }

func syncDir(d interface {
	Open(string) (*os.File, error)
}, dir string) error {
	f, err := d.Open(dir)
	if err != nil {
		return err
	}
	defer f.Close()
	if err := f.Sync(); err != nil && !isSyncUnsupported(err) {
		return fmt.Errorf("sync %s: %w", dir, err)
	}
	return nil
}
