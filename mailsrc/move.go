package mailsrc

import (
	"errors"
	"fmt"
	"io"
	"io/fs"
	"os"
	"path"
	"strconv"
	"strings"

	"mxaudit/model/store/fsx"
)

// stepHook, when set (by tests only), is called between the steps of a
// move and of a state write; an error it returns fails the move there, as
// a full disk or a crash would.
var stepHook func(step string) error

// step runs the test hook for one step.
func step(name string) error {
	if stepHook == nil {
		return nil
	}
	return stepHook(name)
}

// moveFile moves the file src to dst, both relative to root, so that the
// message is always somewhere: on the same file system one rename does it
// atomically; across file systems (the area is a mount point) the file is
// copied to a hidden temporary file beside dst, fsynced, renamed to dst,
// and only then is src removed. A crash part way leaves the message in
// the quarantine, or in both places, never in neither. dst's folder is
// created when missing. It returns the name used, which differs from dst
// when dst existed already: nothing is ever overwritten.
func moveFile(root *os.Root, src, dst string) (string, error) {
	if err := mkdirAllSynced(root, path.Dir(dst)); err != nil {
		return "", err
	}
	dst, err := freeName(root, dst)
	if err != nil {
		return "", err
	}
	// The hook stands in for rename(2) itself, so that tests can make it
	// fail with EXDEV and take the path across file systems.
	if err = step("rename"); err == nil {
		err = root.Rename(src, dst)
	}
	if err == nil {
		// The message has moved: a failed fsync makes that less durable,
		// not undone, and must not be reported as a failed move.
		return dst, notDurable(syncMoved(root, path.Dir(dst), path.Dir(src)))
	}
	if !errors.Is(err, errCrossDevice) {
		return "", err
	}
	return dst, copyAcross(root, src, dst)
}

// copyAcross is moveFile's path across file systems.
func copyAcross(root *os.Root, src, dst string) (err error) {
	tmp := path.Join(path.Dir(dst), "."+path.Base(dst)+".mxaudit-tmp")
	defer func() {
		if err != nil {
			root.Remove(tmp)
		}
	}()
	if err := copySynced(root, src, tmp); err != nil {
		return err
	}
	if err := step("copied"); err != nil {
		return err
	}
	if err := root.Rename(tmp, dst); err != nil {
		return err
	}
	if err := fsx.SyncDirIn(root, path.Dir(dst)); err != nil {
		return err
	}
	// From here the message is safe in dst; a failure leaves a duplicate.
	if err := step("linked"); err != nil {
		return err
	}
	if err := root.Remove(src); err != nil {
		return fmt.Errorf("the message was copied to %s but could not be removed from the quarantine: %w", dst, err)
	}
	return notDurable(syncMoved(root, path.Dir(src)))
}

// syncMoved fsyncs the directories of a move done. It goes through the
// "sync-dir" step so that tests can make it fail: a directory fsync
// cannot be made to fail portably on a real file system (EIO needs a
// failing device), so this one fault is injected.
func syncMoved(root *os.Root, dirs ...string) error {
	if err := step("sync-dir"); err != nil {
		return err
	}
	var errs []error
	for _, dir := range dirs {
		errs = append(errs, fsx.SyncDirIn(root, dir))
	}
	return errors.Join(errs...)
}

// copySynced copies src to a new file tmp with the same permissions and
// modification time, and fsyncs it.
func copySynced(root *os.Root, src, tmp string) error {
	in, err := root.OpenFile(src, openFlags, 0)
	if err != nil {
		return err
	}
	defer in.Close()
	info, err := in.Stat()
	if err != nil {
		return err
	}
	if !info.Mode().IsRegular() {
		return fmt.Errorf("%s: not a regular file", src)
	}
	out, err := root.OpenFile(tmp, os.O_WRONLY|os.O_CREATE|os.O_TRUNC, info.Mode().Perm())
	if err != nil {
		return err
	}
	if _, err := io.Copy(out, in); err != nil {
		out.Close()
		return err
	}
	if err := out.Sync(); err != nil {
		out.Close()
		return err
	}
	if err := out.Close(); err != nil {
		return err
	}
	return root.Chtimes(tmp, info.ModTime(), info.ModTime())
}

// freeName returns dst, or when a file of that name exists, the first of
// dst.2, dst.3, ... that does not (before the Maildir info part, so that
// the flags still read).
func freeName(root *os.Root, dst string) (string, error) {
	dir, base := path.Split(dst)
	unique, info, hasInfo := strings.Cut(base, ":")
	for n := 1; n < 1000; n++ {
		name := dst
		if n > 1 {
			name = dir + unique + "." + strconv.Itoa(n)
			if hasInfo {
				name += ":" + info
			}
		}
		_, err := root.Lstat(name)
		if errors.Is(err, fs.ErrNotExist) {
			return name, nil
		}
		if err != nil {
			return "", err
		}
	}
	return "", fmt.Errorf("%s: too many files of that name", dst)
}

// mkdirAllSynced creates dir and its missing parents, fsyncing the
// parent of each one created so that the new entries survive a crash.
func mkdirAllSynced(root *os.Root, dir string) error {
	if dir == "." || dir == "" {
		return nil
	}
	if info, err := root.Stat(dir); err == nil {
		if !info.IsDir() {
			return fmt.Errorf("%s is not a folder", dir)
		}
		return nil
	}
	if err := mkdirAllSynced(root, path.Dir(dir)); err != nil {
		return err
	}
	if err := fsx.MkdirIn(root, dir, 0o750); err != nil && !errors.Is(err, fs.ErrExist) {
		return err
	}
	return fsx.SyncDirIn(root, path.Dir(dir))
}
