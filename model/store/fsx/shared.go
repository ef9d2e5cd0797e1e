package fsx

import (
	"errors"
	"io/fs"
	"os"
	"path"
	"path/filepath"
)

// A team of operators shares one host by sharing a directory (see
// docs/exceptions.md, "A team on one host"): owned by the operators'
// group, setgid so that new files inherit the group, and group-writable.
// Files created there must be group-writable too, or the second operator
// gets "permission denied" on the audit log the first one created. The
// process umask (typically 022) would take that bit away, so the mode is
// set explicitly on the new file.

// IsShared reports whether info describes a group-shared directory: the
// setgid bit and read, write and search for the group.
func IsShared(info fs.FileInfo) bool {
	m := info.Mode()
	return info.IsDir() && m&fs.ModeSetgid != 0 && m.Perm()&0o070 == 0o070
}

// sharedMode is private with the owner's read and write bits given to
// the group as well.
func sharedMode(private fs.FileMode) fs.FileMode {
	return private | (private&0o600)>>3
}

// Mode returns the mode for a new file in dir: private as given, or, in a
// group-shared directory, private plus group read and write (0600 and
// 0640 become 0660). A directory that cannot be read counts as private.
func Mode(dir string, private fs.FileMode) fs.FileMode {
	if info, err := os.Stat(dir); err == nil && IsShared(info) {
		return sharedMode(private)
	}
	return private
}

// sharedDirMode is the mode of a directory created in a shared one.
const sharedDirMode = fs.ModeSetgid | 0o770

// MkdirIn creates directory name inside root with mode private, or, when
// its parent is group-shared, 2770 so that it is shared too (set
// explicitly: the umask would take the group's write bit away). An
// existing directory is an error wrapping fs.ErrExist, as for os.Mkdir.
func MkdirIn(root *os.Root, name string, private fs.FileMode) error {
	mode := private
	if info, err := root.Stat(path.Dir(name)); err == nil && IsShared(info) {
		mode = sharedDirMode
	}
	if err := root.Mkdir(name, mode.Perm()); err != nil {
		return err
	}
	if mode != private {
		return root.Chmod(name, mode)
	}
	return nil
}

// opener is what Create needs of a directory: the OS (plain paths) or an
// *os.Root.
type opener interface {
	OpenFile(name string, flag int, perm fs.FileMode) (*os.File, error)
	Stat(name string) (fs.FileInfo, error)
}

// osDir opens plain paths.
type osDir struct{}

func (osDir) OpenFile(name string, flag int, perm fs.FileMode) (*os.File, error) {
	return os.OpenFile(name, flag, perm)
}
func (osDir) Stat(name string) (fs.FileInfo, error) { return os.Stat(name) }
func (osDir) Rename(oldpath, newpath string) error  { return os.Rename(oldpath, newpath) }
func (osDir) Remove(name string) error              { return os.Remove(name) }
func (osDir) Open(name string) (*os.File, error)    { return os.Open(name) }
func (osDir) dir(name string) string                { return filepath.Dir(name) }
func (osDir) join(dir, name string) string          { return filepath.Join(dir, name) }
func (osDir) base(name string) string               { return filepath.Base(name) }

// rootDir opens names inside an *os.Root (slash-separated).
type rootDir struct{ *os.Root }

func (rootDir) dir(name string) string       { return path.Dir(name) }
func (rootDir) join(dir, name string) string { return path.Join(dir, name) }
func (rootDir) base(name string) string      { return path.Base(name) }

// Create opens name with flag, creating it when missing with the mode
// Mode gives for its directory, set explicitly so that the umask does not
// take the group's write bit away. It never follows a symbolic link as the
// last element. With os.O_EXCL in flag an existing file is an error.
func Create(name string, flag int, private fs.FileMode) (*os.File, error) {
	return create(osDir{}, filepath.Dir(name), name, flag, private)
}

// CreateIn is Create for a name inside root.
func CreateIn(root *os.Root, name string, flag int, private fs.FileMode) (*os.File, error) {
	return create(root, path.Dir(name), name, flag, private)
}

func create(d opener, dir, name string, flag int, private fs.FileMode) (*os.File, error) {
	mode := private
	if info, err := d.Stat(dir); err == nil && IsShared(info) {
		mode = sharedMode(private)
	}
	flag |= noFollow
	f, err := d.OpenFile(name, flag|os.O_CREATE|os.O_EXCL, mode)
	if errors.Is(err, fs.ErrExist) && flag&os.O_EXCL == 0 {
		return d.OpenFile(name, flag&^(os.O_CREATE|os.O_EXCL), 0)
	}
	if err != nil {
		return nil, err
	}
	if mode != private || mode&0o060 != 0 {
		if err := f.Chmod(mode); err != nil {
			f.Close()
			return nil, err
		}
	}
	return f, nil
}
